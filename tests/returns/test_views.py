"""The return-case screens: stops shown with what clears them, forms that keep what was
typed, the detention total against the configured cap, supervisors' overrides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.audit.models import AccessLogEntry, AuditEntry
from readmit.persons.models import Person
from readmit.returns.choices import PolicyKey
from readmit.returns.models import Appeal, PolicyRule, ReturnCase, ReturnDecision
from readmit.returns.selectors import detention_total
from readmit.returns.services import (
    appeal_record,
    case_record_return,
    decision_record,
    detention_start,
)
from tests.returns.dates import days_ago, days_ahead

pytestmark = pytest.mark.django_db


def test_opening_a_case_from_the_person_page(
    make_person: Callable[..., Person], client_as: Callable[[str], Client]
) -> None:
    person = make_person()
    client = client_as("de-officer")
    assert client.get(f"/returns/new/{person.pk}/").status_code == 200
    response = client.post(f"/returns/new/{person.pk}/")
    assert response.status_code == 302
    case = ReturnCase.objects.get(person=person)
    assert response["Location"] == f"/returns/{case.pk}/"
    again = client.post(f"/returns/new/{person.pk}/")
    assert again.status_code == 200
    assert case.reference in again.content.decode()
    assert client_as("de-readonly").post(f"/returns/new/{person.pk}/").status_code == 403
    assert client_as("nl-officer").get(f"/returns/new/{person.pk}/").status_code == 404


def test_the_case_page_shows_the_stop_and_what_clears_it(
    make_case: Callable[..., ReturnCase], officer: User, client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    appeal_record(
        actor=officer,
        case_id=case.pk,
        lodged_on=days_ago(2),
        body="VG Berlin",
        suspensive_effect=True,
    )
    body = client_as("de-readonly").get(f"/returns/{case.pk}/").content.decode()
    assert 'data-stop="suspensive_appeal_pending"' in body
    assert "An appeal with suspensive effect is pending." in body
    assert "Record the decision on the appeal or its withdrawal" in body
    assert "Return Directive Art. 9(1)(b)" in body
    assert "Override a stop" not in body
    assert (
        "Override a stop" in client_as("de-supervisor").get(f"/returns/{case.pk}/").content.decode()
    )
    assert (
        "Override a stop"
        not in client_as("de-officer").get(f"/returns/{case.pk}/").content.decode()
    )


def test_a_clear_case_says_so(
    make_case: Callable[..., ReturnCase], client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    assert (
        "No safeguard stop applies."
        in client_as("de-officer").get(f"/returns/{case.pk}/").content.decode()
    )


def test_a_supervisor_overrides_through_the_page(
    make_case: Callable[..., ReturnCase], officer: User, client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    appeal_record(
        actor=officer, case_id=case.pk, lodged_on=days_ago(2), body="VG", suspensive_effect=True
    )
    supervisor = client_as("de-supervisor")
    short = supervisor.post(
        f"/returns/{case.pk}/override/", {"code": "suspensive_appeal_pending", "reason": "fine"}
    )
    assert short.status_code == 200
    assert "at least 20 characters" in short.content.decode()
    assert "fine</textarea>" in short.content.decode()
    reason = "Suspensive effect lifted by the court this morning, order on file."
    done = supervisor.post(
        f"/returns/{case.pk}/override/", {"code": "suspensive_appeal_pending", "reason": reason}
    )
    assert done.status_code == 302
    body = supervisor.get(f"/returns/{case.pk}/").content.decode()
    assert "Overridden by de-supervisor" in body and reason in body
    assert client_as("de-officer").post(f"/returns/{case.pk}/override/", {}).status_code == 403
    assert AuditEntry.objects.filter(action="returns.safeguard.overridden", reason=reason).exists()


def test_a_refused_appeal_form_keeps_what_was_typed(
    make_case: Callable[..., ReturnCase], client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    future = days_ahead(3).isoformat()
    response = client_as("de-officer").post(f"/returns/{case.pk}/forms/appeal/",
                                            {"lodged_on": future, "body": "OVG Berlin-Brandenburg",
                                             "suspensive_effect": "on"})  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="OVG Berlin-Brandenburg"' in body
    assert f'value="{future}"' in body
    assert "This date cannot be in the future." in body
    assert 'id="appeal_lodged_on_error"' in body
    assert not Appeal.objects.filter(case=case).exists()
    ok = client_as("de-officer").post(f"/returns/{case.pk}/forms/appeal/",
                                      {"lodged_on": days_ago(1).isoformat(), "body": "VG Berlin"})  # fmt: skip
    assert ok.status_code == 302
    assert Appeal.objects.get(case=case).suspensive_effect is False


def test_a_refused_decision_form_keeps_what_was_typed(
    make_case: Callable[..., ReturnCase], client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    data = {"issuing_authority": "LEA Berlin", "decided_on": days_ago(3).isoformat(), "vd_granted": "on",
            "vd_start": days_ago(2).isoformat(), "vd_end": days_ago(1).isoformat()}  # fmt: skip
    response = client_as("de-officer").post(f"/returns/{case.pk}/forms/decision/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="LEA Berlin"' in body
    assert "The period must be at least" in body


def test_the_detention_total_is_shown_against_the_configured_cap(
    make_case: Callable[..., ReturnCase], officer: User, client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    detention_start(actor=officer, case_id=case.pk, start=days_ago(9), ground="hampering_return",
                    ordered_on=days_ago(9))  # fmt: skip
    total = detention_total(case)
    body = client_as("de-officer").get(f"/returns/{case.pk}/").content.decode()
    assert f"10 of {total.initial_cap_days} days" in body
    PolicyRule.objects.filter(key=PolicyKey.DETENTION_INITIAL_MAX).delete()
    body = client_as("de-officer").get(f"/returns/{case.pk}/").content.decode()
    assert "10 days (cap not configured)" in body


def test_a_transition_without_its_date_is_explained(
    make_case: Callable[..., ReturnCase], client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    response = client_as("de-officer").post(
        f"/returns/{case.pk}/forms/transition/", {"action": "record_return"}
    )
    assert response.status_code == 200
    assert "Enter the day the person left." in response.content.decode()
    illegal = client_as("de-officer").post(
        f"/returns/{case.pk}/forms/transition/", {"action": "close"}
    )
    assert illegal.status_code == 200
    assert "cannot be changed this way" in illegal.content.decode()


def test_the_case_page_is_scoped_and_access_logged(
    make_case: Callable[..., ReturnCase], client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    for stranger in ("nl-officer", "az-officer", "az-consul"):
        assert client_as(stranger).get(f"/returns/{case.pk}/").status_code == 404
    assert client_as("de-readonly").get(f"/returns/{case.pk}/").status_code == 200
    logged = AccessLogEntry.objects.filter(actor_username="de-readonly", purpose="return case page")
    assert {(e.object_type, e.object_id) for e in logged} == {
        ("returns.returncase", str(case.pk)),
        ("persons.person", str(case.person_id)),
    }
    assert client_as("de-readonly").post(f"/returns/{case.pk}/forms/appeal/", {}).status_code == 403


def test_the_case_list(
    make_case: Callable[..., ReturnCase], client_as: Callable[[str], Client]
) -> None:
    case = make_case()
    body = client_as("de-readonly").get("/returns/", {"query": "mammad"}).content.decode()
    assert case.reference in body
    assert case.reference not in client_as("nl-officer").get("/returns/").content.decode()
    assert client_as("de-admin").get("/returns/").status_code == 403
    assert "Return cases" in client_as("de-officer").get("/").content.decode()


BEYOND_THE_CALENDAR = (
    "An entry ban this long would end after 31 December 9999, the last date the system can "
    "represent."
)


def _bearer(persona: Callable[[str], User], username: str) -> dict[str, str]:
    issued = token_create(actor=None, user=persona(username), name="t", days=5)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"entry_ban_imposed": True, "entry_ban_length": 9000, "entry_ban_unit": "years"},
         "entry_ban_length", BEYOND_THE_CALENDAR),
        ({"entry_ban_imposed": True, "entry_ban_length": 40000, "entry_ban_unit": "months"},
         "entry_ban_length", "The system can store a length of at most 32767."),
        # The shortest period from 30 December 9999 would end beyond the calendar: one day
        # is shorter than that.
        ({"vd_granted": True, "vd_start": "9999-12-30", "vd_end": "9999-12-31"},
         "vd_end", "The period must be at least 7 days"),
    ],
    ids=["ban-beyond-the-calendar", "ban-beyond-the-column", "period-at-the-calendar-end"],
)  # fmt: skip
def test_a_decision_beyond_the_calendar_is_refused_on_its_field(
    make_case: Callable[..., ReturnCase],
    persona: Callable[[str], User],
    client_as: Callable[[str], Client],
    extra: dict[str, Any],
    field: str,
    message: str,
) -> None:
    case = make_case()
    body = {"issuing_authority": "LEA Berlin", "decided_on": days_ago(3).isoformat(), **extra}
    if not extra.get("vd_granted"):
        body["vd_refusal_reason"] = "risk_of_absconding"
    response = Client().post(
        f"/api/v1/return-cases/{case.pk}/decision",
        body,
        content_type="application/json",
        **_bearer(persona, "de-officer"),
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {field}
    assert fields[field][0].startswith(message)
    form = {k: "on" if v is True else str(v) for k, v in body.items()}
    page = client_as("de-officer").post(f"/returns/{case.pk}/forms/decision/", form)
    assert page.status_code == 200
    assert f'id="decision_{field}_error"' in page.content.decode()
    assert message in page.content.decode()
    assert not ReturnDecision.objects.filter(case=case).exists()
    assert not AuditEntry.objects.filter(action="returns.decision.recorded").exists()


def test_an_entry_ban_ending_beyond_the_calendar_never_breaks_reading_the_case(
    make_case: Callable[..., ReturnCase],
    officer: User,
    persona: Callable[[str], User],
    client_as: Callable[[str], Client],
) -> None:
    case = make_case()
    decision = decision_record(actor=officer, case_id=case.pk, issuing_authority="LEA Berlin",
                               decided_on=days_ago(3), vd_granted=False,
                               vd_refusal_reason="risk_of_absconding", entry_ban_imposed=True,
                               entry_ban_length=2, entry_ban_unit="years")  # fmt: skip
    case_record_return(actor=officer, case_id=case.pk, actual_departure=days_ago(1))
    # A length recorded before the calendar's limit was checked.
    ReturnDecision.objects.filter(pk=decision.pk).update(entry_ban_length=9000)
    page = client_as("de-officer").get(f"/returns/{case.pk}/")
    assert page.status_code == 200
    assert "end not computable: it would fall after the last date the system can represent" in (
        page.content.decode()
    )
    response = Client().get(f"/api/v1/return-cases/{case.pk}", **_bearer(persona, "de-officer"))
    assert response.status_code == 200
    assert response.json()["decision"]["entry_ban_length"] == 9000
