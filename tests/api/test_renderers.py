"""The API's JSON: one encoder (pydantic-core) for every answer, a model's answer validated and
written in one pass, and nothing of the data in the error raised for an answer off its schema."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.core.signals import request_started
from django.utils.translation import gettext_lazy
from pydantic_core import PydanticSerializationError

from readmit.accounts.models import User
from readmit.api.renderers import ResponseOffSchemaError, json_response, model_response
from readmit.readmission.api import ApplicationOut, _view

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


def _draft(de: ApiClient) -> int:
    person = de.post("/persons", {"surname_latin": "Émile", "given_names_latin": "Zoë",
                                  "sex": "F", "birth_year": 1990}).json()["id"]  # fmt: skip
    case = de.post("/return-cases", {"person_id": person}).json()["id"]
    draft = de.post(f"/return-cases/{case}/applications",
                    {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"})  # fmt: skip
    assert draft.status_code == 201, draft.content
    return int(draft.json()["application"]["id"])


def test_an_application_is_written_as_its_schema_dumps_it(
    api_as: Callable[[str], ApiClient], persona: Callable[[str], User]
) -> None:
    de = api_as("de-officer")
    application_id = _draft(de)
    answer = de.get(f"/applications/{application_id}")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    body = answer.json()
    # What ninja's path gave: the model validated, dumped in JSON mode.
    expected = ApplicationOut.model_validate(_view(persona("de-officer"), application_id))
    assert body == expected.model_dump(mode="json")
    # Times in one format (UTC, `Z`), text as UTF-8 rather than escaped.
    assert all(TIME.match(event["at"]) for event in body["application"]["events"])
    assert "Émile".encode() in answer.content


def test_lists_and_errors_use_the_same_encoder(api_as: Callable[[str], ApiClient]) -> None:
    de = api_as("de-officer")
    _draft(de)
    listed = de.get("/applications", status="draft")
    assert listed["Content-Type"] == "application/json; charset=utf-8"
    missing = de.get("/no-such-operation")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json; charset=utf-8"
    assert missing.json()["error"]["code"] == "not_found"


def test_lazy_text_is_written_as_text_and_unknown_values_are_refused() -> None:
    response = json_response({"message": gettext_lazy("Not found, or not visible to you.")}, 200)
    assert json.loads(response.content) == {"message": "Not found, or not visible to you."}
    with pytest.raises(PydanticSerializationError, match="not JSON serializable"):
        json_response({"value": object()}, 200)


def test_an_answer_off_its_schema_names_the_places_never_the_values() -> None:
    off = {"side": "requested", "actions": {"application": "Secretname Personal"}}
    with pytest.raises(ResponseOffSchemaError) as raised:
        model_response(ApplicationOut, off, 200)
    message = str(raised.value)
    assert "actions.application" in message and "application: missing" in message
    assert "Secretname" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_the_process_environment_never_reaches_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from readmit.config import wsgi

    seen: dict[str, Any] = {}

    def grab(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        seen.update(environ)

    environ = {
        **os.environ,
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    assert "PATH" in environ
    request_started.connect(grab)
    try:
        body = wsgi.application(environ, lambda status, headers, exc_info=None: None)
    finally:
        request_started.disconnect(grab)
    assert b"".join(body)
    assert "PATH" not in seen and "DJANGO_SETTINGS_MODULE" not in seen
    assert seen["HTTP_HOST"] == "testserver" and seen["PATH_INFO"] == "/healthz"
