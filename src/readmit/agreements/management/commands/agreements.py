from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from readmit.agreements.choices import Category
from readmit.agreements.cli import parse_date, to_json
from readmit.agreements.registry_io import registry_export
from readmit.agreements.selectors import agreement_select
from readmit.agreements.services import agreements_load, registry_import
from readmit.audit.context import channel
from readmit.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "The agreements registry: `agreements export [FILE]`, `agreements import FILE`, "
        "`agreements load` (the reference registry shipped with Readmit), "
        "`agreements select --requesting DE --requested AZ --category own_nationals --on DATE`."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export", help="Write the whole registry as JSON (stdout without FILE)."
        )
        export.add_argument("file", nargs="?")
        imp = sub.add_parser("import", help="Import a registry JSON file: all or nothing.")
        imp.add_argument("file")
        sub.add_parser("load", help="Load the reference registry (idempotent).")
        select = sub.add_parser("select", help="Which agreement governs an application.")
        select.add_argument("--requesting", required=True, help="ISO code of the requesting state.")
        select.add_argument("--requested", required=True, help="ISO code of the requested state.")
        select.add_argument("--category", required=True, choices=Category.values)
        select.add_argument("--on", required=True, help="The date, YYYY-MM-DD.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with channel("cli"):
                self._dispatch(options)
        except DomainError as exc:
            problems = exc.fields.get("file", [])
            raise CommandError("\n".join([exc.message, *(f"  - {p}" for p in problems)])) from None

    def _dispatch(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "export":
            text = registry_export()
            if options["file"]:
                Path(options["file"]).write_text(text, encoding="utf-8")
                self.stderr.write(f"Registry written to {options['file']}.")
            else:
                sys.stdout.write(text)
        elif action == "import":
            path = Path(options["file"])
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
            result = registry_import(actor=None, text=data, source_name=path.name)
            self.stdout.write(result.summary())
        elif action == "load":
            self.stdout.write(agreements_load().summary())
        else:
            on = parse_date(options["on"], "--on")
            assert on is not None
            selection = agreement_select(
                requesting_state=options["requesting"],
                requested_state=options["requested"],
                category=options["category"],
                on=on,
            )
            self.stdout.write(to_json(selection.as_json(), indent=2))
