"""A date in the future where it cannot be: refused with the field named, and nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.core.errors import ValidationFailed
from readmit.returns import services as rs
from readmit.returns.models import ReturnCase

from .dates import days_ago, days_ahead

pytestmark = pytest.mark.django_db


def _rows() -> tuple[int, ...]:
    returns = apps.get_app_config("returns").get_models()
    return (*(m.objects.count() for m in returns), AuditEntry.objects.count())


FUTURE: dict[str, tuple[str, Callable[[User, int], Any]]] = {
    "return decision": (
        "decided_on",
        lambda u, c: rs.decision_record(
            actor=u, case_id=c, issuing_authority="LEA Berlin", decided_on=days_ahead(2),
            vd_granted=False, vd_refusal_reason="risk_of_absconding",
        ),
    ),
    "appeal lodged": (
        "lodged_on",
        lambda u, c: rs.appeal_record(
            actor=u, case_id=c, lodged_on=days_ahead(1), body="Administrative court",
            suspensive_effect=True,
        ),
    ),
    "asylum application lodged": (
        "lodged_on",
        lambda u, c: rs.asylum_record(actor=u, case_id=c, lodged_on=days_ahead(3)),
    ),
    "detention start": (
        "start",
        lambda u, c: rs.detention_start(
            actor=u, case_id=c, start=days_ahead(1), ground="risk_of_absconding",
            ordered_on=days_ago(1),
        ),
    ),
    "vulnerability assessment": (
        "assessed_on",
        lambda u, c: rs.vulnerability_assess(actor=u, case_id=c, assessed_on=days_ahead(5)),
    ),
}  # fmt: skip


@pytest.mark.parametrize("what", list(FUTURE))
def test_a_future_date_is_refused_naming_the_field_and_nothing_is_saved(
    what: str, make_case: Callable[..., ReturnCase], officer: User
) -> None:
    field, call = FUTURE[what]
    case = make_case()
    before = _rows()
    with pytest.raises(ValidationFailed) as caught:
        call(officer, case.pk)
    assert field in caught.value.fields
    assert any("future" in m for m in caught.value.fields[field])
    assert _rows() == before


def test_today_is_not_the_future(make_case: Callable[..., ReturnCase], officer: User) -> None:
    case = make_case()
    appeal = rs.appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(0), body="Administrative court",
        suspensive_effect=False,
    )  # fmt: skip
    assert appeal.pk is not None
