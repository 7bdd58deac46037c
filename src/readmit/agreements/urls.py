from __future__ import annotations

from django.urls import path

from readmit.agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("export/", views.registry_download, name="registry_export"),
    path("import/", views.registry_upload, name="registry_import"),
    path("<str:code>/", views.agreement_detail, name="agreement_detail"),
    path("<str:code>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<str:code>/deadlines/", views.deadlines, name="deadlines"),
    path("<str:code>/rules/", views.rule_set, name="rule_set"),
    path(
        "<str:code>/rules/<str:key>/<str:valid_from>/remove/",
        views.rule_remove,
        name="rule_remove",
    ),
    path("<str:code>/evidence/", views.evidence_set, name="evidence_set"),
    path(
        "<str:code>/evidence/<str:evidence_code>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
]
