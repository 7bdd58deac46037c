from __future__ import annotations

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "readmit.returns"
    label = "returns"
    verbose_name = "Return cases"
