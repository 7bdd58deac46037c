"""The return case: references, scope, the transition table, readiness, the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from readmit.core.timeutil import today
from readmit.persons.models import Person
from readmit.returns.models import ReturnCase
from readmit.returns.selectors import case_get, case_list, case_timeline, readiness
from readmit.returns.services import (
    TRANSITIONS,
    appeal_record,
    availability_set,
    case_cancel,
    case_close,
    case_create,
    case_mark_documented,
    case_mark_identified,
    case_mark_ready,
    case_record_return,
    case_reopen,
    postponement_add,
    risk_of_absconding_set,
)
from tests.returns.dates import days_ago, days_ahead

pytestmark = pytest.mark.django_db


def test_references_are_numbered_per_authority_and_year_without_personal_data(
    make_case: Callable[..., ReturnCase],
) -> None:
    first, second = make_case(), make_case()
    year = today().year
    assert first.reference.startswith(f"DE-LEA-BERLIN-{year}-")
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1
    assert "MAMMADOV" not in first.reference.upper()
    other = make_case(actor="nl-officer")
    assert other.reference == f"NL-DTV-{year}-000001"


def test_one_active_case_per_person(make_person: Callable[..., Person], officer: User) -> None:
    person = make_person()
    case = case_create(actor=officer, person_id=person.pk)
    with pytest.raises(Conflict) as caught:
        case_create(actor=officer, person_id=person.pk)
    assert case.reference in caught.value.message


def test_cases_exist_only_for_their_authority(
    make_person: Callable[..., Person],
    make_case: Callable[..., ReturnCase],
    persona: Callable[[str], User],
) -> None:
    person = make_person()
    with pytest.raises(NotFound):
        case_create(actor=persona("nl-officer"), person_id=person.pk)
    with pytest.raises(Forbidden):
        case_create(actor=persona("de-readonly"), person_id=person.pk)
    case = make_case()
    for stranger in ("nl-officer", "az-officer", "az-consul", "de-admin"):
        with pytest.raises(NotFound):
            case_get(viewer=persona(stranger), case_id=case.pk)
    assert case_get(viewer=persona("de-readonly"), case_id=case.pk) == case
    with pytest.raises(Forbidden):
        appeal_record(actor=persona("de-readonly"), case_id=case.pk, lodged_on=days_ago(1), body="VG",
                      suspensive_effect=True)  # fmt: skip
    with pytest.raises(NotFound):
        appeal_record(actor=persona("nl-officer"), case_id=case.pk, lodged_on=days_ago(1), body="VG",
                      suspensive_effect=True)  # fmt: skip
    assert [c.pk for c in case_list(viewer=persona("nl-officer"))] == []
    assert case.pk in [c.pk for c in case_list(viewer=persona("de-readonly"))]


@pytest.mark.parametrize(
    ("setup", "attempt"),
    [
        ([], "close"),
        ([], "reopen"),
        (["cancel"], "reopen"),
        (["cancel"], "record_return"),
        (["record_return"], "cancel"),
        (["record_return", "close"], "reopen"),
    ],
)
def test_illegal_transitions_are_refused(
    setup: list[str], attempt: str, make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    steps = {
        "cancel": lambda: case_cancel(actor=officer, case_id=case.pk, reason="Regularised"),
        "record_return": lambda: case_record_return(
            actor=officer, case_id=case.pk, actual_departure=days_ago(1)
        ),
        "close": lambda: case_close(actor=officer, case_id=case.pk),
        "reopen": lambda: case_reopen(actor=officer, case_id=case.pk),
    }
    for step in setup:
        steps[step]()
    with pytest.raises(IllegalTransition) as caught:
        steps[attempt]()
    assert caught.value.http_status == 409
    assert "cannot be changed this way" in caught.value.message


def test_the_transition_table_is_explicit() -> None:
    assert TRANSITIONS["closed"] == {} and TRANSITIONS["cancelled"] == {}
    assert TRANSITIONS["open"]["mark_ready"] == "ready_for_return"


def test_a_case_is_ready_when_identified_documented_available_and_nothing_suspends(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    with pytest.raises(Conflict) as caught:
        case_mark_ready(actor=officer, case_id=case.pk)
    assert "identified, documented, available" in caught.value.message
    # The readmission app records identification and documents as the system (actor=None).
    case_mark_identified(
        actor=None, case_id=case.pk, on=days_ago(2), source="readmission.application:1"
    )
    case_mark_documented(
        actor=None, case_id=case.pk, on=days_ago(1), source="readmission.application:1"
    )
    availability_set(actor=officer, case_id=case.pk, availability="whereabouts_known")
    case = ReturnCase.objects.get(pk=case.pk)
    assert readiness(case).ready
    assert not readiness(case, days_ago(2)).documented
    assert not readiness(case, documented=False).ready
    postponement_add(
        actor=officer, case_id=case.pk, reason="suspensive_appeal", starts_on=days_ago(0)
    )
    state = readiness(case)
    assert not state.no_suspensive_procedure and not state.ready
    entry = AuditEntry.objects.get(action="returns.case.identified", object_id=str(case.pk))
    assert entry.actor_id is None and entry.changes["source"] == "readmission.application:1"


def test_mark_ready_then_return_then_close(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    case_mark_identified(actor=officer, case_id=case.pk, on=days_ago(2))
    case_mark_documented(actor=officer, case_id=case.pk, on=days_ago(1))
    availability_set(actor=officer, case_id=case.pk, availability="in_custody")
    assert case_mark_ready(actor=officer, case_id=case.pk).status == "ready_for_return"
    with pytest.raises(ValidationFailed) as caught:
        case_record_return(actor=officer, case_id=case.pk, actual_departure=days_ahead(1))
    assert "actual_departure" in caught.value.fields
    case = case_record_return(actor=officer, case_id=case.pk, actual_departure=days_ago(0))
    assert case.status == "returned" and case.actual_departure == days_ago(0)
    assert case_close(actor=officer, case_id=case.pk).status == "closed"
    with pytest.raises(Conflict):
        appeal_record(
            actor=officer,
            case_id=case.pk,
            lodged_on=days_ago(0),
            body="VG",
            suspensive_effect=False,
        )
    actions = list(AuditEntry.objects.filter(object_type="returns.returncase", object_id=str(case.pk))
                   .values_list("action", flat=True))  # fmt: skip
    for action in ("returns.case.created", "returns.case.mark_ready", "returns.case.record_return",
                   "returns.case.close", "returns.case.availability_set"):  # fmt: skip
        assert action in actions
    labels = [e.label for e in case_timeline(case)]
    assert labels[0] == "Closed" and labels[-1] == "Return case registered"


def test_cancelling_needs_a_reason(make_case: Callable[..., ReturnCase], officer: User) -> None:
    case = make_case()
    with pytest.raises(ValidationFailed):
        case_cancel(actor=officer, case_id=case.pk, reason="  ")
    case = case_cancel(actor=officer, case_id=case.pk, reason="Residence permit granted")
    assert case.status == "cancelled"


def test_the_risk_of_absconding_needs_its_criteria(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    with pytest.raises(ValidationFailed) as caught:
        risk_of_absconding_set(actor=officer, case_id=case.pk, risk=True, assessed_on=days_ahead(1))
    assert {"reason", "assessed_on"} <= set(caught.value.fields)
    case = risk_of_absconding_set(actor=officer, case_id=case.pk, risk=True, reason="No fixed address",
                                  assessed_on=days_ago(1))  # fmt: skip
    assert case.risk_of_absconding is True
    entry = AuditEntry.objects.get(action="returns.case.risk_of_absconding_set")
    assert entry.changes["reason"] == "No fixed address"
    # The case timeline keeps codes and dates only: free text stays in the audit trail.
    event = case_timeline(case)[0]
    assert "reason" not in event.detail and event.detail["risk"] is True


def test_every_change_is_audited_in_its_own_authority(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(1), body="VG", suspensive_effect=True
    )
    entry = AuditEntry.objects.get(action="returns.appeal.recorded")
    assert entry.owner_authority_id == case.owner_authority_id
    assert entry.changes["case"] == case.pk and entry.changes["suspensive_effect"] is True
