from __future__ import annotations

from django.urls import path, re_path

from readmit.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_page, name="import_page"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    re_path(r"^template\.(?P<fmt>csv|xlsx)$", views.template_download, name="template"),
]
