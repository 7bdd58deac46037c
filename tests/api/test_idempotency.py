"""`Idempotency-Key`: a retry answers the first response and never does the work twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.audit.models import AccessLogEntry
from readmit.readmission.models import Application
from readmit.returns.models import ReturnCase
from tests.readmission.test_concurrency import _race

from .conftest import ApiClient

PERSON = {"surname_latin": "Aliyev", "given_names_latin": "Rashad", "sex": "M", "birth_year": 1985}
DRAFT = {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"}


def _case(de: ApiClient) -> int:
    person = de.post("/persons", PERSON).json()["id"]
    return int(de.post("/return-cases", {"person_id": person}).json()["id"])


@pytest.mark.django_db
def test_a_retry_answers_the_first_response_without_a_second_application(
    api_as: Callable[[str], ApiClient],
) -> None:
    de = api_as("de-officer")
    case_id = _case(de)
    first = de.post(f"/return-cases/{case_id}/applications", DRAFT, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    retry = de.post(f"/return-cases/{case_id}/applications", DRAFT, **{"Idempotency-Key": "k-1"})
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(return_case_id=case_id).count() == 1


@pytest.mark.django_db
def test_a_replayed_answer_is_logged_as_the_reads_it_shows(
    api_as: Callable[[str], ApiClient],
) -> None:
    de = api_as("de-officer")
    case_id = _case(de)
    first = de.post(f"/return-cases/{case_id}/applications", DRAFT, **{"Idempotency-Key": "r-1"})
    assert first.status_code == 201 and "Aliyev" in first.content.decode()
    shown = sorted(str(p["id"]) for p in first.json()["application"]["persons"])

    def logged() -> list[tuple[str, str]]:
        return list(
            AccessLogEntry.objects.filter(
                actor_username="de-officer", object_type="readmission.applicationperson"
            ).values_list("object_id", "purpose")
        )

    assert sorted(pk for pk, _purpose in logged()) == shown
    retry = de.post(f"/return-cases/{case_id}/applications", DRAFT, **{"Idempotency-Key": "r-1"})
    assert retry["Idempotent-Replayed"] == "true" and "Aliyev" in retry.content.decode()
    replayed = sorted(pk for pk, purpose in logged() if "replayed" in purpose)
    assert replayed == shown


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api_as: Callable[[str], ApiClient]) -> None:
    de = api_as("de-officer")
    assert de.post("/persons", PERSON, **{"Idempotency-Key": "same"}).status_code == 201
    other = de.post("/persons", {**PERSON, "birth_year": 1986}, **{"Idempotency-Key": "same"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.json()["error"]["fields"]


@pytest.mark.django_db
def test_keys_belong_to_one_user(api_as: Callable[[str], ApiClient]) -> None:
    """Another account using the same key does its own work and never sees the first answer."""
    one, two = api_as("de-officer"), api_as("de-supervisor")
    a = one.post("/persons", PERSON, **{"Idempotency-Key": "shared"})
    b = two.post("/persons", PERSON, **{"Idempotency-Key": "shared"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.django_db
def test_refusals_are_replayed_and_without_a_key_every_post_runs(
    api_as: Callable[[str], ApiClient],
) -> None:
    de = api_as("de-officer")
    bad = de.post("/persons", {"sex": "M"}, **{"Idempotency-Key": "bad"})
    assert bad.status_code == 422
    assert de.post("/persons", {"sex": "M"}, **{"Idempotency-Key": "bad"}).json() == bad.json()
    assert de.post("/persons", PERSON).json()["id"] != de.post("/persons", PERSON).json()["id"]


@pytest.mark.django_db
def test_a_malformed_key_is_a_validation_error(api_as: Callable[[str], ApiClient]) -> None:
    response = api_as("de-officer").post("/persons", PERSON, **{"Idempotency-Key": "x" * 256})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_with_one_key_create_one_application(
    persona: Callable[[str], User],
) -> None:
    """Real threads, each with its own database connection (SQLite and PostgreSQL)."""
    officer = persona("de-officer")
    token = token_create(actor=None, user=officer, name="race", days=1).plaintext
    de = ApiClient(token)
    case_id = _case(de)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "one-application"}

    def post() -> Any:
        return Client().post(
            f"/api/v1/return-cases/{case_id}/applications",
            DRAFT,
            content_type="application/json",
            headers=headers,
        )

    responses = _race(*[post] * 20)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert {r.status_code for r in responses} == {201}, [r.content for r in responses]
    assert len({r.content for r in responses}) == 1
    assert Application.objects.filter(return_case_id=case_id).count() == 1
    assert ReturnCase.objects.filter(pk=case_id).exists()


@pytest.mark.django_db
def test_first_responses_are_forgotten_after_a_day(api_as: Callable[[str], ApiClient]) -> None:
    import datetime as dt

    from django.utils import timezone

    from readmit.api.models import IdempotencyRecord
    from readmit.api.tasks import purge_idempotency_records

    de = api_as("de-officer")
    first = de.post("/persons", PERSON, **{"Idempotency-Key": "old"}).json()["id"]
    de.post("/persons", PERSON, **{"Idempotency-Key": "new"})
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert purge_idempotency_records.call() == 1
    assert de.post("/persons", PERSON, **{"Idempotency-Key": "old"}).json()["id"] != first
    assert IdempotencyRecord.objects.filter(key="new").exists()
