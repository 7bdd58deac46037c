"""The return case: opening it, its workflow (an explicit transition table), readiness
facts (identified, documented, available) and the risk of absconding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, require
from readmit.audit.services import AuditInput, audit_record_many
from readmit.core.bulk import rows_insert, spanning
from readmit.core.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from readmit.core.timeutil import today as local_today
from readmit.persons.models import Person
from readmit.returns.choices import ACTIVE_STATUSES, Availability, CaseAction, CaseStatus
from readmit.returns.models import CaseEvent, CaseReferenceCounter, ReturnCase
from readmit.returns.selectors import readiness
from readmit.returns.services._base import Errors, lock_case, locked_case, record_change

if TYPE_CHECKING:
    from readmit.accounts.models import Authority, User


def _next_reference(authority: Authority, year: int) -> str:
    return reserve_references(authority, year, 1)[0]


def reserve_references(authority: Authority, year: int, count: int) -> list[str]:
    """The next `count` case references of the authority, e.g. DE-LEA-BERLIN-2026-000123.

    The counter row is locked, so two officers registering cases at once never get the same
    number.
    """
    counter = (
        CaseReferenceCounter.objects.select_for_update()
        .filter(authority=authority, year=year)
        .first()
    )
    if counter is None:
        try:
            with transaction.atomic():
                counter = CaseReferenceCounter.objects.create(authority=authority, year=year)
        except IntegrityError:  # created concurrently
            counter = CaseReferenceCounter.objects.select_for_update().get(
                authority=authority, year=year
            )
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    prefix = authority.code.upper()
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


# --- The case -----------------------------------------------------------------------------------


@transaction.atomic
def case_create(*, actor: User, person_id: int) -> ReturnCase:
    """Open a return case for a person of the actor's authority (one active case a person)."""
    person = (
        Person.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound(_("Not found, or not visible to you."))
    require(actor, Capability.EDIT_RETURN_CASE)
    active = ReturnCase.objects.filter(person=person, status__in=ACTIVE_STATUSES).first()
    if active is not None:
        raise Conflict(
            _("This person already has an active return case: %(reference)s.")
            % {"reference": active.reference},
            code="active_case_exists",
        )
    now = timezone.now()
    authority = person.owner_authority
    case = ReturnCase.objects.create(
        owner_authority=authority,
        person=person,
        reference=_next_reference(authority, timezone.localdate(now).year),
        created_by=actor,
    )
    record_change(
        actor=actor,
        case=case,
        action="case.created",
        obj=case,
        changes={"reference": case.reference, "person": person.pk},
        at=now,
    )
    return case


def cases_create_bulk(*, actor: User, person_ids: Sequence[int]) -> list[int]:
    """Open a case for each of these persons at once (the bulk import), under the same rules
    as `case_create`: the actor's own persons only, one active case a person, references from
    the locked counter, a case event and an audit entry for each case. Call it inside the
    caller's transaction. Returns the new cases' ids, in the persons' order."""
    require(actor, Capability.EDIT_RETURN_CASE)
    if not person_ids:
        return []
    ids = list(person_ids)
    unique = set(ids)
    visible = Person.objects.visible_to(actor).filter(spanning("pk", unique))
    if not unique <= set(visible.values_list("pk", flat=True)):
        raise NotFound(_("Not found, or not visible to you."))
    active = ReturnCase.objects.filter(spanning("person_id", unique), status__in=ACTIVE_STATUSES)
    if len(unique) != len(ids) or not unique.isdisjoint(active.values_list("person_id", flat=True)):
        raise Conflict(_("A person already has an active return case."), code="active_case_exists")
    now = timezone.now()
    authority = actor.authority
    assert authority is not None
    references = reserve_references(authority, timezone.localdate(now).year, len(ids))
    case_ids = rows_insert(
        ReturnCase,
        [
            {
                "owner_authority_id": authority.pk,
                "person_id": p,
                "reference": ref,
                "created_by_id": actor.pk,
            }
            for p, ref in zip(ids, references, strict=True)
        ],
        now=now,
    )
    rows_insert(
        CaseEvent,
        [
            {
                "case_id": c,
                "at": now,
                "action": "case.created",
                "actor_id": actor.pk,
                "detail": {"reference": ref},
            }
            for c, ref in zip(case_ids, references, strict=True)
        ],
        now=now,
    )
    label = ReturnCase._meta.label_lower
    audit_record_many(
        actor=actor,
        at=now,
        entries=(
            AuditInput(
                action="returns.case.created",
                owner_authority_id=authority.pk,
                changes={"case": c, "reference": ref, "person": p},
                object_type=label,
                object_id=c,
            )
            for c, ref, p in zip(case_ids, references, ids, strict=True)
        ),
    )
    return case_ids


# The workflow of a return case: status → action → next status.
TRANSITIONS: dict[str, dict[str, str]] = {
    CaseStatus.OPEN: {
        CaseAction.MARK_READY: CaseStatus.READY_FOR_RETURN,
        CaseAction.RECORD_RETURN: CaseStatus.RETURNED,
        CaseAction.CANCEL: CaseStatus.CANCELLED,
    },
    CaseStatus.READY_FOR_RETURN: {
        CaseAction.REOPEN: CaseStatus.OPEN,
        CaseAction.RECORD_RETURN: CaseStatus.RETURNED,
        CaseAction.CANCEL: CaseStatus.CANCELLED,
    },
    CaseStatus.RETURNED: {CaseAction.CLOSE: CaseStatus.CLOSED},
    CaseStatus.CLOSED: {},
    CaseStatus.CANCELLED: {},
}


def allowed_actions(case: ReturnCase) -> list[str]:
    return list(TRANSITIONS.get(case.status, {}))


def _transition(
    *,
    actor: User,
    case_id: int,
    action: str,
    guard: Callable[[ReturnCase], None] | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> ReturnCase:
    case = lock_case(case_id, actor)
    require(actor, Capability.EDIT_RETURN_CASE)
    target = TRANSITIONS.get(case.status, {}).get(action)
    if target is None:
        raise IllegalTransition(
            _("A case that is %(status)s cannot be changed this way (%(action)s).")
            % {"status": CaseStatus(case.status).label, "action": CaseAction(action).label}
        )
    if guard is not None:
        guard(case)
    previous = case.status
    case.status = target
    for field, value in (changes or {}).items():
        setattr(case, field, value)
    case.save()
    record_change(
        actor=actor,
        case=case,
        action=f"case.{action}",
        obj=case,
        changes={"from": previous, "to": target, **(changes or {})},
        reason=reason,
    )
    return case


def case_mark_ready(*, actor: User, case_id: int, on: dt.date | None = None) -> ReturnCase:
    """Open → ready for return, when the IRMA readiness flags all hold (DOMAIN.md §5.9)."""
    on = on or local_today()

    def guard(case: ReturnCase) -> None:
        state = readiness(case, on)
        if not state.ready:
            raise Conflict(
                _("The case is not ready for return yet. Missing: %(missing)s.")
                % {"missing": ", ".join(state.missing)},
                code="not_ready",
            )

    with transaction.atomic():
        return _transition(actor=actor, case_id=case_id, action=CaseAction.MARK_READY, guard=guard)


@transaction.atomic
def case_reopen(*, actor: User, case_id: int) -> ReturnCase:
    return _transition(actor=actor, case_id=case_id, action=CaseAction.REOPEN)


@transaction.atomic
def case_record_return(
    *, actor: User, case_id: int, actual_departure: dt.date | None
) -> ReturnCase:
    """The person left (voluntarily or removed) on `actual_departure`; the entry ban runs
    from that day (CJEU C-225/16 Ouhrami)."""

    def guard(case: ReturnCase) -> None:
        errors = Errors()
        errors.required("actual_departure", actual_departure, _("Enter the day the person left."))
        errors.not_future("actual_departure", actual_departure, local_today())
        errors.raise_if_any(_("The departure was not recorded."))

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.RECORD_RETURN,
        guard=guard,
        changes={"actual_departure": actual_departure},
    )


@transaction.atomic
def case_close(*, actor: User, case_id: int) -> ReturnCase:
    return _transition(actor=actor, case_id=case_id, action=CaseAction.CLOSE)


@transaction.atomic
def case_cancel(*, actor: User, case_id: int, reason: str) -> ReturnCase:
    reason = reason.strip()

    def guard(case: ReturnCase) -> None:
        errors = Errors()
        errors.required("reason", reason, _("Say why the case is cancelled."))
        errors.raise_if_any(_("The case was not cancelled."))

    return _transition(
        actor=actor,
        case_id=case_id,
        action=CaseAction.CANCEL,
        guard=guard,
        changes={"cancel_reason": reason},
        reason=reason,
    )


def case_transition(
    *,
    actor: User,
    case_id: int,
    action: str,
    actual_departure: dt.date | None = None,
    reason: str = "",
) -> ReturnCase:
    """One entry point for the web form: the action names the transition service."""
    if action == CaseAction.MARK_READY:
        return case_mark_ready(actor=actor, case_id=case_id)
    if action == CaseAction.REOPEN:
        return case_reopen(actor=actor, case_id=case_id)
    if action == CaseAction.RECORD_RETURN:
        return case_record_return(actor=actor, case_id=case_id, actual_departure=actual_departure)
    if action == CaseAction.CLOSE:
        return case_close(actor=actor, case_id=case_id)
    if action == CaseAction.CANCEL:
        return case_cancel(actor=actor, case_id=case_id, reason=reason)
    raise ValidationFailed(
        _("Unknown action."), fields={"action": [_("Choose an action offered.")]}
    )


def _mark(*, actor: User | None, case_id: int, on: dt.date, source: str, what: str) -> ReturnCase:
    errors = Errors()
    errors.not_future("on", on, local_today())
    errors.raise_if_any(_("The case was not updated."))
    # actor=None: derived by the system from the readmission application (see below).
    case = lock_case(case_id, None) if actor is None else locked_case(actor, case_id)
    setattr(case, f"{what}_on", on)
    setattr(case, f"{what}_source", source.strip()[:200])
    case.save(update_fields=[f"{what}_on", f"{what}_source", "updated_at"])
    record_change(
        actor=actor,
        case=case,
        action=f"case.{what}",
        obj=case,
        changes={"on": on, "source": source},
    )
    return case


@transaction.atomic
def case_mark_identified(
    *, actor: User | None, case_id: int, on: dt.date, source: str = ""
) -> ReturnCase:
    """The requested state identified the person (accepted reply, or tacit acceptance).

    `actor=None` when the readmission app derives it from the requested state's reply (the
    requested state's user cannot see the case); `source` then says which application, e.g.
    "readmission.application:42". No capability check applies to `actor=None`.
    """
    return _mark(actor=actor, case_id=case_id, on=on, source=source, what="identified")


@transaction.atomic
def case_mark_documented(
    *, actor: User | None, case_id: int, on: dt.date, source: str = ""
) -> ReturnCase:
    """A valid travel document is available (issued by the requested state, or an EU travel
    document). `actor=None` as for `case_mark_identified`."""
    return _mark(actor=actor, case_id=case_id, on=on, source=source, what="documented")


@transaction.atomic
def availability_set(
    *, actor: User, case_id: int, availability: str, on: dt.date | None = None
) -> ReturnCase:
    """In custody, in an alternative to detention, whereabouts known or not (IRMA)."""
    today = local_today()
    on = on or today
    errors = Errors()
    errors.choice(
        "availability", availability, Availability.values, _("Choose one of the options.")
    )
    errors.not_future("on", on, today)
    errors.raise_if_any(_("The availability was not recorded."))
    case = locked_case(actor, case_id)
    case.availability = availability
    case.availability_on = on
    case.save(update_fields=["availability", "availability_on", "updated_at"])
    record_change(
        actor=actor,
        case=case,
        action="case.availability_set",
        obj=case,
        changes={"availability": availability, "on": on},
    )
    return case


@transaction.atomic
def risk_of_absconding_set(
    *, actor: User, case_id: int, risk: bool, reason: str = "", assessed_on: dt.date | None = None
) -> ReturnCase:
    today = local_today()
    reason = reason.strip()
    errors = Errors()
    errors.required("assessed_on", assessed_on, _("Enter the date of the assessment."))
    errors.not_future("assessed_on", assessed_on, today)
    if risk:
        errors.required("reason", reason, _("Give the objective criteria the risk rests on."))
    errors.raise_if_any(_("The assessment was not recorded."))
    case = locked_case(actor, case_id)
    case.risk_of_absconding = risk
    case.risk_of_absconding_reason = reason
    case.risk_of_absconding_on = assessed_on
    case.save(
        update_fields=[
            "risk_of_absconding",
            "risk_of_absconding_reason",
            "risk_of_absconding_on",
            "updated_at",
        ]
    )
    record_change(
        actor=actor,
        case=case,
        action="case.risk_of_absconding_set",
        obj=case,
        changes={"risk": risk, "reason": reason, "on": assessed_on},
    )
    return case
