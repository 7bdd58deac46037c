"""API: the registry and the deadline computation, with the API's one error shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from readmit.accounts.models import User
from readmit.accounts.services import token_create


@pytest.fixture
def api(persona: Callable[[str], User]) -> Callable[[str], dict[str, object]]:
    client = Client()
    issued = token_create(actor=None, user=persona("de-officer"), name="test", days=1)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}

    def get(url: str) -> dict[str, object]:
        response = client.get(url, **headers)
        return {"status": response.status_code, "body": response.json()}

    return get


@pytest.mark.django_db
def test_the_list_has_every_instrument(api: Callable[[str], dict[str, object]]) -> None:
    result = api("/api/v1/agreements")
    assert result["status"] == 200
    body = result["body"]
    assert isinstance(body, list) and len(body) == 28
    serbia = next(a for a in body if a["code"] == "EU-RS")
    assert serbia["parties"] == ["EU", "RS"]
    assert serbia["entry_into_force"] == "2008-01-01"
    arrangements = api("/api/v1/agreements?kind=eu_arrangement")["body"]
    assert {a["code"] for a in arrangements} == {  # type: ignore[union-attr]
        "EU-AF", "EU-GN", "EU-BD", "EU-ET", "EU-GM", "EU-CI",
    }  # fmt: skip


@pytest.mark.django_db
def test_an_agreement_has_its_rules_sources_and_what_is_not_configured(
    api: Callable[[str], dict[str, object]],
) -> None:
    result = api("/api/v1/agreements/eu-rs")
    assert result["status"] == 200
    body = result["body"]
    assert isinstance(body, dict)
    reply = next(r for r in body["rules"] if r["rule"] == "reply_period_normal")
    assert (reply["value"], reply["unit"], reply["confidence"]) == (
        10,
        "calendar_days",
        "secondary",
    )
    assert "DOMAIN.md" in reply["source"]
    assert "td_issue_period" in body["not_configured"]
    assert "reply_period_normal" not in body["not_configured"]
    assert body["excluded_member_states"][0]["state"] == "DK"


@pytest.mark.django_db
def test_deadlines(api: Callable[[str], dict[str, object]]) -> None:
    result = api("/api/v1/deadlines?agreement=EU-RS&received=2026-03-02&accepted=2026-03-14")
    assert result["status"] == 200
    body = result["body"]
    assert isinstance(body, dict)
    assert body["reply_due"] == "2026-03-12"
    assert body["reply_due_extended"] == "2026-03-18"
    assert body["tacit_acceptance"] is True
    assert body["transfer_due"] == "2026-06-15"
    assert body["sources"]["transfer_due"].startswith("EU-Serbia")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "code", "message"),
    [
        ("agreement=EU-XX&received=2026-03-02", 404, "not_found", "No agreement has the code EU-XX"),
        ("agreement=EU-RS&received=2026-02-30", 422, "validation_failed", ""),
        ("agreement=EU-RS&received=2026-03-02&requested_state=XX", 422, "validation_failed",
         "Unknown requested state"),
        ("agreement=EU-RS&received=2026-03-02&procedure=fast", 422, "validation_failed",
         "Unknown procedure"),
        ("agreement=EU-LK&received=2026-12-20&accepted=2026-12-28", 422, "calendar_error",
         "No working-day calendar is available for country 'LK' in 2027"),
    ],
)  # fmt: skip
def test_bad_input_gets_the_one_error_shape(
    api: Callable[[str], dict[str, object]], query: str, status: int, code: str, message: str
) -> None:
    result = api(f"/api/v1/deadlines?{query}")
    assert result["status"] == status
    error = result["body"]["error"]  # type: ignore[index]
    assert error["code"] == code
    assert message in error["message"]


@pytest.mark.django_db
def test_a_calendar_error_reaches_a_french_speaking_client_in_french(
    persona: Callable[[str], User],
) -> None:
    issued = token_create(actor=None, user=persona("de-officer"), name="test", days=1)
    response = Client().get(
        "/api/v1/deadlines?agreement=EU-LK&received=2026-12-20&accepted=2026-12-28",
        HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "calendar_error"
    assert error["message"].startswith(
        "Aucun calendrier des jours ouvrables n’est disponible pour le pays 'LK' en 2027"
    )


@pytest.mark.django_db
def test_why_a_deadline_is_not_computed_is_said_in_the_clients_language(
    persona: Callable[[str], User],
) -> None:
    issued = token_create(actor=None, user=persona("de-officer"), name="test", days=1)
    response = Client().get(
        "/api/v1/deadlines?agreement=EU-RS&received=2026-03-02",
        HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 200
    assert response.json()["why_null"]["transfer_due"] == (
        "Укажите дату согласия, чтобы рассчитать этот срок."
    )


@pytest.mark.django_db
def test_a_missing_requested_state_is_asked_for_in_the_apis_words(
    api: Callable[[str], dict[str, object]],
) -> None:
    """The API names its own parameter, not the command line's --requested-state."""
    result = api("/api/v1/deadlines?agreement=EU-AZ&received=2024-01-10&requesting_state=AZ")
    assert result["status"] == 422
    error = result["body"]["error"]  # type: ignore[index]
    assert error["message"] == (
        "AZ is the requesting state: give the requested Member State, whose calendar counts."
    )
    assert error["fields"] == {"requested_state": ["Required when the partner requests."]}
