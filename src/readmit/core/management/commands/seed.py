from __future__ import annotations

import time
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from readmit.accounts.reference import states_load
from readmit.agreements.services import agreements_load
from readmit.audit.context import channel
from readmit.demo.seed import SeedError, seed
from readmit.demo.world import demo_world_load
from readmit.returns.policy import policy_load


class Command(BaseCommand):
    help = (
        "Add N synthetic readmission applications (with persons, return cases, replies, travel "
        "documents, transfers and timelines) from the EU demo authorities. Never in production."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--applications", type=int, required=True, metavar="N")
        parser.add_argument(
            "--authority",
            action="append",
            default=[],
            metavar="CODE",
            help="Only applications from this demo authority (repeatable), e.g. de-lea-berlin.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (repeatable runs).")
        parser.add_argument("--batch", type=int, default=5000, help="Applications per transaction.")
        parser.add_argument(
            "--distinct",
            type=int,
            default=50_000,
            help="Generate this many applications one by one and let the database copy them "
            "(new ids and references) up to N; 0 generates every one (slow at a million).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "Synthetic data is never generated in production (READMIT_ENV=production)."
            )
        n = options["applications"]
        if n < 1:
            raise CommandError("--applications must be at least 1.")
        with channel("cli"):
            states_load()
            demo_world_load()
            agreements_load()
            policy_load()
        # The wrapped stream: OutputWrapper would end each of rich's writes with a newline.
        console = Console(file=cast(IO[str], self.stdout._out), stderr=False)
        columns = (
            TextColumn("[bold]Seeding applications"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        started = time.perf_counter()
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("seed", total=n, rate="")

            def advance(size: int) -> None:
                done = progress.tasks[0].completed + size
                rate = done / max(time.perf_counter() - started, 1e-6)
                progress.update(task, advance=size, rate=f"{rate:,.0f}/s")
                if not console.is_terminal:  # a log file: one line per batch
                    self.stdout.write(f"{done}/{n} applications, {rate:,.0f}/s", ending="\n")

            try:
                report = seed(
                    n,
                    authorities=options["authority"],
                    seed_value=options["seed"],
                    batch=options["batch"],
                    distinct=options["distinct"],
                    progress=advance,
                )
            except SeedError as exc:
                raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        rows = sum(report.rows.values())
        self.stdout.write(
            f"{report.applications} applications and {report.persons} persons in {elapsed:.1f} s "
            f"({report.applications / elapsed:,.0f} applications/s, {rows:,} rows)."
        )
        self.stdout.write(
            "Applications: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.application_statuses.items()))
        )
        self.stdout.write(
            "Persons: " + ", ".join(f"{k} {v}" for k, v in sorted(report.person_statuses.items()))
        )
        self.stdout.write(
            "Scripts: " + ", ".join(f"{k} {v}" for k, v in sorted(report.scripts.items()))
        )
