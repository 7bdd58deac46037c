"""Checks shared by the edit services and the registry import.

Each check returns plain-language problems (empty when all is well), so the import can
collect every problem of a file before refusing it, and a form can show each problem next
to its field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from readmit.agreements.choices import (
    BOOLEAN_RULES,
    PERIOD_UNITS,
    ClockStart,
    Confidence,
    RuleKey,
    RuleUnit,
)

LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")
# The rule's value column (IntegerField) holds at most this on every supported database:
# a technical limit, not a legal one.
RULE_VALUE_MAX = 2_147_483_647


def _choices(choices: Any) -> str:
    return ", ".join(choices.values)


def check_confidence(value: object) -> list[str]:
    if value not in Confidence.values:
        return [
            _("Confidence %(value)r is not one of %(choices)s.")
            % {"value": value, "choices": _choices(Confidence)}
        ]
    return []


def check_dates(
    *, signed: dt.date | None, entry_into_force: dt.date | None, end: dt.date | None
) -> dict[str, list[str]]:
    """Entry into force not before signature; the end after both."""
    problems: dict[str, list[str]] = {}
    if signed and entry_into_force and entry_into_force < signed:
        problems["entry_into_force"] = [
            _("Entry into force (%(in_force)s) cannot be before the signature (%(signed)s).")
            % {"in_force": entry_into_force.isoformat(), "signed": signed.isoformat()}
        ]
    start = entry_into_force or signed
    if end and start and end <= start:
        problems["end"] = [
            _("The end (%(end)s) must come after the %(event)s (%(start)s).")
            % {
                "end": end.isoformat(),
                "event": _("entry into force") if entry_into_force else _("signature"),
                "start": start.isoformat(),
            }
        ]
    return problems


def check_languages(value: object) -> list[str]:
    if not isinstance(value, list):
        return [_("Languages must be a list of ISO 639 codes such as 'en' or 'az'.")]
    problems = [
        _("Language %(code)r is not an ISO 639 code (2 or 3 lower-case letters).") % {"code": code}
        for code in value
        if not isinstance(code, str) or not LANGUAGE_PATTERN.match(code)
    ]
    if len(set(map(str, value))) != len(value):
        problems.append(_("A language is listed twice."))
    return problems


def check_rule(
    *,
    key: object,
    value: object,
    unit: object,
    clock_start: object,
    source: object,
    confidence: object,
) -> dict[str, list[str]]:
    """A rule's key, unit, value, clock start, source and confidence fit together."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if key not in RuleKey.values:
        add(
            "key",
            _("Rule %(key)r is not one of %(choices)s.")
            % {"key": key, "choices": _choices(RuleKey)},
        )
    if unit not in RuleUnit.values:
        add(
            "unit",
            _("Unit %(unit)r is not one of %(choices)s.")
            % {"unit": unit, "choices": _choices(RuleUnit)},
        )
    elif key in BOOLEAN_RULES and unit != RuleUnit.BOOLEAN:
        add(
            "unit", _("The rule %(key)s is a yes/no rule: its unit must be boolean.") % {"key": key}
        )
    elif key in RuleKey.values and key not in BOOLEAN_RULES and unit not in PERIOD_UNITS:
        add(
            "unit",
            _("The rule %(key)s is a period: its unit must be one of %(units)s.")
            % {"key": key, "units": ", ".join(sorted(PERIOD_UNITS))},
        )
    if unit == RuleUnit.BOOLEAN:
        if not isinstance(value, bool):
            add("value", _("A yes/no rule takes true or false, not %(value)r.") % {"value": value})
        if clock_start not in (None, ""):
            add("clock_start", _("A yes/no rule has no clock start."))
    elif unit in PERIOD_UNITS:
        if isinstance(value, bool) or not isinstance(value, int):
            add("value", _("A period takes a whole number, not %(value)r.") % {"value": value})
        elif value <= 0:
            add("value", _("A period must be positive (got %(value)s).") % {"value": value})
        elif value > RULE_VALUE_MAX:
            add(
                "value",
                _(
                    "A period can be at most %(max)d, the largest number the database can store (got %(value)s)."
                )
                % {"max": RULE_VALUE_MAX, "value": value},
            )
    if clock_start not in (None, "") and clock_start not in ClockStart.values:
        add(
            "clock_start",
            _("Clock start %(event)r is not one of %(choices)s.")
            % {"event": clock_start, "choices": _choices(ClockStart)},
        )
    if not isinstance(source, str) or not source.strip():
        add("source", _("Every legal value needs its source (act and article)."))
    for message in check_confidence(confidence):
        add("confidence", message)
    return problems
