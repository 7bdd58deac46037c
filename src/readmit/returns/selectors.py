"""Reads of return cases, always starting from `ReturnCase.objects.visible_to(viewer)`.

As in `readmit.persons.selectors`, the selectors that hand a case to an interface write the
access-log entry themselves (the case and its person are personal data). The derived views
of an already fetched case (`detention_total`, `readiness`, `entry_ban_end`, the timeline)
take the case and do not log again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from readmit.accounts.capabilities import Capability, require
from readmit.audit.services import access_log_record
from readmit.core.pagination import keyset_page
from readmit.core.scoping import get_visible
from readmit.core.timeutil import today as local_today
from readmit.returns.choices import (
    AVAILABLE,
    AppealStatus,
    AsylumStatus,
    PolicyKey,
    PostponementReason,
)
from readmit.returns.models import (
    CaseEvent,
    DetentionEpisode,
    ReturnCase,
    ReturnDecision,
    VulnerabilityAssessment,
)
from readmit.returns.policy import period_end, period_end_or_none, policy_rule, rule_in_days

if TYPE_CHECKING:
    from readmit.accounts.models import User
    from readmit.returns.models import PolicyRule


def _log(viewer: User, cases: list[ReturnCase], purpose: str) -> None:
    records: list[tuple[str, str | int, int | None]] = []
    for case in cases:
        records.append(("returns.returncase", case.pk, case.owner_authority_id))
        records.append(("persons.person", case.person_id, case.owner_authority_id))
    if records:
        access_log_record(actor=viewer, records=records, purpose=purpose)


def _cases(viewer: User, filters: Mapping[str, Any] | None) -> QuerySet[ReturnCase]:
    require(viewer, Capability.VIEW_CASES)
    filters = filters or {}
    cases = ReturnCase.objects.visible_to(viewer).select_related("person")
    if filters.get("status"):
        cases = cases.filter(status=filters["status"])
    query = str(filters.get("query") or "").strip()
    if query:
        cases = cases.filter(
            Q(reference__icontains=query) | Q(person__search_text__contains=query.casefold())
        )
    return cases


def case_list(
    *, viewer: User, filters: Mapping[str, Any] | None = None, limit: int = 100
) -> list[ReturnCase]:
    """The viewer's authority's cases, newest first; filters: status, query (reference or
    the person's name or document number). At most `limit`, access-logged."""
    rows = list(_cases(viewer, filters)[:limit])
    _log(viewer, rows, "return case list")
    return rows


def case_page(
    *,
    viewer: User,
    filters: Mapping[str, Any] | None = None,
    cursor: str | None = None,
    limit: int = 50,
    purpose: str = "api return case list",
) -> tuple[list[ReturnCase], str | None]:
    """`case_list` as cursor pages, newest first (the API's and the web list); access-logged."""
    rows, next_cursor = keyset_page(_cases(viewer, filters), cursor=cursor, limit=limit)
    _log(viewer, rows, purpose)
    return rows, next_cursor


def case_get(*, viewer: User, case_id: int, purpose: str = "return case page") -> ReturnCase:
    """One case of the viewer's authority (404 otherwise), access-logged with `purpose`."""
    queryset = ReturnCase.objects.visible_to(viewer).select_related(
        "person", "owner_authority", "owner_authority__state"
    )
    case = get_visible(queryset, pk=case_id)
    _log(viewer, [case], purpose)
    return case


def current_decision(case: ReturnCase) -> ReturnDecision | None:
    return case.decisions.filter(replaced_at__isnull=True).first()


def current_vulnerability(case: ReturnCase) -> VulnerabilityAssessment | None:
    return case.vulnerability_assessments.order_by("-assessed_on", "-pk").first()


def _state_code(case: ReturnCase) -> str:
    return str(case.owner_authority.state_id)


def case_policy(case: ReturnCase, key: str, *, on: dt.date) -> PolicyRule | None:
    """The policy rule that applies to the case's authority's state on `on`."""
    return policy_rule(key, on=on, state=_state_code(case))


def transfer_to_record(case: ReturnCase) -> tuple[str, dt.date] | None:
    """(application reference, day) of the person's first transfer under one of the case's
    readmission applications, while the case has no departure recorded: the departure is what
    an entry ban runs from, and the officer records it (nothing else does)."""
    if case.actual_departure is not None:
        return None
    row = (
        case.applications.filter(persons__role="principal", persons__transferred_on__isnull=False)
        .order_by("persons__transferred_on")
        .values_list("reference", "persons__transferred_on")
        .first()
    )
    return (row[0], row[1]) if row and row[1] is not None else None


def entry_ban_end(case: ReturnCase, decision: ReturnDecision | None = None) -> dt.date | None:
    """When the entry ban ends: its length counted from the actual departure (CJEU C-225/16
    Ouhrami). None while there is no ban or the person has not left, and when the end would
    fall after the last date the calendar can hold (reading a case never fails on it)."""
    decision = decision if decision is not None else current_decision(case)
    if decision is None or not decision.entry_ban_imposed or case.actual_departure is None:
        return None
    if not decision.entry_ban_length or not decision.entry_ban_unit:
        return None
    return period_end_or_none(
        case.actual_departure, decision.entry_ban_length, decision.entry_ban_unit
    )


# --- Detention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetentionTotal:
    """All detention of the person so far (CJEU C-357/09 Kadzoev: every period counts),
    against the configured caps (Return Directive Art. 15(5)-(6)).

    Months are counted as calendar months from the first day of the first episode, so a
    cap in days is exactly as long as one uninterrupted detention from that day could last.
    """

    days: int
    initial_cap_days: int | None  # Art. 15(5)
    total_cap_days: int | None  # Art. 15(5) + (6)
    extended: bool  # an extension decision (Art. 15(6)) is recorded
    ongoing: bool
    initial_rule: PolicyRule | None
    extension_rule: PolicyRule | None

    @property
    def cap_days(self) -> int | None:
        """The cap that applies now: the initial maximum, or the total once extended."""
        return self.total_cap_days if self.extended else self.initial_cap_days

    @property
    def configured(self) -> bool:
        return self.cap_days is not None

    @property
    def over_cap(self) -> bool:
        return self.cap_days is not None and self.days > self.cap_days

    @property
    def text(self) -> str:
        if self.cap_days is None:
            return _("%(days)d days (cap not configured)") % {"days": self.days}
        return _("%(days)d of %(cap)d days") % {"days": self.days, "cap": self.cap_days}


def episode_days(episode: DetentionEpisode, on: dt.date) -> int:
    """Days in detention up to and including `on`, the first and the last day included."""
    last = min(episode.end or on, on)
    return max((last - episode.start).days + 1, 0)


def person_detentions(case: ReturnCase) -> list[DetentionEpisode]:
    """Every detention episode of the case's person, in all the person's cases."""
    return list(DetentionEpisode.objects.filter(case__person_id=case.person_id).order_by("start"))


def detention_caps(
    case: ReturnCase, *, anchor: dt.date, on: dt.date
) -> tuple[int | None, int | None, PolicyRule | None, PolicyRule | None]:
    """(initial cap days, total cap days, initial rule, extension rule) from `anchor`."""
    initial = case_policy(case, PolicyKey.DETENTION_INITIAL_MAX, on=on)
    extension = case_policy(case, PolicyKey.DETENTION_EXTENSION_MAX, on=on)
    initial_days = rule_in_days(initial, anchor=anchor) if initial else None
    total_days = None
    if initial is not None and extension is not None:
        initial_end = period_end(anchor, initial.value, initial.unit)
        total_days = (initial_days or 0) + rule_in_days(extension, anchor=initial_end)
    return initial_days, total_days, initial, extension


def detention_total(case: ReturnCase, on: dt.date | None = None) -> DetentionTotal:
    on = on or local_today()
    episodes = person_detentions(case)
    anchor = episodes[0].start if episodes else on
    initial_days, total_days, initial, extension = detention_caps(case, anchor=anchor, on=on)
    return DetentionTotal(
        days=sum(episode_days(e, on) for e in episodes),
        initial_cap_days=initial_days,
        total_cap_days=total_days,
        extended=any(e.extended for e in episodes),
        ongoing=any(e.end is None for e in episodes),
        initial_rule=initial,
        extension_rule=extension,
    )


# --- Readiness (Frontex IRMA, DOMAIN.md §5.9) ---------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    identified: bool
    documented: bool
    available: bool
    no_suspensive_procedure: bool

    @property
    def ready(self) -> bool:
        return (
            self.identified and self.documented and self.available and self.no_suspensive_procedure
        )

    @property
    def missing(self) -> list[str]:
        labels = READINESS_LABELS
        return [str(labels[f]) for f in READINESS_FLAGS if not getattr(self, f)]


READINESS_FLAGS = ("identified", "documented", "available", "no_suspensive_procedure")
READINESS_LABELS = {
    "identified": gettext_lazy("identified"),
    "documented": gettext_lazy("documented"),
    "available": gettext_lazy("available"),
    "no_suspensive_procedure": gettext_lazy("no procedure with suspensive effect"),
}


def suspensive_procedure_pending(case: ReturnCase, on: dt.date) -> bool:
    """An appeal with suspensive effect or an asylum application is pending, or removal is
    postponed because of a suspensive appeal."""
    if case.appeals.filter(status=AppealStatus.PENDING, suspensive_effect=True).exists():
        return True
    if case.asylum_applications.filter(status=AsylumStatus.PENDING).exists():
        return True
    postponements = case.postponements.filter(reason=PostponementReason.SUSPENSIVE_APPEAL)
    return any(p.applies_on(on) for p in postponements)


def readiness(
    case: ReturnCase,
    on: dt.date | None = None,
    *,
    identified: bool | None = None,
    documented: bool | None = None,
) -> Readiness:
    """IRMA dataset 3 "ready to be returned": identified, documented, available, and no
    procedure with suspensive effect. `identified` and `documented` default to the case's
    own dates (set by `case_mark_identified` / `case_mark_documented`); the readmission app
    may pass what it knows instead."""
    on = on or local_today()
    return Readiness(
        identified=(
            identified
            if identified is not None
            else case.identified_on is not None and case.identified_on <= on
        ),
        documented=(
            documented
            if documented is not None
            else case.documented_on is not None and case.documented_on <= on
        ),
        available=case.availability in AVAILABLE,
        no_suspensive_procedure=not suspensive_procedure_pending(case, on),
    )


# --- Timeline ------------------------------------------------------------------------------------

EVENT_LABELS: dict[str, Any] = {
    "case.created": gettext_lazy("Return case registered"),
    "case.mark_ready": gettext_lazy("Marked ready for return"),
    "case.reopen": gettext_lazy("Reopened"),
    "case.record_return": gettext_lazy("Departure recorded"),
    "case.close": gettext_lazy("Closed"),
    "case.cancel": gettext_lazy("Cancelled"),
    "case.identified": gettext_lazy("Person identified"),
    "case.documented": gettext_lazy("Travel document available"),
    "case.availability_set": gettext_lazy("Availability recorded"),
    "case.risk_of_absconding_set": gettext_lazy("Risk of absconding assessed"),
    "decision.recorded": gettext_lazy("Return decision recorded"),
    "decision.replaced": gettext_lazy("Return decision replaced"),
    "decision.vd_extended": gettext_lazy("Voluntary departure extended"),
    "decision.vd_shortened": gettext_lazy("Voluntary departure shortened"),
    "decision.vd_refused": gettext_lazy("Voluntary departure refused"),
    "decision.entry_ban_set": gettext_lazy("Entry ban recorded"),
    "appeal.recorded": gettext_lazy("Appeal lodged"),
    "appeal.decided": gettext_lazy("Appeal decided or withdrawn"),
    "asylum.recorded": gettext_lazy("Asylum application lodged"),
    "asylum.decided": gettext_lazy("Asylum application decided"),
    "detention.started": gettext_lazy("Detention started"),
    "detention.ended": gettext_lazy("Detention ended"),
    "detention.extended": gettext_lazy("Detention extended"),
    "postponement.added": gettext_lazy("Removal postponed"),
    "postponement.ended": gettext_lazy("Postponement ended"),
    "vulnerability.assessed": gettext_lazy("Vulnerability assessed"),
    "safeguard.overridden": gettext_lazy("Safeguard stop overridden"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    label: str
    actor: str
    detail: dict[str, Any]


def case_timeline(case: ReturnCase) -> list[TimelineEntry]:
    """What happened to the case, newest first."""
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("-at", "-pk")
    return [
        TimelineEntry(
            at=e.at,
            action=e.action,
            label=str(EVENT_LABELS.get(e.action, e.action)),
            actor=e.actor.get_username() if e.actor else _("system"),
            detail=e.detail,
        )
        for e in events
    ]
