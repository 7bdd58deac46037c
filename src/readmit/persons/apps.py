from __future__ import annotations

from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "readmit.persons"
    label = "persons"
    verbose_name = "Persons"
