from __future__ import annotations

from django.apps import AppConfig


class ReadmissionConfig(AppConfig):
    name = "readmit.readmission"
    label = "readmission"
    verbose_name = "Readmission"
