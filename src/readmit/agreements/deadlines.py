"""Deadlines of a readmission application, computed from an agreement's configured rules.

Pure functions on top of `readmit.core.calendar`: no database, no clock, no state. The
caller hands in the rules in force (a mapping of rule key to `RuleValue`, built by
`selectors.rules_on`), the dates of the events and the country whose calendar applies.

Choices made here (see docs/deadlines.md):

* Periods follow Regulation (EEC, Euratom) No 1182/71 Art. 3 through `add_period`.
* Calendar-day and month periods ending on a non-working day roll forward to the next
  working day (Art. 3(4)) unless the agreement has a `roll_forward` rule saying no.
* One calendar per computation: the state that must act. For the reply that is the
  requested state; the caller passes it in.
* An extension is added to the last day of the period *before* any roll-forward: the
  extended period is one period of (reply + extension) days whose end rolls forward once.
* A pause stops the clock: the days that were left when it stopped are counted again
  from the day the clock resumed (that day itself not counted).
* A value that is not configured is None, with a plain reason in `missing`; nothing is
  guessed.

Reasons, warnings and errors are written in the active language when they are built (the
request's), with dates as that language writes them; legal sources stay as cited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from readmit.agreements.choices import ClockStart, Confidence, RuleKey, RuleUnit, weakest
from readmit.core.calendar import (
    InvalidPeriod,
    Unit,
    add_period,
    estimated_holidays,
    next_working_day,
    working_days_between,
)
from readmit.core.i18n import local_date

ROLL_FORWARD_DEFAULT_LAW = "Regulation (EEC, Euratom) No 1182/71 Art. 3(4)"


def _label(choices: type[RuleUnit] | type[ClockStart] | type[Confidence], value: str) -> str:
    """The value's label in the active language; the value itself if it is not a choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Procedure:
    NORMAL = "normal"
    ACCELERATED = "accelerated"
    ALL = ("normal", "accelerated")


@dataclass(frozen=True)
class RuleValue:
    """A rule as it applies on a given day: the agreement's, or a protocol's override."""

    key: str
    value: int | bool
    unit: str
    clock_start: str
    valid_from: dt.date
    source: str
    confidence: str
    note: str = ""
    origin: str = ""  # "EU-GE" or "EU-GE protocol AT"

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "clock_start": self.clock_start or None,
            "valid_from": self.valid_from.isoformat(),
            "source": self.source,
            "confidence": self.confidence,
            "note": self.note,
            "origin": self.origin,
        }


# --------------------------------------------------------------------------------------
# One period, and the events that move its end
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A period that started on `start`: `end` is its last day, `due` the day to act by.

    `due` differs from `end` only when the roll-forward moved it off a non-working day.
    `unit` is the unit the period is counted in (it decides how a pause counts).
    """

    start: dt.date
    end: dt.date
    due: dt.date
    unit: str
    country: str
    roll_forward: bool


def _rolls(unit: str, roll_forward: bool) -> bool:
    # A working-day period always ends on a working day; only the others can roll.
    return roll_forward and unit != Unit.WORKING_DAYS


def _due(end: dt.date, unit: str, country: str, roll_forward: bool) -> dt.date:
    # Reg. 1182/71 Art. 3(4): a period ending on a non-working day ends on the next working day.
    return next_working_day(country, end) if _rolls(unit, roll_forward) else end


def period_deadline(
    *, start: dt.date, amount: int, unit: str, country: str, roll_forward: bool = True
) -> Deadline:
    """The deadline of a period of `amount` `unit` from an event on `start`."""
    if unit == RuleUnit.BOOLEAN:
        raise InvalidPeriod(_("A yes/no rule is not a period."))
    end = add_period(start=start, amount=amount, unit=unit, country=country)
    return Deadline(
        start=start,
        end=end,
        due=_due(end, unit, country, roll_forward),
        unit=unit,
        country=country,
        roll_forward=roll_forward,
    )


@dataclass(frozen=True)
class Extension:
    """The period is extended by `amount` `unit` (granted or notified on `on`)."""

    on: dt.date
    amount: int
    unit: str


@dataclass(frozen=True)
class Pause:
    """The clock stops after `paused_on` and runs again after `resumed_on` (None: still stopped)."""

    paused_on: dt.date
    resumed_on: dt.date | None = None


def deadline_extend(
    deadline: Deadline, *, amount: int, unit: str, maximum: RuleValue | None = None
) -> Deadline:
    """Add an extension to the period's last day (before roll-forward) and roll once."""
    if maximum is not None:
        if maximum.unit != unit:
            raise InvalidPeriod(
                _("The extension is in %(unit)s but the agreement's maximum is in %(maximum)s.")
                % {"unit": _label(RuleUnit, unit), "maximum": _label(RuleUnit, maximum.unit)}
            )
        if isinstance(amount, int) and amount > int(maximum.value):
            raise InvalidPeriod(
                _(
                    "An extension of %(amount)s %(unit)s is more than the agreement allows "
                    "(%(maximum)s %(maximum_unit)s, %(source)s)."
                )
                % {
                    "amount": amount,
                    "unit": _label(RuleUnit, unit),
                    "maximum": maximum.value,
                    "maximum_unit": _label(RuleUnit, maximum.unit),
                    "source": maximum.source,
                }
            )
    end = add_period(start=deadline.end, amount=amount, unit=unit, country=deadline.country)
    return replace(deadline, end=end, due=_due(end, unit, deadline.country, deadline.roll_forward))


def deadline_pause(deadline: Deadline, *, paused_on: dt.date, resumed_on: dt.date) -> Deadline:
    """Stop the clock after `paused_on`, restart it after `resumed_on`.

    The days left in (paused_on, end] are counted again from `resumed_on`, in working days
    for a working-day period and in calendar days otherwise (a month period paused half-way
    goes on with the calendar days it had left). A pause that starts on or after the last
    day changes nothing: the period had already run.
    """
    if paused_on < deadline.start:
        raise InvalidPeriod(
            _("The clock cannot be paused on %(paused)s, before the period started (%(start)s).")
            % {"paused": local_date(paused_on), "start": local_date(deadline.start)}
        )
    if resumed_on < paused_on:
        raise InvalidPeriod(
            _("The clock cannot resume on %(resumed)s, before it was paused (%(paused)s).")
            % {"resumed": local_date(resumed_on), "paused": local_date(paused_on)}
        )
    if paused_on >= deadline.end:
        return deadline
    if deadline.unit == Unit.WORKING_DAYS:
        left = working_days_between(deadline.country, paused_on, deadline.end)
        count_unit = Unit.WORKING_DAYS
    else:
        left = (deadline.end - paused_on).days
        count_unit = Unit.CALENDAR_DAYS
    end = add_period(start=resumed_on, amount=left, unit=count_unit, country=deadline.country)
    return replace(
        deadline, end=end, due=_due(end, deadline.unit, deadline.country, deadline.roll_forward)
    )


def deadline_recompute(deadline: Deadline, events: Sequence[Extension | Pause]) -> Deadline | None:
    """Apply extensions and pauses in date order. None while a pause has not ended."""

    def when(event: Extension | Pause) -> dt.date:
        return event.on if isinstance(event, Extension) else event.paused_on

    current = deadline
    for event in sorted(events, key=when):
        if isinstance(event, Extension):
            current = deadline_extend(current, amount=event.amount, unit=event.unit)
        elif event.resumed_on is None:
            return None
        else:
            current = deadline_pause(
                current, paused_on=event.paused_on, resumed_on=event.resumed_on
            )
    return current


# --------------------------------------------------------------------------------------
# The deadlines of one application
# --------------------------------------------------------------------------------------


@dataclass
class DeadlineReport:
    agreement: str
    procedure: str
    received: dt.date
    acknowledged: dt.date | None
    accepted: dt.date | None
    calendar: str
    roll_forward: bool
    reply_due: dt.date | None = None
    reply_due_extended: dt.date | None = None
    tacit_acceptance: bool | None = None
    transfer_due: dt.date | None = None
    td_issue_due: dt.date | None = None
    clock_start: dict[str, dict[str, str | None]] = field(default_factory=dict)
    sources: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, str | None] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    rules: dict[str, RuleValue] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def iso(day: dt.date | None) -> str | None:
            return None if day is None else day.isoformat()

        return {
            "agreement": self.agreement,
            "procedure": self.procedure,
            "received": iso(self.received),
            "acknowledged": iso(self.acknowledged),
            "accepted": iso(self.accepted),
            **self.context,
            "calendar": self.calendar,
            "roll_forward": self.roll_forward,
            "reply_due": iso(self.reply_due),
            "reply_due_extended": iso(self.reply_due_extended),
            "tacit_acceptance": self.tacit_acceptance,
            "transfer_due": iso(self.transfer_due),
            "td_issue_due": iso(self.td_issue_due),
            "clock_start": self.clock_start,
            "sources": self.sources,
            "confidence": self.confidence,
            "why_null": self.missing,
            "rules": {key: rule.as_json() for key, rule in sorted(self.rules.items())},
            "warnings": self.warnings,
        }


_OUTPUTS = ("reply_due", "reply_due_extended", "tacit_acceptance", "transfer_due", "td_issue_due")
# The outputs named inside a sentence (the warning about unverified values).
_OUTPUT_NAMES = {
    "reply_due": gettext_lazy("reply deadline"),
    "reply_due_extended": gettext_lazy("extended reply deadline"),
    "tacit_acceptance": gettext_lazy("tacit acceptance"),
    "transfer_due": gettext_lazy("transfer deadline"),
    "td_issue_due": gettext_lazy("travel-document deadline"),
}


def roll_forward_setting(rules: Mapping[str, RuleValue]) -> tuple[bool, str]:
    rule = rules.get(RuleKey.ROLL_FORWARD)
    if rule is None:
        return True, _("%(law)s (default: the agreement has no roll_forward rule)") % {
            "law": ROLL_FORWARD_DEFAULT_LAW
        }
    return bool(rule.value), rule.source


def compute_deadlines(
    *,
    agreement: str,
    rules: Mapping[str, RuleValue],
    received: dt.date,
    country: str,
    procedure: str = Procedure.NORMAL,
    acknowledged: dt.date | None = None,
    accepted: dt.date | None = None,
) -> DeadlineReport:
    """Reply, extended reply, tacit acceptance, transfer and TD deadlines of one application.

    `country` is the calendar of the state that must act (the requested state).
    """
    if procedure not in Procedure.ALL:
        raise InvalidPeriod(
            _("Unknown procedure %(procedure)r; expected normal or accelerated.")
            % {"procedure": procedure}
        )
    if acknowledged is not None and acknowledged < received:
        raise InvalidPeriod(
            _(
                "The acknowledgement (%(acknowledged)s) cannot come before the receipt (%(received)s)."
            )
            % {"acknowledged": local_date(acknowledged), "received": local_date(received)}
        )
    if accepted is not None and accepted < received:
        raise InvalidPeriod(
            _("The acceptance (%(accepted)s) cannot come before the receipt (%(received)s).")
            % {"accepted": local_date(accepted), "received": local_date(received)}
        )
    roll_forward, roll_source = roll_forward_setting(rules)
    report = DeadlineReport(
        agreement=agreement,
        procedure=procedure,
        received=received,
        acknowledged=acknowledged,
        accepted=accepted,
        calendar=country,
        roll_forward=roll_forward,
    )
    if RuleKey.ROLL_FORWARD in rules:
        report.rules[RuleKey.ROLL_FORWARD] = rules[RuleKey.ROLL_FORWARD]
    report.sources["roll_forward"] = roll_source

    # The reply (CH-AZ Art. 8(2): from the acknowledgement of receipt; EU-Serbia: from receipt).
    reply_key = (
        RuleKey.REPLY_PERIOD_NORMAL
        if procedure == Procedure.NORMAL
        else RuleKey.REPLY_PERIOD_ACCELERATED
    )
    reply_rule = rules.get(reply_key)
    reply: Deadline | None = None
    if reply_rule is None:
        no_reply_period = (
            _("No normal-procedure reply period is configured for %(agreement)s on %(day)s.")
            if procedure == Procedure.NORMAL
            else _(
                "No accelerated-procedure reply period is configured for %(agreement)s on %(day)s."
            )
        )
        report.missing["reply_due"] = no_reply_period % {
            "agreement": agreement,
            "day": local_date(received),
        }
    else:
        start = _reply_start(report, reply_rule, received, acknowledged)
        reply = period_deadline(
            start=start,
            amount=int(reply_rule.value),
            unit=reply_rule.unit,
            country=country,
            roll_forward=roll_forward,
        )
        report.reply_due = reply.due
        _record(report, "reply_due", reply_rule, start)

    # The extended reply: only for the normal procedure, whose period the extension lengthens.
    extension = rules.get(RuleKey.REPLY_EXTENSION_MAX)
    if extension is None:
        report.missing["reply_due_extended"] = _(
            "No maximum extension of the reply period is configured for %(agreement)s."
        ) % {"agreement": agreement}
    elif procedure == Procedure.ACCELERATED:
        report.rules[extension.key] = extension
        report.missing["reply_due_extended"] = _(
            "Not computed for the accelerated procedure: the configured extension lengthens "
            "the normal reply period."
        )
    elif reply is None or reply_rule is None:
        report.rules[extension.key] = extension
        report.missing["reply_due_extended"] = _(
            "The extension cannot be computed without a reply period."
        )
    else:
        extended = deadline_extend(reply, amount=int(extension.value), unit=extension.unit)
        report.reply_due_extended = extended.due
        report.rules[extension.key] = extension
        report.clock_start["reply_due_extended"] = dict(report.clock_start["reply_due"])
        report.sources["reply_due_extended"] = f"{reply_rule.source} | {extension.source}"
        report.confidence["reply_due_extended"] = weakest(
            reply_rule.confidence, extension.confidence
        )

    tacit = rules.get(RuleKey.TACIT_ACCEPTANCE)
    if tacit is None:
        report.missing["tacit_acceptance"] = _(
            "Whether silence means acceptance is not configured for %(agreement)s: on expiry, "
            "treat the application as overdue, not as accepted."
        ) % {"agreement": agreement}
    else:
        report.tacit_acceptance = bool(tacit.value)
        _record(report, "tacit_acceptance", tacit, None)

    # After acceptance: transfer and travel document (both acts of the requested state's side
    # at its border or consulate, so the same calendar).
    for output, key in (
        ("transfer_due", RuleKey.TRANSFER_PERIOD),
        ("td_issue_due", RuleKey.TD_ISSUE_PERIOD),
    ):
        rule = rules.get(key)
        if rule is None:
            report.missing[output] = _("No “%(rule)s” rule is configured for %(agreement)s.") % {
                "rule": key.label,
                "agreement": agreement,
            }
        elif accepted is None:
            report.rules[key] = rule
            report.missing[output] = _("Give the date of acceptance to compute it.")
        else:
            deadline = period_deadline(
                start=accepted,
                amount=int(rule.value),
                unit=rule.unit,
                country=country,
                roll_forward=roll_forward,
            )
            setattr(report, output, deadline.due)
            _record(report, output, rule, accepted)

    for output in _OUTPUTS:
        report.sources.setdefault(output, None)
        report.confidence.setdefault(output, None)
    _warn_about_estimated_holidays(report, country)
    _warn_about_confidence(report)
    return report


def _warn_about_estimated_holidays(report: DeadlineReport, country: str) -> None:
    """A date counted over a holiday whose day the data only estimates may move with it."""
    for output in _OUTPUTS:
        due = getattr(report, output, None)
        start = (report.clock_start.get(output) or {}).get("date")
        if not isinstance(due, dt.date) or not start:
            continue
        days = estimated_holidays(country, dt.date.fromisoformat(start), due)
        if days:
            report.warnings.append(
                _(
                    "The %(output)s counts over holidays whose day is estimated (a lunar "
                    "calendar's, fixed by sighting or announcement): %(days)s. If the requested "
                    "state announces another day, the date may move."
                )
                % {
                    "output": _OUTPUT_NAMES[output],
                    "days": ", ".join(f"{local_date(day)} ({name})" for day, name in days.items()),
                }
            )


def _reply_start(
    report: DeadlineReport, rule: RuleValue, received: dt.date, acknowledged: dt.date | None
) -> dt.date:
    if rule.clock_start == ClockStart.ACKNOWLEDGEMENT:
        if acknowledged is not None:
            return acknowledged
        report.warnings.append(
            _(
                "The reply period of %(agreement)s runs from the acknowledgement of receipt "
                "(%(source)s). No acknowledgement date was given, so the receipt date "
                "%(received)s was used: if receipt was acknowledged later, the reply is due later."
            )
            % {
                "agreement": report.agreement,
                "source": rule.source,
                "received": local_date(received),
            }
        )
        return received
    if rule.clock_start not in ("", ClockStart.RECEIPT):
        report.warnings.append(
            _("The reply period of %(agreement)s runs from %(event)s; the receipt date was used.")
            % {"agreement": report.agreement, "event": _label(ClockStart, rule.clock_start)}
        )
    return received


def _record(report: DeadlineReport, output: str, rule: RuleValue, start: dt.date | None) -> None:
    report.rules[rule.key] = rule
    if start is not None:
        report.clock_start[output] = {"event": rule.clock_start or None, "date": start.isoformat()}
    report.sources[output] = rule.source
    report.confidence[output] = rule.confidence


def _warn_about_confidence(report: DeadlineReport) -> None:
    weak = [
        _("%(output)s (%(confidence)s)")
        % {
            "output": _OUTPUT_NAMES[output],
            "confidence": _label(Confidence, report.confidence[output] or ""),
        }
        for output in _OUTPUTS
        if report.confidence.get(output) not in (None, "verified")
    ]
    if weak:
        report.warnings.append(
            _(
                "Not verified against a primary text: %(outputs)s. Confirm the values "
                "against the Official Journal before relying on them (see each rule's note)."
            )
            % {"outputs": ", ".join(weak)}
        )
