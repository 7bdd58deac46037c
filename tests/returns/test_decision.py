"""The return decision: voluntary departure within the configured range, the entry ban from
the actual departure, replacing a decision with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.core.errors import Conflict, ValidationFailed
from readmit.core.timeutil import today
from readmit.returns.choices import PolicyKey
from readmit.returns.models import PolicyRule, ReturnCase, ReturnDecision
from readmit.returns.policy import period_end, policy_rule
from readmit.returns.selectors import current_decision, entry_ban_end
from readmit.returns.services import (
    case_record_return,
    decision_record,
    entry_ban_set,
    vd_extend,
)
from tests.returns.dates import days_ago, days_ahead

pytestmark = pytest.mark.django_db


def _record(officer: User, case: ReturnCase, **overrides: Any) -> ReturnDecision:
    values: dict[str, Any] = {"issuing_authority": "LEA Berlin", "decided_on": days_ago(3), "vd_granted": False,
                              "vd_refusal_reason": "risk_of_absconding"}  # fmt: skip
    values.update(overrides)
    return decision_record(actor=officer, case_id=case.pk, **values)


def _vd_bounds() -> tuple[int, int]:
    shortest = policy_rule(PolicyKey.VOLUNTARY_DEPARTURE_MIN, on=today())
    longest = policy_rule(PolicyKey.VOLUNTARY_DEPARTURE_MAX, on=today())
    assert shortest is not None and longest is not None and shortest.unit == longest.unit == "days"
    return shortest.value, longest.value


def test_a_period_within_the_configured_range_is_accepted(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    shortest, longest = _vd_bounds()
    start = days_ago(2)
    for length in (shortest, longest):
        case = make_case()
        decision = _record(officer, case, vd_granted=True, vd_refusal_reason="", vd_start=start,
                           vd_end=start + dt.timedelta(days=length))  # fmt: skip
        assert decision.vd_effective_end == start + dt.timedelta(days=length)


@pytest.mark.parametrize("which", ["too_short", "too_long"])
def test_a_period_outside_the_configured_range_is_refused(
    which: str, make_case: Callable[..., ReturnCase], officer: User
) -> None:
    shortest, longest = _vd_bounds()
    length = shortest - 1 if which == "too_short" else longest + 1
    start = days_ago(2)
    case = make_case()
    with pytest.raises(ValidationFailed) as caught:
        _record(officer, case, vd_granted=True, vd_refusal_reason="", vd_start=start,
                vd_end=start + dt.timedelta(days=length))  # fmt: skip
    assert "vd_end" in caught.value.fields
    assert "Art. 7" in caught.value.fields["vd_end"][0]
    assert current_decision(case) is None


def test_without_configured_limits_any_period_is_accepted(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    PolicyRule.objects.filter(key__startswith="voluntary_departure").delete()
    case = make_case()
    decision = _record(
        officer,
        case,
        vd_granted=True,
        vd_refusal_reason="",
        vd_start=days_ago(2),
        vd_end=days_ago(1),
    )
    assert decision.vd_granted


def test_dates_and_a_missing_refusal_reason_are_named(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    with pytest.raises(ValidationFailed) as caught:
        _record(officer, case, issuing_authority=" ", decided_on=days_ahead(1), notified_on=days_ahead(2),
                vd_refusal_reason="")  # fmt: skip
    assert {"issuing_authority", "decided_on", "notified_on", "vd_refusal_reason"} <= set(
        caught.value.fields
    )
    with pytest.raises(ValidationFailed) as caught:
        _record(officer, case, decided_on=days_ago(3), notified_on=days_ago(4))
    assert caught.value.fields["notified_on"] == ["This date cannot be before the decision date."]


def test_a_second_decision_replaces_the_first_only_with_a_reason(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    first = _record(officer, case)
    with pytest.raises(ValidationFailed) as caught:
        _record(officer, case, reference="RD-2")
    assert "replacement_reason" in caught.value.fields
    second = _record(
        officer, case, reference="RD-2", replacement_reason="Annulled by the court; new decision"
    )
    first.refresh_from_db()
    assert first.replaced_at is not None and first.replacement_reason.startswith("Annulled")
    assert current_decision(case) == second
    assert AuditEntry.objects.filter(
        action="returns.decision.replaced", object_id=str(first.pk)
    ).exists()
    assert AuditEntry.objects.filter(
        action="returns.decision.recorded", object_id=str(second.pk)
    ).exists()


def test_the_entry_ban_runs_from_the_actual_departure(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    decision = _record(
        officer, case, entry_ban_imposed=True, entry_ban_length=2, entry_ban_unit="years"
    )
    assert entry_ban_end(case, decision) is None, "unknown until the person has left"
    left = days_ago(1)
    case = case_record_return(actor=officer, case_id=case.pk, actual_departure=left)
    assert entry_ban_end(case) == period_end(left, 2, "years")


def test_a_ban_beyond_the_configured_maximum_needs_a_serious_threat(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    longest = policy_rule(PolicyKey.ENTRY_BAN_MAX, on=today())
    assert longest is not None
    case = make_case()
    _record(officer, case)
    with pytest.raises(ValidationFailed) as caught:
        entry_ban_set(
            actor=officer,
            case_id=case.pk,
            imposed=True,
            length=longest.value + 1,
            unit=longest.unit,
        )
    assert "entry_ban_longer_reason" in caught.value.fields
    entry_ban_set(
        actor=officer, case_id=case.pk, imposed=True, length=longest.value, unit=longest.unit
    )
    decision = entry_ban_set(actor=officer, case_id=case.pk, imposed=True, length=longest.value + 1,
                             unit=longest.unit, longer_reason="Convicted of a serious offence")  # fmt: skip
    assert decision.entry_ban_length == longest.value + 1
    with pytest.raises(ValidationFailed) as caught:
        entry_ban_set(actor=officer, case_id=case.pk, imposed=True, length=0, unit="weeks")
    assert {"entry_ban_length", "entry_ban_unit"} <= set(caught.value.fields)


def test_the_period_can_only_be_changed_once_granted(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    with pytest.raises(Conflict):
        vd_extend(actor=officer, case_id=case.pk, until=days_ahead(5), reason="school")
    _record(officer, case)
    with pytest.raises(Conflict):
        vd_extend(actor=officer, case_id=case.pk, until=days_ahead(5), reason="school")
