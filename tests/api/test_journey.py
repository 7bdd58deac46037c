"""A case through the API from both sides, as the walkthrough does it."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from .conftest import ApiClient

PDF = b"%PDF-1.4\n" + bytes(64)


def _register(de: ApiClient) -> tuple[int, int]:
    person = de.post(
        "/persons",
        {
            "surname_latin": "Mammadov",
            "given_names_latin": "Elchin",
            "sex": "M",
            "birth_year": 1990,
            "birth_country": "AZ",
        },
    )
    assert person.status_code == 201, person.json()
    pid = person.json()["id"]
    nat = de.post(f"/persons/{pid}/nationalities", {"state": "AZ", "status": "claimed",
                                                     "current": True})  # fmt: skip
    assert nat.status_code == 200, nat.json()
    doc = de.post(f"/persons/{pid}/identifiers",
                  {"kind": "passport", "number": "C0123456", "issuing_state": "AZ"})  # fmt: skip
    assert doc.status_code == 200, doc.json()
    case = de.post("/return-cases", {"person_id": pid})
    assert case.status_code == 201, case.json()
    return pid, case.json()["id"]


@pytest.mark.django_db
def test_draft_submit_acknowledge_accept(api_as: Callable[[str], ApiClient]) -> None:
    de = api_as("de-officer")
    _pid, case_id = _register(de)
    draft = de.post(f"/return-cases/{case_id}/applications",
                    {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"})  # fmt: skip
    assert draft.status_code == 201, draft.json()
    app = draft.json()
    app_id = app["application"]["id"]
    assert app["side"] == "requesting" and app["return_case_id"] == case_id
    person_id = app["application"]["persons"][0]["id"]
    evidence = de.upload(
        f"/applications/{app_id}/evidence",
        {"person": person_id, "evidence_code": "passport", "file": io.BytesIO(PDF)},
    )
    assert evidence.status_code == 201, evidence.json()
    assert evidence.json()["application"]["evidence"][0]["has_file"]
    submitted = de.post(f"/applications/{app_id}/submit")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["application"]["status"] == "submitted"

    az = api_as("az-officer")
    listed = az.get("/applications", queue="action_needed")
    assert app_id in [a["id"] for a in listed.json()["items"]]
    seen = az.get(f"/applications/{app_id}").json()
    assert seen["side"] == "requested" and seen["return_case_id"] is None
    assert az.post(f"/applications/{app_id}/acknowledge").status_code == 200
    reply = az.post(f"/applications/{app_id}/replies", {"person": person_id, "decision": "accept"})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["application"]["persons"][0]["status"] == "accepted"
    again = az.post(f"/applications/{app_id}/acknowledge")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"
    events = az.get(f"/applications/{app_id}/events").json()
    assert [e["action"] for e in events][:1] == ["submitted"] or events
    file = az.get(f"/applications/{app_id}/evidence/"
                  f"{seen['application']['evidence'][0]['id']}/file")  # fmt: skip
    assert file.status_code == 200, file.content
    assert b"".join(file.streaming_content) == PDF


@pytest.mark.django_db
def test_a_return_case_with_a_pending_asylum_application_shows_the_stop(
    api_as: Callable[[str], ApiClient],
) -> None:
    de = api_as("de-officer")
    _pid, case_id = _register(de)
    recorded = de.post(f"/return-cases/{case_id}/asylum", {"lodged_on": "2026-01-20"})
    assert recorded.status_code == 200, recorded.json()
    case = de.get(f"/return-cases/{case_id}").json()
    assert [s["code"] for s in case["safeguards"] if s["blocking"]] == [
        "asylum_application_pending"
    ]
    assert len(case["asylum_applications"]) == 1
    assert "asylum.recorded" in [e["action"] for e in case["timeline"]]
    assert (
        api_as("de-readonly")
        .post(f"/return-cases/{case_id}/asylum", {"lodged_on": "2026-01-21"})
        .json()["error"]["code"]
        == "capability_required"
    )
    draft = de.post(
        f"/return-cases/{case_id}/applications",
        {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"},
    ).json()["application"]
    refused = de.post(f"/applications/{draft['id']}/submit")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "safeguard_stop"
