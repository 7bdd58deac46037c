from __future__ import annotations

from django.urls import path

from readmit.readmission import views

app_name = "readmission"

urlpatterns = [
    path("", views.work_queue, name="work_queue"),
    path("new/<int:case_id>/", views.application_draft, name="application_draft"),
    path("<int:application_id>/", views.application_detail, name="application_detail"),
    path("<int:application_id>/evidence/", views.evidence_add, name="evidence_add"),
    path(
        "<int:application_id>/evidence/<int:evidence_id>/file",
        views.evidence_file,
        name="evidence_file",
    ),
    path("<int:application_id>/act/<slug:action>/", views.application_act, name="application_act"),
]
