"""The OpenAPI document, the docs page, and the one error shape on every error path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from readmit.api.schema import DEFAULT_PATH, openapi_text

from .conftest import ApiClient

ROOT = Path(__file__).resolve().parents[2]


def test_the_checked_in_openapi_document_matches_the_code() -> None:
    assert DEFAULT_PATH == ROOT / "docs" / "openapi.json"
    checked_in = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert checked_in == json.loads(openapi_text()), (
        "docs/openapi.json is out of date: run `readmit openapi` and commit the result."
    )


def test_the_document_is_openapi_3_1_and_every_operation_is_documented() -> None:
    document = json.loads(openapi_text())
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            assert operation.get("summary"), name
            assert operation.get("description"), name
            assert "401" in operation["responses"], name
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                ref = body["schema"]["$ref"].rsplit("/", 1)[1]
                assert schemas[ref].get("examples"), f"{name}: no example body"


@pytest.mark.django_db
def test_the_command_writes_the_document(tmp_path: Path) -> None:
    from django.core.management import call_command

    target = tmp_path / "openapi.json"
    call_command("openapi", "--output", str(target))
    assert json.loads(target.read_text())["info"]["title"] == "Readmit API"


@pytest.mark.django_db
def test_the_docs_page_loads_vendored_swagger_ui_without_inline_script() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/api/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/api/docs.js" in html
    assert "<script>" not in html and "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert 'data-schema-url="/api/v1/openapi.json"' in html


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return dict(body["error"])


@pytest.mark.django_db
def test_every_error_has_the_one_shape(api_as: Callable[[str], ApiClient]) -> None:
    de = api_as("de-officer")
    _error(Client().get("/api/v1/persons"), 401, "unauthenticated")
    _error(de.get("/no/such/thing"), 404, "not_found")
    _error(de.get("/persons/999999"), 404, "not_found")
    _error(api_as("de-admin").get("/persons"), 403, "capability_required")
    fields = _error(de.post("/persons", {"birth_year": "soon"}), 422, "validation_failed")
    assert "birth_year" in fields["fields"]
    form = _error(de.post("/persons", {"sex": "M", "birth_year": 1990}), 422, "validation_failed")
    assert "surname_latin" in form["fields"]
    wrong = de.client.delete("/api/v1/persons", headers=de.headers)
    _error(wrong, 405, "method_not_allowed")
    _error(de.get("/persons", cursor="forged"), 422, "validation_failed")


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused_as_invalid_input_like_any_other(
    api_as: Callable[[str], ApiClient],
) -> None:
    """422, as the document says for refused input (it was a bare 400 that no operation
    documents), and in the client's language."""
    de = api_as("de-officer")
    for body in ("{not json", b"\xff\xfe{", '{"surname_latin": "A",}'):
        response = de.client.post(
            "/api/v1/persons", body, content_type="application/json", headers=de.headers
        )
        error = _error(response, 422, "validation_failed")
        assert error["message"] == "The request body is not valid JSON."
        assert error["fields"] == {"__all__": ["Send the body as a JSON object, encoded in UTF-8."]}
    french = de.client.post(
        "/api/v1/persons",
        "{",
        content_type="application/json",
        headers={**de.headers, "Accept-Language": "fr"},
    )
    message = _error(french, 422, "validation_failed")["message"]
    assert message == "Le corps de la requête n’est pas un JSON valide."


@pytest.mark.django_db
def test_an_unexpected_failure_answers_500_in_the_error_shape(
    api_as: Callable[[str], ApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from readmit.persons import selectors

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "person_page", broken)
    body = _error(api_as("de-officer").get("/persons"), 500, "server_error")
    assert "boom" not in body["message"]


@pytest.mark.django_db
def test_expired_and_revoked_tokens_answer_401(persona: Callable[[str], Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    from readmit.accounts.models import ApiToken
    from readmit.accounts.services import token_create, token_revoke

    issued = token_create(actor=None, user=persona("de-officer"), name="t", days=1)
    client = ApiClient(issued.plaintext)
    assert client.get("/me").status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    _error(client.get("/me"), 401, "unauthenticated")
    other = token_create(actor=None, user=persona("de-officer"), name="t", days=1)
    token_revoke(actor=None, token_id=other.token.pk)
    _error(ApiClient(other.plaintext).get("/me"), 401, "unauthenticated")


@pytest.mark.django_db
def test_nul_characters_are_refused_before_they_reach_the_database(
    api_as: Callable[[str], ApiClient],
) -> None:
    de = api_as("de-officer")
    _error(de.get("/persons", q="a\x00b"), 422, "validation_failed")
    _error(
        de.get("/deadlines", agreement="EU\x00RS", received="2026-03-02"),
        422,
        "validation_failed",
    )
    body = {"surname_latin": "A\x00", "given_names_latin": "B", "sex": "M", "birth_year": 1990}
    _error(de.post("/persons", body), 422, "validation_failed")


@pytest.mark.django_db
def test_every_id_in_a_path_can_be_taken_from_an_answer_along_a_link() -> None:
    """A client that has just created or listed something finds in the served document which
    value of the answer fills which path of the next call (OpenAPI links, api/links.py)."""
    document = Client().get("/api/v1/openapi.json").json()
    operations = {
        operation["operationId"]: operation
        for methods in document["paths"].values()
        for operation in methods.values()
    }
    filled: set[str] = set()
    for operation in operations.values():
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                target = operations[link["operationId"]]
                names = {p["name"] for p in target.get("parameters", [])}
                assert set(link.get("parameters", {})) <= names, link
                filled |= set(link.get("parameters", {}))
    in_paths = {
        p["name"]
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if p["in"] == "path"
    }
    assert in_paths <= filled, f"no link gives {sorted(in_paths - filled)}"
    created = document["paths"]["/api/v1/persons"]["post"]["responses"]["201"]["links"]
    assert created["person_detail"] == {
        "operationId": "readmit_persons_api_person_detail",
        "parameters": {"person_id": "$response.body#/id"},
    }


def test_a_link_to_an_operation_status_or_parameter_the_document_lacks_is_refused() -> None:
    from readmit.api.links import Link, add_links

    document = json.loads(openapi_text())
    for wrong in (
        Link("POST /persons", 201, "GET /people/{person_id}", {"person_id": "$response.body#/id"}),
        Link("POST /persons", 200, "GET /persons/{person_id}", {"person_id": "$response.body#/id"}),
        Link("POST /persons", 201, "GET /persons/{person_id}", {"id": "$response.body#/id"}),
        Link("POST /persons", 201, "POST /return-cases", body={"person": "$response.body#/id"}),
    ):
        with pytest.raises(ValueError, match="API link"):
            add_links(copy.deepcopy(document), "/api/v1", [wrong])


@pytest.mark.django_db
def test_refused_values_are_keyed_by_the_requests_field_names_in_plain_words(
    api_as: Callable[[str], ApiClient],
) -> None:
    """Field keys are the names the client sent (no "form." or "literal[…]" parts), and the
    messages are ours, not the parser's ("Input should be a valid integer, …")."""
    de = api_as("de-officer")
    person = de.post("/persons", {"surname_latin": "Plain", "given_names_latin": "Words",
                                  "sex": "F", "birth_year": 1990}).json()["id"]  # fmt: skip

    def fields(response: Any) -> dict[str, list[str]]:
        return dict(_error(response, 422, "validation_failed")["fields"])

    # An optional choice and a required one: the bare name, one message listing the choices.
    assert fields(de.post(f"/persons/{person}/nationalities",
                          {"state": "AZ", "status": "bogus", "current": "maybe"})) == {
        "status": ["Choose one of: claimed, established."],
        "current": ["Enter true or false."],
    }  # fmt: skip
    assert fields(de.post("/persons", {"surname_latin": None, "given_names_latin": 5,
                                       "sex": "Q", "birth_year": "soon"})) == {
        "surname_latin": ["This is required."],
        "given_names_latin": ["Enter text."],
        "sex": ["Choose one of: F, M, X."],
        "birth_year": ["Enter a whole number."],
    }  # fmt: skip
    assert fields(de.post("/return-cases", {})) == {"person_id": ["This is required."]}
    assert fields(de.get("/persons", limit=0)) == {"limit": ["Enter a number of at least 1."]}
    assert fields(de.get("/persons", limit="all")) == {"limit": ["Enter a whole number."]}

    # Multipart fields are keyed like JSON ones: "person", not "form.person".
    case = de.post("/return-cases", {"person_id": person}).json()["id"]
    app = de.post(f"/return-cases/{case}/applications",
                  {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"}
                  ).json()["application"]["id"]  # fmt: skip
    upload = de.upload(f"/applications/{app}/evidence",
                       {"person": "abc", "evidence_code": "passport"})  # fmt: skip
    assert fields(upload) == {"person": ["Enter a whole number."]}
