from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from readmit.agreements.cli import parse_date, parse_int, to_json
from readmit.core.calendar import CalendarError, Unit, add_period

UNITS = {"working": Unit.WORKING_DAYS, "calendar": Unit.CALENDAR_DAYS}


class Command(BaseCommand):
    help = (
        "Working-day and calendar-day arithmetic (Reg. 1182/71 Art. 3): "
        "`calendar add --country RS --from 2026-01-02 --days 2 --unit working`. "
        "Prints one JSON object; see docs/deadlines.md."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add",
            help="The last day of a period of N days from an event (the event day not counted).",
        )
        add.add_argument(
            "--country", required=True, help="ISO 3166-1 alpha-2 code of the state that must act."
        )
        add.add_argument(
            "--from", dest="start", required=True, help="Day of the event, YYYY-MM-DD."
        )
        add.add_argument(
            "--days", required=True, help="Length of the period (a whole number, 0 or more)."
        )
        add.add_argument(
            "--unit", required=True, metavar="working|calendar", help="working or calendar days."
        )
        add.add_argument(
            "--roll-forward",
            action="store_true",
            help="A calendar-day period ending on a weekend day or public holiday ends on the "
            "next working day (Reg. 1182/71 Art. 3(4)).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = parse_date(options["start"], "--from")
        assert start is not None
        days = parse_int(options["days"], "--days")
        country = options["country"].strip().upper()
        unit = UNITS.get(options["unit"].strip().lower())
        if unit is None:
            raise CommandError(
                f"--unit {options['unit']!r} is not a unit: use working or calendar."
            )
        try:
            due = add_period(
                start=start,
                amount=days,
                unit=unit,
                country=country,
                roll_forward=options["roll_forward"],
            )
        except CalendarError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            to_json(
                {
                    "country": country,
                    "from": start.isoformat(),
                    "days": days,
                    "unit": options["unit"].strip().lower(),
                    "due": due.isoformat(),
                }
            )
        )
