"""`readmit openapi [--output PATH]`: write the OpenAPI document (default docs/openapi.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from readmit.api.schema import DEFAULT_PATH, openapi_text


class Command(BaseCommand):
    help = "Write the API's OpenAPI 3.1 document (checked in as docs/openapi.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=DEFAULT_PATH, help="Where to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"]
        path.write_text(openapi_text(), encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
