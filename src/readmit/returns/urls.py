from __future__ import annotations

from django.urls import path

from readmit.returns import views

app_name = "returns"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/<int:person_id>/", views.case_create, name="case_create"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/override/", views.safeguard_override, name="safeguard_override"),
    path("<int:case_id>/forms/<slug:form>/", views.case_post, name="case_post"),
]
