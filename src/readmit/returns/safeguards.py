"""Safeguard stops: what must hold before an application is submitted or a transfer goes ahead.

Issue 4: "An application cannot be submitted, and a transfer cannot be notified or carried
out, while an appeal with suspensive effect or an asylum application is pending, while a
postponement for non-refoulement applies, or for an unaccompanied minor without a recorded
guardian and confirmed reception arrangement (§3, Art. 10 of the Return Directive)", and
"no forced transfer is scheduled before [the voluntary-departure period] ends unless it was
refused or shortened with a recorded reason".

Each stop names the facts it rests on (`facts`, e.g. {"appeal:12"}). A supervisor's
override covers those facts; when a new blocking fact appears (another appeal, a new
assessment, a later end of the voluntary-departure period) the stop blocks again.

The readmission app calls `require_clear(case, purpose=..., on=...)` in its submit and
transfer services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from readmit.core.errors import DomainError
from readmit.core.timeutil import today as local_today
from readmit.returns.choices import (
    AppealStatus,
    AsylumStatus,
    CheckPurpose,
    PostponementReason,
    StopCode,
)
from readmit.returns.models import ReturnCase, SafeguardOverride
from readmit.returns.selectors import current_decision, current_vulnerability

PURPOSES = frozenset(CheckPurpose.values)
BOTH = (CheckPurpose.SUBMIT_APPLICATION.value, CheckPurpose.TRANSFER.value)
TRANSFER_ONLY = (CheckPurpose.TRANSFER.value,)


@dataclass(frozen=True)
class SafeguardStop:
    code: str
    message: str  # what is wrong, in plain words, without personal data
    what_clears_it: str
    source: str  # the legal source, e.g. "Return Directive Art. 9(1)"
    purposes: tuple[str, ...] = BOTH  # what it blocks
    facts: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OverriddenStop:
    stop: SafeguardStop
    override: SafeguardOverride


@dataclass(frozen=True)
class SafeguardReport:
    stops: list[SafeguardStop]  # every stop that applies
    overridden: list[OverriddenStop]  # those a current override lifts
    blocking: list[SafeguardStop]  # those that block

    @property
    def clear(self) -> bool:
        return not self.blocking


class SafeguardStopped(DomainError):
    code = "safeguard_stop"
    http_status = 409

    def __init__(self, stops: list[SafeguardStop]) -> None:
        self.stops = list(stops)
        lines = "; ".join(f"{s.message} {s.what_clears_it}" for s in self.stops)
        super().__init__(
            _("This cannot go ahead because of a safeguard: %(stops)s") % {"stops": lines}
        )


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown purpose {purpose!r}; expected one of {sorted(PURPOSES)}.")


def safeguard_stops(
    case: ReturnCase, *, purpose: str, on: dt.date | None = None
) -> list[SafeguardStop]:
    """Every safeguard stop that applies to the case on `on` for `purpose`
    ("submit_application" or "transfer"), overridden or not."""
    _check_purpose(purpose)
    on = on or local_today()
    stops: list[SafeguardStop] = []
    postponements = [p for p in case.postponements.all() if p.applies_on(on)]

    appeals = case.appeals.filter(status=AppealStatus.PENDING, suspensive_effect=True)
    facts = {f"appeal:{a.pk}" for a in appeals}
    facts |= {
        f"postponement:{p.pk}"
        for p in postponements
        if p.reason == PostponementReason.SUSPENSIVE_APPEAL
    }
    if facts:
        stops.append(
            SafeguardStop(
                StopCode.SUSPENSIVE_APPEAL_PENDING,
                _("An appeal with suspensive effect is pending."),
                _("Record the decision on the appeal or its withdrawal, or end the postponement."),
                "Return Directive Art. 9(1)(b), Art. 13(2)",
                facts=frozenset(facts),
            )
        )

    asylum = list(
        case.asylum_applications.filter(status__in=[AsylumStatus.PENDING, AsylumStatus.GRANTED])
    )
    pending = {f"asylum:{a.pk}" for a in asylum if a.status == AsylumStatus.PENDING}
    if pending:
        stops.append(
            SafeguardStop(
                StopCode.ASYLUM_APPLICATION_PENDING,
                _("An asylum application is pending."),
                _(
                    "Record the decision on the asylum application (rejected, inadmissible) or its withdrawal."
                ),
                "Return Directive recital 9 (no illegal stay while the application is examined)",
                facts=frozenset(pending),
            )
        )
    granted = {f"asylum:{a.pk}" for a in asylum if a.status == AsylumStatus.GRANTED}
    if granted:
        stops.append(
            SafeguardStop(
                StopCode.PROTECTION_GRANTED,
                _("International protection was granted."),
                _("The person is not staying illegally: cancel the return case."),
                "Return Directive Art. 2(1), Art. 3(2), recital 9",
                facts=frozenset(granted),
            )
        )

    refoulement = {
        f"postponement:{p.pk}"
        for p in postponements
        if p.reason == PostponementReason.NON_REFOULEMENT
    }
    if refoulement:
        stops.append(
            SafeguardStop(
                StopCode.NON_REFOULEMENT_POSTPONEMENT,
                _("Removal is postponed because it would breach the principle of non-refoulement."),
                _("End the postponement once the risk has been reassessed."),
                "Return Directive Art. 9(1)(a), Art. 5",
                facts=frozenset(refoulement),
            )
        )

    assessment = current_vulnerability(case)
    if assessment is not None and assessment.unaccompanied_minor:
        fact = frozenset({f"vulnerability:{assessment.pk}"})
        if not assessment.guardian_recorded:
            stops.append(
                SafeguardStop(
                    StopCode.UNACCOMPANIED_MINOR_NO_GUARDIAN,
                    _("The person is an unaccompanied minor and no guardian is recorded."),
                    _("Record a new vulnerability assessment with the guardian."),
                    "Return Directive Art. 10",
                    facts=fact,
                )
            )
        if not assessment.reception_arrangement_confirmed:
            stops.append(
                SafeguardStop(
                    StopCode.UNACCOMPANIED_MINOR_NO_RECEPTION,
                    _(
                        "The person is an unaccompanied minor and no reception arrangement is confirmed."
                    ),
                    _(
                        "Record a new vulnerability assessment confirming return to a family member, "
                        "a nominated guardian or adequate reception facilities."
                    ),
                    "Return Directive Art. 10(2)",
                    facts=fact,
                )
            )

    decision = current_decision(case)
    end = decision.vd_effective_end if decision is not None else None
    if purpose == CheckPurpose.TRANSFER and decision is not None and end is not None and on <= end:
        stops.append(
            SafeguardStop(
                StopCode.VOLUNTARY_DEPARTURE_RUNNING,
                _("The period for voluntary departure has not ended."),
                _(
                    "Wait until the period has ended, or record that it was refused or shortened "
                    "with a reason (risk of absconding, manifestly unfounded or fraudulent "
                    "application, risk to public policy or security)."
                ),
                "Return Directive Art. 7(1), 7(4), Art. 8(1)",
                purposes=TRANSFER_ONLY,
                facts=frozenset({f"decision:{decision.pk}:{end.isoformat()}"}),
            )
        )
    return [s for s in stops if purpose in s.purposes]


def safeguards_check(
    case: ReturnCase, *, purpose: str, on: dt.date | None = None
) -> SafeguardReport:
    """The stops that apply, split into those a supervisor's override lifts and those that
    block."""
    stops = safeguard_stops(case, purpose=purpose, on=on)
    overrides = list(case.overrides.select_related("by").order_by("-at", "-pk"))
    overridden: list[OverriddenStop] = []
    blocking: list[SafeguardStop] = []
    for stop in stops:
        match = next(
            (o for o in overrides if o.code == stop.code and stop.facts <= o.fact_set), None
        )
        if match is None:
            blocking.append(stop)
        else:
            overridden.append(OverriddenStop(stop, match))
    return SafeguardReport(stops=stops, overridden=overridden, blocking=blocking)


def require_clear(case: ReturnCase, *, purpose: str, on: dt.date | None = None) -> SafeguardReport:
    """Raise `SafeguardStopped` (409) while any stop blocks `purpose`; else the report, whose
    `overridden` list says which overrides the caller relies on."""
    report = safeguards_check(case, purpose=purpose, on=on)
    if report.blocking:
        raise SafeguardStopped(report.blocking)
    return report


@dataclass(frozen=True)
class SafeguardRow:
    """One stop as the case page shows it: what it blocks and any override that lifts it."""

    stop: SafeguardStop
    override: SafeguardOverride | None
    blocks: tuple[str, ...]  # labels of the purposes it blocks

    @property
    def blocking(self) -> bool:
        return self.override is None


def safeguard_overview(case: ReturnCase, on: dt.date | None = None) -> list[SafeguardRow]:
    """Every stop on the case, blocking ones first."""
    # The transfer check is the widest: every stop that blocks a submission also blocks it.
    report = safeguards_check(case, purpose=CheckPurpose.TRANSFER, on=on)
    overrides = {o.stop.code: o.override for o in report.overridden}
    rows = [
        SafeguardRow(
            stop,
            overrides.get(stop.code),
            tuple(str(CheckPurpose(p).label) for p in stop.purposes),
        )
        for stop in report.stops
    ]
    return sorted(rows, key=lambda r: not r.blocking)
