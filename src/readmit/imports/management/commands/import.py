"""`readmit import FILE --authority CODE [--user NAME] [--valid-only] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from readmit.accounts.capabilities import Capability, has
from readmit.accounts.models import Authority, User
from readmit.audit.context import channel
from readmit.core.errors import DomainError
from readmit.imports.services import ImportReport, import_run


def _actor(authority_code: str, username: str | None) -> User:
    authority = Authority.objects.filter(code__iexact=authority_code).first()
    if authority is None:
        raise CommandError(f"No authority with the code {authority_code!r}.")
    users = User.objects.select_related("authority").filter(authority=authority, is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username!r} at {authority.code}.")
        return user
    # Without --user: the first active caseworker of the authority, named in the output.
    for user in users.order_by("username"):
        if has(user, Capability.EDIT_RETURN_CASE):
            return user
    raise CommandError(f"{authority.code} has no active user who may register return cases.")


class Command(BaseCommand):
    help = "Import persons with return cases (and application drafts) from a CSV or XLSX file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The CSV or XLSX file (see docs/import.md).")
        parser.add_argument("--authority", required=True, help="Code of the owning authority.")
        parser.add_argument("--user", help="The user the import is recorded for (audit).")
        parser.add_argument(
            "--valid-only", action="store_true", help="Save the valid rows, report the others."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only, save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = _actor(options["authority"], options.get("user"))
        console = Console(file=cast(IO[str], self.stdout._out))
        console.print(f"Importing {path.name} for {actor.authority} as {actor.username}")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task("validating", total=None)

            def tick(phase: str, done: int, total: int | None) -> None:
                bar.update(task, description=phase, completed=done, total=total)

            try:
                with channel("cli"), path.open("rb") as stream:
                    report = import_run(
                        actor=actor,
                        stream=stream,
                        size=path.stat().st_size,
                        file_name=path.name,
                        valid_only=options["valid_only"],
                        dry_run=options["dry_run"],
                        progress=tick,
                    )
            except DomainError as exc:
                raise CommandError(exc.message) from None
        _print(console, report)
        if not report.ok and not (report.valid_only and report.saved):
            raise CommandError("Nothing was saved: correct the file and import it again.")


def _print(console: Console, report: ImportReport) -> None:
    if report.errors:
        table = Table("row", "column", "problem", title="Problems")
        for e in report.errors[:200]:
            table.add_row("" if e.row is None else str(e.row), e.column, e.message)
        console.print(table)
        if report.error_count > 200:
            console.print(f"… and {report.error_count - 200} more problems.")
    console.print(
        f"Rows: {report.rows}, valid: {report.valid_rows}, invalid: {report.invalid_rows}. "
        + (
            f"Saved: {report.persons} persons, {report.cases} return cases, "
            f"{report.applications} applications."
            if report.saved
            else ("Dry run: nothing saved." if report.dry_run else "Nothing saved.")
        )
    )
