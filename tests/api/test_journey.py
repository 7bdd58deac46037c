"""A case through the API from both sides, as the walkthrough does it."""

from __future__ import annotations

import datetime as dt
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


def _accepted(api_as: Callable[[str], ApiClient]) -> tuple[ApiClient, ApiClient, int, int]:
    """An application submitted by DE, acknowledged and accepted by AZ."""
    de, az = api_as("de-officer"), api_as("az-officer")
    _pid, case_id = _register(de)
    app = de.post(f"/return-cases/{case_id}/applications",
                  {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"}
                  ).json()["application"]  # fmt: skip
    person_id = app["persons"][0]["id"]
    de.upload(f"/applications/{app['id']}/evidence",
              {"person": person_id, "evidence_code": "passport", "file": io.BytesIO(PDF)})  # fmt: skip
    assert de.post(f"/applications/{app['id']}/submit").status_code == 200
    assert az.post(f"/applications/{app['id']}/acknowledge").status_code == 200
    return de, az, app["id"], person_id


@pytest.mark.django_db
def test_times_keep_their_offset_and_seconds(api_as: Callable[[str], ApiClient]) -> None:
    """10:00 at +04:00 is 06:00 UTC, whatever the server's time zone (it was stored as 09:00Z,
    the offset dropped and the wall time read in Brussels); a time without an offset is read
    in the server's time zone, as the web form reads it."""
    de, az, app_id, person_id = _accepted(api_as)
    year = dt.date.today().year + 1  # a winter ahead: Brussels is at UTC+1
    interview = az.post(f"/applications/{app_id}/interviews",
                        {"person": person_id, "scheduled_for": f"{year}-02-03T10:00:30+04:00"})  # fmt: skip
    assert interview.status_code == 200, interview.json()
    assert [i["scheduled_for"] for i in interview.json()["application"]["interviews"]] == [
        f"{year}-02-03T06:00:30Z"
    ]
    local = az.post(f"/applications/{app_id}/interviews",
                    {"person": person_id, "scheduled_for": f"{year}-02-04T10:00:00"})  # fmt: skip
    assert local.status_code == 200, local.json()
    scheduled = [i["scheduled_for"] for i in az.get(f"/applications/{app_id}").json()[
        "application"]["interviews"]]  # fmt: skip
    assert f"{year}-02-04T09:00:00Z" in scheduled

    reply = az.post(f"/applications/{app_id}/replies", {"person": person_id, "decision": "accept"})
    assert reply.status_code == 200, reply.json()
    document = az.post(f"/applications/{app_id}/travel-documents",
                       {"person": person_id, "kind": "laissez_passer", "number": "LP1",
                        "issued_on": dt.date.today().isoformat(),
                        "valid_until": f"{year + 1}-12-31"})  # fmt: skip
    assert document.status_code == 200, document.json()
    transfer = de.post(f"/applications/{app_id}/transfers",
                       {"persons": [person_id], "planned_at": f"{year}-03-01T09:30:00Z",
                        "border_crossing_point": "Baku airport"})  # fmt: skip
    assert transfer.status_code == 200, transfer.json()
    transfers = de.get(f"/applications/{app_id}").json()["application"]["transfers"]
    assert [t["planned_at"] for t in transfers] == [f"{year}-03-01T09:30:00Z"]
