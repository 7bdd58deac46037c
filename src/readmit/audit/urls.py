from __future__ import annotations

from django.urls import path

from readmit.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("export.csv", views.audit_export, name="audit_export"),
    path("access-log/", views.access_log_list, name="access_log_list"),
    path("access-log/export.csv", views.access_log_export, name="access_log_export"),
]
