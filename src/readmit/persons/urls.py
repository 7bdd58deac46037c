from __future__ import annotations

from django.urls import path

from readmit.persons import views

app_name = "persons"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/photo/", views.person_photo, name="person_photo"),
    path("<int:person_id>/forms/<slug:form>/", views.person_post, name="person_post"),
]
