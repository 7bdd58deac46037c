from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from readmit.agreements.cli import parse_date, refused, to_json
from readmit.agreements.deadlines import Procedure
from readmit.agreements.selectors import agreement_deadlines
from readmit.core.errors import DomainError

# The command's option for each field the deadline selector may refuse.
OPTIONS = {
    "agreement": "--agreement",
    "received": "--received",
    "procedure": "--procedure",
    "accepted": "--accepted",
    "acknowledged": "--acknowledged",
    "requested_state": "--requested-state",
    "requesting_state": "--requesting-state",
}


class Command(BaseCommand):
    help = (
        "The deadlines of an application under an agreement: "
        "`deadlines --agreement EU-RS --received 2026-03-02 [--procedure accelerated] "
        "[--accepted YYYY-MM-DD]`. Prints one JSON object; a null value means the registry has "
        "no such rule (not configured). See docs/deadlines.md. "
        "`deadlines sweep [--date YYYY-MM-DD]` runs the deadline sweep over all open applications "
        "(tacit acceptance or overdue, reminders, expired travel documents) and prints its counts."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "action", nargs="?", choices=["sweep"], help="sweep: run the deadline sweep."
        )
        parser.add_argument(
            "--date", help="With sweep: the day to sweep for (default today), YYYY-MM-DD."
        )
        parser.add_argument("--agreement", help="Agreement code, e.g. EU-RS or CH-AZ.")
        parser.add_argument("--received", help="Day the application was received, YYYY-MM-DD.")
        parser.add_argument("--procedure", default=Procedure.NORMAL, metavar="normal|accelerated")
        parser.add_argument(
            "--accepted", help="Day of acceptance (positive reply or tacit acceptance), YYYY-MM-DD."
        )
        parser.add_argument(
            "--acknowledged",
            help="Day receipt was acknowledged, YYYY-MM-DD, for agreements whose reply period runs "
            "from the acknowledgement (CH-AZ).",
        )
        parser.add_argument(
            "--requested-state",
            help="ISO code of the requested state, whose calendar counts. Default: the partner of "
            "an EU agreement, the second party of a bilateral one.",
        )
        parser.add_argument(
            "--requesting-state",
            help="ISO code of the requesting state; with an EU agreement it picks the Member "
            "State's implementing protocol.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self._sweep(options)
            return
        missing = [f"--{name}" for name in ("agreement", "received") if not options[name]]
        if missing:
            raise CommandError(f"Give {' and '.join(missing)} (or use `deadlines sweep`).")
        try:
            report = agreement_deadlines(
                viewer=None,
                code=options["agreement"],
                received=parse_date(options["received"], "--received"),  # type: ignore[arg-type]
                procedure=options["procedure"],
                accepted=parse_date(options["accepted"], "--accepted"),
                acknowledged=parse_date(options["acknowledged"], "--acknowledged"),
                requested_state=options["requested_state"],
                requesting_state=options["requesting_state"],
            )
        except DomainError as exc:
            raise refused(exc, OPTIONS) from None
        self.stdout.write(to_json(report.as_json(), indent=2))

    def _sweep(self, options: dict[str, Any]) -> None:
        from readmit.audit.context import channel
        from readmit.readmission.sweep import deadline_sweep

        day = parse_date(options["date"], "--date") if options["date"] else None
        with channel("cli"):
            report = deadline_sweep(today=day)
        self.stdout.write(
            to_json({"swept_for": (day.isoformat() if day else None), **report.as_dict()})
        )
