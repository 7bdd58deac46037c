"""`readmit compilemessages`: build the .mo files from the .po catalogues with polib.

Replaces Django's command of the same name, which needs GNU gettext's msgfmt; Readmit's
catalogues compile on a fresh machine without it. `--force` rebuilds every catalogue,
`--check` only reports stale ones (exit status 1).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from readmit.core.translations import LOCALE_DIR, catalogues, compile_stale, is_stale


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po) into .mo files, without system gettext."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Rebuild every catalogue.")
        parser.add_argument(
            "--check", action="store_true", help="Only report catalogues whose .mo is stale."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            stale = [po for po in catalogues() if is_stale(po)]
            for po in stale:
                self.stdout.write(f"stale: {po.relative_to(LOCALE_DIR)}")
            if stale:
                raise CommandError(f"{len(stale)} catalogue(s) need compiling.")
            return
        for mo in compile_stale(force=options["force"]):
            self.stdout.write(f"compiled {mo.relative_to(LOCALE_DIR)}")
