"""List exports: scopes, the border between the states, filters, formula safety."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.audit.models import AccessLogEntry
from readmit.persons.services import person_create
from readmit.readmission.models import Application
from readmit.readmission.selectors import SHARED_APPLICATION_FIELDS
from readmit.readmission.services import PersonInput, application_draft, application_submit
from readmit.returns.services import case_create


def _csv(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx(response: Any) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def world(persona: Callable[[str], User]) -> dict[str, Any]:
    officer = persona("de-officer")
    made = {}
    for surname, submit in (("=HYPERLINK(1)", True), ("Draftonly", False)):
        person = person_create(actor=officer, surname_latin=surname, given_names_latin="Exp",
                               sex="F", birth_year=1985)  # fmt: skip
        case = case_create(actor=officer, person_id=person.pk)
        application = application_draft(
            actor=officer,
            return_case_id=case.pk,
            kind="own_nationals",
            requested_state="AZ",
            persons=[PersonInput(person_id=person.pk, role="principal")],
        )
        if submit:
            application_submit(actor=officer, application_id=application.pk)
        made[surname] = (person, case, application)
    return made


@pytest.mark.django_db
def test_the_requesting_side_exports_its_applications_with_the_case_link(
    client_as: Callable[[str], Client], world: dict[str, Any]
) -> None:
    rows = _csv(client_as("de-officer").get("/applications/export.csv"))
    references = {r["reference"] for r in rows}
    assert {w[2].reference for w in world.values()} <= references
    row = next(r for r in rows if r["reference"] == world["=HYPERLINK(1)"][2].reference)
    assert row["return_case"] == world["=HYPERLINK(1)"][1].reference
    # Formula-safe: the cell is text, it cannot start a formula.
    assert row["principal_surname_latin"] == "'=HYPERLINK(1)"


@pytest.mark.django_db
def test_the_requested_state_exports_shared_fields_only(
    client_as: Callable[[str], Client], world: dict[str, Any]
) -> None:
    response = client_as("az-officer").get("/applications/export.csv")
    rows = _csv(response)
    submitted = world["=HYPERLINK(1)"]
    assert [r["reference"] for r in rows if r["reference"] == submitted[2].reference]
    assert world["Draftonly"][2].reference not in {r["reference"] for r in rows}  # drafts stay
    header = set(rows[0])
    assert "return_case" not in header
    person_columns = {"persons", "principal_surname_latin", "principal_given_names_latin"}
    assert header - person_columns <= set(SHARED_APPLICATION_FIELDS)
    text = "".join(",".join(r.values()) for r in rows)
    assert submitted[1].reference not in text  # the return file's reference never crosses
    assert AccessLogEntry.objects.filter(purpose="application list export").exists()
    # Another state sees nothing; a role without casework may not export.
    assert _csv(client_as("nl-officer").get("/applications/export.csv")) == []
    assert client_as("az-admin").get("/applications/export.csv").status_code == 403


@pytest.mark.django_db
def test_filters_of_the_work_queue_apply(
    client_as: Callable[[str], Client], world: dict[str, Any]
) -> None:
    client = client_as("de-officer")
    drafts = _csv(client.get("/applications/export.csv?status=draft"))
    assert {r["reference"] for r in drafts} == {world["Draftonly"][2].reference} | {
        a.reference
        for a in Application.objects.filter(
            status="draft", requesting_authority=world["Draftonly"][2].requesting_authority
        )
    }
    assert all(r["status"] == "draft" for r in drafts)
    none = _csv(client.get("/applications/export.csv?state=PK"))
    assert none == []
    waiting = _csv(client.get("/applications/export.csv?queue=waiting"))
    assert world["=HYPERLINK(1)"][2].reference in {r["reference"] for r in waiting}
    assert world["Draftonly"][2].reference not in {r["reference"] for r in waiting}


@pytest.mark.django_db
def test_xlsx_exports_are_formula_safe(
    client_as: Callable[[str], Client], world: dict[str, Any]
) -> None:
    response = client_as("de-officer").get("/persons/export.xlsx?q=hyperlink")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx(response)
    assert rows[0][1] == "surname_latin"
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(1)"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["B2"].data_type == "s"


@pytest.mark.django_db
def test_return_cases_and_persons_are_the_owning_authoritys_only(
    client_as: Callable[[str], Client], world: dict[str, Any]
) -> None:
    rows = _csv(client_as("de-readonly").get("/returns/export.csv"))
    assert {w[1].reference for w in world.values()} <= {r["reference"] for r in rows}
    assert _csv(client_as("az-officer").get("/returns/export.csv")) == []
    assert _csv(client_as("az-officer").get("/persons/export.csv")) == []
    assert client_as("de-admin").get("/persons/export.csv").status_code == 403
    xlsx = _xlsx(client_as("de-officer").get("/returns/export.xlsx?status=open"))
    assert xlsx[0][0] == "reference" and len(xlsx) >= 3


@pytest.mark.django_db
def test_api_exports(persona: Callable[[str], User], world: dict[str, Any]) -> None:
    issued = token_create(actor=None, user=persona("az-officer"), name="t", days=5)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    response = Client().get("/api/v1/exports/applications?format=csv", **auth)
    assert response.status_code == 200
    rows = _csv(response)
    assert "return_case" not in rows[0]
    response = Client().get("/api/v1/exports/applications?format=xlsx", **auth)
    assert _xlsx(response)[0][1] == "reference"
