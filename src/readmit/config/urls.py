from __future__ import annotations

from django.urls import include, path

from readmit.api.v1 import urlpatterns as api_urlpatterns

# The API first: its calls are the most frequent, and each URL is matched in this order.
urlpatterns = [
    path("api/v1/", include((api_urlpatterns(), "api"), namespace="api")),
    path("", include("readmit.web.urls")),
    path("accounts/", include("readmit.accounts.urls")),
    path("audit/", include("readmit.audit.urls")),
    path("notifications/", include("readmit.notifications.urls")),
    path("applications/", include("readmit.readmission.urls")),
    path("agreements/", include("readmit.agreements.urls")),
    path("persons/", include("readmit.persons.urls")),
    path("returns/", include("readmit.returns.urls")),
    path("webhooks/", include("readmit.webhooks.urls")),
    path("imports/", include("readmit.imports.urls")),
    path("", include("readmit.exports.urls")),
]
