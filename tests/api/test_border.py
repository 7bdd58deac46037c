"""The border through the API: the requested state receives only the shared fields."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from readmit.persons.sharing import SHAREABLE_FIELDS
from readmit.readmission.selectors import SHARED_APPLICATION_FIELDS, SHARED_PERSON_FIELDS

from .conftest import ApiClient

LABELS = {"status_label", "reply_rule", "days_left"}
PERSON_LABELS = {"role_label", "status_label", "refusal_reason_label"}
SECRET_COURT = "Verwaltungsgericht Geheimstadt"
SECRET_DECISION = "RD-SECRET-4711"


@pytest.mark.django_db
def test_the_requested_state_sees_only_the_shared_fields(
    api_as: Callable[[str], ApiClient], settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    de = api_as("de-officer")
    person = de.post(
        "/persons",
        {
            "surname_latin": "Huseynov",
            "given_names_latin": "Kamran",
            "sex": "M",
            "birth_year": 1992,
            "distinguishing_marks": "scar",
        },
    ).json()["id"]
    case = de.post("/return-cases", {"person_id": person}).json()["id"]
    decision = de.post(
        f"/return-cases/{case}/decision",
        {"reference": SECRET_DECISION, "issuing_authority": "LEA", "decided_on": "2026-01-05",
         "notified_on": "2026-01-05", "vd_refusal_reason": "risk_of_absconding"},
    )  # fmt: skip
    assert decision.status_code == 200, decision.json()
    assert de.post(f"/return-cases/{case}/appeal", {"lodged_on": "2026-01-06",
                   "body": SECRET_COURT}).status_code == 200  # fmt: skip
    draft = de.post(f"/return-cases/{case}/applications",
                    {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"})  # fmt: skip
    app = draft.json()["application"]
    de.upload(f"/applications/{app['id']}/evidence",
              {"person": app["persons"][0]["id"], "evidence_code": "passport",
               "file": io.BytesIO(b"%PDF-1.4\n" + bytes(64))})  # fmt: skip
    assert de.post(f"/applications/{app['id']}/submit").status_code == 200

    az = api_as("az-officer")
    response = az.get(f"/applications/{app['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["side"] == "requested" and body["return_case_id"] is None
    seen = body["application"]
    assert set(seen) - LABELS <= set(SHARED_APPLICATION_FIELDS)
    for p in seen["persons"]:
        assert set(p) - PERSON_LABELS <= set(SHARED_PERSON_FIELDS)
        assert set(p["particulars"]) <= set(SHAREABLE_FIELDS)
    text = json.dumps(seen)
    for fact in (SECRET_COURT, SECRET_DECISION, "return_case", "appeal"):
        assert fact not in text, fact
    events = az.get(f"/applications/{app['id']}/events")
    assert SECRET_COURT not in events.content.decode()
    # The return file itself does not exist for the other state.
    assert az.get(f"/persons/{person}").status_code == 404
    assert az.get(f"/return-cases/{case}").status_code == 404
    # Lists carry no personal data at all.
    listed = az.get("/applications").content.decode()
    assert "Huseynov" not in listed and "Kamran" not in listed
    # The requesting side sees its own link to the return case.
    assert de.get(f"/applications/{app['id']}").json()["return_case_id"] == case


@pytest.mark.django_db
def test_cursor_pages_are_stable_and_complete(api_as: Callable[[str], ApiClient]) -> None:
    de = api_as("de-officer")
    created = [
        de.post(
            "/persons",
            {
                "surname_latin": f"Page{i}",
                "given_names_latin": "Test",
                "sex": "F",
                "birth_year": 1980 + i,
            },
        ).json()["id"]
        for i in range(5)
    ]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, "q": "page", **({"cursor": cursor} if cursor else {})}
        page = de.get("/persons", **params).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # A record added while paging does not shift what follows.
        de.post("/persons", {"surname_latin": "PageLate", "given_names_latin": "Test",
                             "sex": "F", "birth_year": 1999})  # fmt: skip
    assert seen == sorted(created, reverse=True)


@pytest.mark.django_db
def test_the_application_list_filters_like_the_work_queue(
    api_as: Callable[[str], ApiClient],
) -> None:
    de = api_as("de-officer")
    person = de.post("/persons", {"surname_latin": "Filter", "given_names_latin": "Test",
                                  "sex": "M", "birth_year": 1990}).json()["id"]  # fmt: skip
    de.post(f"/persons/{person}/nationalities", {"state": "AZ", "status": "claimed"})
    case = de.post("/return-cases", {"person_id": person}).json()["id"]
    app = de.post(f"/return-cases/{case}/applications",
                  {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"}
                  ).json()["application"]["id"]  # fmt: skip

    def ids(**filters: str) -> list[int]:
        response = de.get("/applications", **filters)
        assert response.status_code == 200, response.json()
        return [a["id"] for a in response.json()["items"]]

    assert app in ids(status="draft", agreement="EU-AZ", requested_state="AZ")
    assert app in ids(nationality="az", queue="action_needed", deadline="no_deadline")
    assert app not in ids(status="submitted")
    assert app not in ids(nationality="GE")
    assert app not in ids(agreement="EU-GE")
    assert app not in ids(deadline="overdue")
    assert de.get("/applications", status="nonsense").status_code == 422
