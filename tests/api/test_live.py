"""The API against a live server: the documented walkthrough, and schemathesis.

schemathesis generates requests from the OpenAPI document for every operation and checks
that none answers a server error and that every answer (status, content type, body) is the
one the document promises. It runs with a valid token of a requesting officer, a small
number of examples per operation so that it stays within the suite's time budget.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from readmit.accounts.models import Authority, User
from readmit.accounts.services import token_create, user_create
from readmit.api.schema import openapi_document

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 4  # per operation: about 60 operations within the suite's time budget


def _walkthrough() -> Any:
    spec = importlib.util.spec_from_file_location(
        "walkthrough", ROOT / "docs/examples/walkthrough.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_the_documented_walkthrough_runs_against_a_live_server(
    live_server: Any, persona: Callable[[str], User], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    de_token = token_create(actor=None, user=persona("de-officer"), name="walkthrough").plaintext
    central = Authority.objects.get(code=persona("az-officer").authority.code)
    integration = user_create(
        actor=None, authority=central, username="az-integration", role="officer", is_system=True
    )
    az_token = token_create(actor=None, user=integration, name="walkthrough").plaintext
    result = _walkthrough().main(live_server.url, de_token, az_token)
    assert result["status"] == "accepted"


def _seed(token: str) -> dict[str, int]:
    """A person, a return case and a draft application for the generated requests to reach."""
    from .conftest import ApiClient

    de = ApiClient(token)
    person = de.post("/persons", {"surname_latin": "Fuzz", "given_names_latin": "Test",
                                  "sex": "X", "birth_year": 1990}).json()["id"]  # fmt: skip
    case = de.post("/return-cases", {"person_id": person}).json()["id"]
    draft = de.post(f"/return-cases/{case}/applications",
                    {"kind": "own_nationals", "requested_state": "AZ", "procedure": "normal"})  # fmt: skip
    return {
        "person_id": person,
        "case_id": case,
        "application_id": draft.json()["application"]["id"],
    }


def _aimed_at(document: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """Path parameters drawn from the seeded objects (and one absent id), so that generated
    requests reach real objects instead of answering 404 almost always."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in ids:
                    parameter["schema"] = {"type": "integer",
                                           "enum": [ids[parameter["name"]], 999999]}  # fmt: skip
    return document


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(
    live_server: Any, persona: Callable[[str], User], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    token = token_create(actor=None, user=persona("de-officer"), name="schemathesis").plaintext
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_dict(_aimed_at(openapi_document(), _seed(token)))
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(
                base_url=live_server.url, headers=headers, checks=CHECKS
            )
            statuses[response.status_code] += 1

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
    # The token works: generated requests got through to real answers, not only refusals.
    assert statuses[200] + statuses[201] >= 20, statuses
    assert statuses[401] == 0, statuses
    print(dict(statuses))
