"""Safeguard stops: each appears, blocks, is cleared by the right fact, and can be overridden
by a supervisor with a reason until a new blocking fact appears."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from readmit.returns.models import ReturnCase
from readmit.returns.safeguards import (
    SafeguardStopped,
    require_clear,
    safeguard_stops,
    safeguards_check,
)
from readmit.returns.services import (
    appeal_decide,
    appeal_record,
    asylum_decide,
    asylum_record,
    decision_record,
    postponement_add,
    postponement_end,
    safeguard_override,
    vd_extend,
    vd_refuse,
    vd_shorten,
    vulnerability_assess,
)
from tests.returns.dates import days_ago, days_ahead

pytestmark = pytest.mark.django_db

PURPOSES = ("submit_application", "transfer")
REASON = "Court confirmed by phone that the appeal was dismissed; written decision follows."


def codes(case: ReturnCase, purpose: str, on: dt.date | None = None) -> set[str]:
    return {s.code for s in safeguard_stops(case, purpose=purpose, on=on)}


def blocking(case: ReturnCase, purpose: str = "transfer", on: dt.date | None = None) -> set[str]:
    return {s.code for s in safeguards_check(case, purpose=purpose, on=on).blocking}


def _grant_vd(officer: User, case: ReturnCase, start: dt.date, end: dt.date) -> None:
    decision_record(actor=officer, case_id=case.pk, issuing_authority="LEA Berlin", decided_on=start,
                    vd_granted=True, vd_start=start, vd_end=end)  # fmt: skip


def test_a_new_case_is_clear(make_case: Callable[..., ReturnCase]) -> None:
    case = make_case()
    for purpose in PURPOSES:
        assert safeguard_stops(case, purpose=purpose) == []
        assert require_clear(case, purpose=purpose).clear


def test_an_unknown_purpose_is_a_programming_error(make_case: Callable[..., ReturnCase]) -> None:
    with pytest.raises(ValueError):
        safeguard_stops(make_case(), purpose="lunch")


def test_a_pending_suspensive_appeal_blocks_both_until_decided(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    appeal_record(
        actor=officer,
        case_id=case.pk,
        lodged_on=days_ago(3),
        body="VG Berlin",
        suspensive_effect=False,
    )
    assert codes(case, "transfer") == set(), "an appeal without suspensive effect does not stop"
    appeal = appeal_record(actor=officer, case_id=case.pk, lodged_on=days_ago(2), body="VG Berlin",
                           suspensive_effect=True)  # fmt: skip
    for purpose in PURPOSES:
        assert codes(case, purpose) == {"suspensive_appeal_pending"}
        with pytest.raises(SafeguardStopped) as caught:
            require_clear(case, purpose=purpose)
        assert caught.value.code == "safeguard_stop" and caught.value.http_status == 409
        assert "An appeal with suspensive effect is pending." in caught.value.message
        assert "Mammadov" not in caught.value.message  # no personal data
    appeal_decide(actor=officer, case_id=case.pk, appeal_id=appeal.pk, status="decided", decided_on=days_ago(0),
                  outcome="dismissed")  # fmt: skip
    assert codes(case, "transfer") == set()
    require_clear(case, purpose="transfer")


def test_a_withdrawn_appeal_clears_the_stop(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    appeal = appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(2), body="VG", suspensive_effect=True
    )
    appeal_decide(
        actor=officer,
        case_id=case.pk,
        appeal_id=appeal.pk,
        status="withdrawn",
        decided_on=days_ago(1),
    )
    assert codes(case, "submit_application") == set()


def test_a_pending_asylum_application_blocks_until_rejected(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    application = asylum_record(actor=officer, case_id=case.pk, lodged_on=days_ago(10))
    for purpose in PURPOSES:
        assert codes(case, purpose) == {"asylum_application_pending"}
        with pytest.raises(SafeguardStopped):
            require_clear(case, purpose=purpose)
    asylum_decide(actor=officer, case_id=case.pk, application_id=application.pk, status="rejected",
                  decided_on=days_ago(1))  # fmt: skip
    assert codes(case, "transfer") == set()


def test_granted_protection_stops_for_good(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    application = asylum_record(actor=officer, case_id=case.pk, lodged_on=days_ago(10))
    asylum_decide(actor=officer, case_id=case.pk, application_id=application.pk, status="granted",
                  decided_on=days_ago(1))  # fmt: skip
    assert codes(case, "submit_application") == {"protection_granted"}


def test_a_non_refoulement_postponement_blocks_while_it_applies(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    postponement = postponement_add(
        actor=officer, case_id=case.pk, reason="non_refoulement", starts_on=days_ago(3)
    )
    for purpose in PURPOSES:
        assert codes(case, purpose) == {"non_refoulement_postponement"}
    assert codes(case, "transfer", on=days_ago(4)) == set(), "not before it starts"
    postponement_end(actor=officer, case_id=case.pk, postponement_id=postponement.pk)
    assert codes(case, "transfer") == set()


def test_a_postponement_whose_end_has_passed_no_longer_applies(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    postponement_add(actor=officer, case_id=case.pk, reason="non_refoulement", starts_on=days_ago(30),
                     until=days_ago(1))  # fmt: skip
    assert codes(case, "transfer") == set()
    assert codes(case, "transfer", on=days_ago(1)) == {"non_refoulement_postponement"}


def test_optional_postponements_are_not_stops_but_a_suspensive_appeal_one_is(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    for reason in ("health", "technical", "no_identification"):
        postponement_add(actor=officer, case_id=case.pk, reason=reason, starts_on=days_ago(1))
    assert codes(case, "transfer") == set()
    postponement_add(
        actor=officer, case_id=case.pk, reason="suspensive_appeal", starts_on=days_ago(1)
    )
    assert codes(case, "transfer") == {"suspensive_appeal_pending"}


def test_an_unaccompanied_minor_needs_a_guardian_and_a_reception_arrangement(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case(birth_year=2011)
    vulnerability_assess(
        actor=officer, case_id=case.pk, assessed_on=days_ago(5), unaccompanied_minor=True
    )
    for purpose in PURPOSES:
        assert codes(case, purpose) == {
            "unaccompanied_minor_no_guardian",
            "unaccompanied_minor_no_reception",
        }
    vulnerability_assess(actor=officer, case_id=case.pk, assessed_on=days_ago(2), unaccompanied_minor=True,
                         guardian_recorded=True, guardian_body="Jugendamt Berlin-Mitte")  # fmt: skip
    assert codes(case, "transfer") == {"unaccompanied_minor_no_reception"}
    vulnerability_assess(
        actor=officer, case_id=case.pk, assessed_on=days_ago(1), unaccompanied_minor=True,
        guardian_recorded=True, guardian_body="Jugendamt Berlin-Mitte",
        reception_arrangement_confirmed=True, reception_description="Returned to the aunt in Baku",
    )  # fmt: skip
    assert codes(case, "transfer") == set()


def test_the_voluntary_departure_period_blocks_a_transfer_not_a_submission(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    _grant_vd(officer, case, days_ago(10), days_ahead(10))
    assert codes(case, "transfer") == {"voluntary_departure_running"}
    assert codes(case, "submit_application") == set()
    require_clear(case, purpose="submit_application")
    assert codes(case, "transfer", on=days_ahead(10)) == {"voluntary_departure_running"}, (
        "the last day counts"
    )
    assert codes(case, "transfer", on=days_ahead(11)) == set()


def test_refusing_the_period_lifts_the_stop(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    _grant_vd(officer, case, days_ago(10), days_ahead(10))
    vd_refuse(actor=officer, case_id=case.pk, reason="risk_of_absconding")
    assert codes(case, "transfer") == set()


def test_a_shortened_period_lifts_the_stop_once_the_new_end_has_passed(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    _grant_vd(officer, case, days_ago(10), days_ahead(10))
    with pytest.raises(ValidationFailed) as caught:
        vd_shorten(actor=officer, case_id=case.pk, until=days_ahead(2), reason="")
    assert "reason" in caught.value.fields
    vd_shorten(
        actor=officer, case_id=case.pk, until=days_ahead(2), reason="public_policy_or_security"
    )
    assert codes(case, "transfer") == {"voluntary_departure_running"}
    assert codes(case, "transfer", on=days_ahead(3)) == set()
    vd_shorten(actor=officer, case_id=case.pk, until=days_ago(1), reason="risk_of_absconding")
    assert codes(case, "transfer") == set()


def test_a_supervisor_override_lifts_exactly_that_stop_and_is_audited(
    make_case: Callable[..., ReturnCase], officer: User, supervisor: User
) -> None:
    case = make_case()
    appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(2), body="VG", suspensive_effect=True
    )
    asylum_record(actor=officer, case_id=case.pk, lodged_on=days_ago(2))
    override = safeguard_override(
        actor=supervisor, case_id=case.pk, code="suspensive_appeal_pending", reason=REASON
    )
    report = safeguards_check(case, purpose="transfer")
    assert {s.code for s in report.stops} == {
        "suspensive_appeal_pending",
        "asylum_application_pending",
    }
    assert [o.stop.code for o in report.overridden] == ["suspensive_appeal_pending"]
    assert report.overridden[0].override == override
    assert {s.code for s in report.blocking} == {"asylum_application_pending"}
    with pytest.raises(SafeguardStopped) as caught:
        require_clear(case, purpose="transfer")
    assert [s.code for s in caught.value.stops] == ["asylum_application_pending"]
    entry = AuditEntry.objects.get(
        action="returns.safeguard.overridden", object_id=str(override.pk)
    )
    assert entry.reason == REASON
    assert entry.actor_username == "de-supervisor"
    assert entry.changes["code"] == "suspensive_appeal_pending"


def test_officers_and_other_authorities_cannot_override(
    make_case: Callable[..., ReturnCase], officer: User, persona: Callable[[str], User]
) -> None:
    case = make_case()
    appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(2), body="VG", suspensive_effect=True
    )
    with pytest.raises(Forbidden):
        safeguard_override(
            actor=officer, case_id=case.pk, code="suspensive_appeal_pending", reason=REASON
        )
    for stranger in ("nl-officer", "az-supervisor"):
        with pytest.raises(NotFound):
            safeguard_override(actor=persona(stranger), case_id=case.pk, code="suspensive_appeal_pending",
                               reason=REASON)  # fmt: skip
    assert blocking(case) == {"suspensive_appeal_pending"}


def test_an_override_needs_a_real_reason_and_a_stop_that_applies(
    make_case: Callable[..., ReturnCase], officer: User, supervisor: User
) -> None:
    case = make_case()
    appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(2), body="VG", suspensive_effect=True
    )
    with pytest.raises(ValidationFailed) as caught:
        safeguard_override(
            actor=supervisor, case_id=case.pk, code="suspensive_appeal_pending", reason="ok, go"
        )
    assert "reason" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        safeguard_override(
            actor=supervisor, case_id=case.pk, code="asylum_application_pending", reason=REASON
        )
    assert caught.value.fields["code"] == ["This safeguard stop does not apply to the case now."]
    safeguard_override(
        actor=supervisor, case_id=case.pk, code="suspensive_appeal_pending", reason=REASON
    )
    with pytest.raises(Conflict):
        safeguard_override(
            actor=supervisor, case_id=case.pk, code="suspensive_appeal_pending", reason=REASON
        )


def test_a_new_blocking_fact_after_an_override_blocks_again(
    make_case: Callable[..., ReturnCase], officer: User, supervisor: User
) -> None:
    case = make_case()
    first = appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(5), body="VG", suspensive_effect=True
    )
    safeguard_override(
        actor=supervisor, case_id=case.pk, code="suspensive_appeal_pending", reason=REASON
    )
    assert blocking(case) == set()
    appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(1), body="OVG", suspensive_effect=True
    )
    assert blocking(case) == {"suspensive_appeal_pending"}
    # Overriding again covers both; deciding one of them keeps the rest covered.
    safeguard_override(
        actor=supervisor, case_id=case.pk, code="suspensive_appeal_pending", reason=REASON
    )
    appeal_decide(
        actor=officer, case_id=case.pk, appeal_id=first.pk, status="decided", decided_on=days_ago(0)
    )
    assert blocking(case) == set()
    assert codes(case, "transfer") == {"suspensive_appeal_pending"}


def test_a_new_assessment_or_a_longer_period_blocks_again(
    make_case: Callable[..., ReturnCase], officer: User, supervisor: User
) -> None:
    case = make_case(birth_year=2011)
    vulnerability_assess(actor=officer, case_id=case.pk, assessed_on=days_ago(5), unaccompanied_minor=True,
                         guardian_recorded=True, guardian_name="Ms Weber")  # fmt: skip
    safeguard_override(
        actor=supervisor, case_id=case.pk, code="unaccompanied_minor_no_reception", reason=REASON
    )
    assert blocking(case) == set()
    vulnerability_assess(actor=officer, case_id=case.pk, assessed_on=days_ago(1), unaccompanied_minor=True,
                         guardian_recorded=True, guardian_name="Ms Weber")  # fmt: skip
    assert blocking(case) == {"unaccompanied_minor_no_reception"}

    other = make_case()
    _grant_vd(officer, other, days_ago(10), days_ahead(5))
    safeguard_override(
        actor=supervisor, case_id=other.pk, code="voluntary_departure_running", reason=REASON
    )
    assert blocking(other) == set()
    vd_extend(
        actor=officer,
        case_id=other.pk,
        until=days_ahead(20),
        reason="children finish the school year",
    )
    assert blocking(other) == {"voluntary_departure_running"}
