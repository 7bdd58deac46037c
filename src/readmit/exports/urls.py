from __future__ import annotations

from django.urls import re_path

from readmit.exports import views

app_name = "exports"

urlpatterns = [
    re_path(r"^applications/export\.(?P<fmt>csv|xlsx)$", views.applications, name="applications"),
    re_path(r"^returns/export\.(?P<fmt>csv|xlsx)$", views.return_cases, name="return_cases"),
    re_path(r"^persons/export\.(?P<fmt>csv|xlsx)$", views.persons, name="persons"),
]
