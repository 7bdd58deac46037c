from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from readmit.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail: `audit verify` walks the hash chain and reports the first broken entry."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the chain; exit status 1 when it is broken.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN after {report.checked} good entries. {report.problem}",
                returncode=1,
            )
        self.stdout.write(f"Audit chain intact: {report.checked} entries verified.")
