"""Bulk import: validation first, a report with row and column, nothing half-saved."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import Workbook, load_workbook

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.audit.models import AuditEntry
from readmit.audit.services import audit_verify
from readmit.imports.columns import NAMES, REQUIRED, template_csv, template_xlsx
from readmit.imports.services import ImportReport, import_run
from readmit.persons.models import Identifier, Nationality, Person
from readmit.persons.selectors import person_list
from readmit.readmission.models import Application
from readmit.returns.models import CaseEvent, ReturnCase

HEADER = ["surname_latin", "given_names_latin", "sex", "birth_year", "birth_month",
          "nationality", "document_kind", "document_number", "document_expiry"]  # fmt: skip


def _row(i: int, **over: str) -> list[str]:
    values = {
        "surname_latin": f"Importov{i}",
        "given_names_latin": "Ali",
        "sex": "M",
        "birth_year": "1991",
        "birth_month": "3",
        "nationality": "AZ",
        "document_kind": "passport",
        "document_number": f"C{i:08d}",
        "document_expiry": "2031-05-01",
        **over,
    }
    return [values.get(h, "") for h in HEADER]


def _csv(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _run(actor: User, data: bytes, **kwargs: Any) -> ImportReport:
    return import_run(actor=actor, stream=io.BytesIO(data), size=len(data), **kwargs)


def _counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        ReturnCase.objects.count(),
        Application.objects.count(),
        Nationality.objects.count(),
        Identifier.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def officer(persona: Callable[[str], User]) -> User:
    return persona("de-officer")


@pytest.mark.django_db
def test_a_valid_file_creates_persons_and_cases_with_audit_entries(officer: User) -> None:
    before = AuditEntry.objects.count()
    report = _run(officer, _csv([_row(1), _row(2), _row(3)]))
    assert report.ok and report.saved, report.errors
    assert (report.rows, report.persons, report.cases) == (3, 3, 3)
    person = Person.objects.get(surname_latin="Importov2")
    assert person.owner_authority_id == officer.authority_id
    assert (person.birth_year, person.birth_month) == (1991, 3)
    assert person.nationalities.get().state_id == "AZ"
    assert person.identifiers.get().number == "C00000002"
    case = ReturnCase.objects.get(person=person)
    assert case.reference.startswith(officer.authority.code.upper())  # type: ignore[union-attr]
    assert CaseEvent.objects.filter(case=case, action="case.created").exists()
    # Findable like any person: by name and by document number.
    assert [p.pk for p in person_list(viewer=officer, query="importov2")] == [person.pk]
    assert [p.pk for p in person_list(viewer=officer, query="C00000002")] == [person.pk]
    actions = list(AuditEntry.objects.filter(seq__gt=before).values_list("action", flat=True))
    assert actions.count("persons.person.created") == 3
    assert actions.count("returns.case.created") == 3
    assert actions[-1] == "imports.file.imported"
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_row_with_application_columns_drafts_an_application(officer: User) -> None:
    header = [*HEADER, "application_kind", "requested_state"]
    rows = [[*_row(1), "own_nationals", "AZ"], [*_row(2), "", ""]]
    report = _run(officer, _csv(rows, header))
    assert report.saved, report.errors
    assert report.applications == 1
    application = Application.objects.get()
    assert application.status == "draft" and application.requested_state_id == "AZ"
    assert application.return_case.person.surname_latin == "Importov1"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_every_problem_is_reported_with_row_and_column_and_nothing_is_saved(
    officer: User,
) -> None:
    header = [*HEADER, "application_kind", "requested_state"]
    rows = [
        [*_row(1), "", ""],
        [*_row(2, document_expiry="01/05/2031"), "", ""],  # a date in the wrong format
        [*_row(3, surname_latin='=HYPERLINK("http://x")'), "", ""],  # a formula
        [*_row(4, nationality="XX", sex="Q"), "", ""],
        [*_row(5, birth_year=""), "", ""],
        [*_row(6), "own_nationals", "US"],  # no agreement with the United States
        [*_row(7, given_names_latin="+1"), "", ""],
    ]
    before = _counts()
    report = _run(officer, _csv(rows, header))
    assert not report.saved
    assert _counts() == before
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "document_expiry"),
        (4, "surname_latin"),
        (5, "nationality"),
        (5, "sex"),
        (6, "birth_year"),
        (7, "requested_state"),
        (8, "given_names_latin"),
    }
    messages = {e.column: e.message for e in report.errors}
    assert "YYYY-MM-DD" in messages["document_expiry"]
    assert "formula" in messages["surname_latin"]
    # The messages name the rule, never the value.
    assert not any("HYPERLINK" in e.message or "XX" in e.message for e in report.errors)
    assert (report.valid_rows, report.invalid_rows) == (1, 6)


@pytest.mark.django_db
def test_valid_only_saves_the_valid_rows_and_reports_the_others(officer: User) -> None:
    before = Person.objects.count()
    report = _run(officer, _csv([_row(1), _row(2, sex=""), _row(3)]), valid_only=True)
    assert report.saved
    assert (report.persons, report.invalid_rows) == (2, 1)
    assert [(e.row, e.column) for e in report.errors] == [(3, "sex")]
    assert Person.objects.count() == before + 2


@pytest.mark.django_db
def test_dry_run_saves_nothing(officer: User) -> None:
    before = _counts()
    report = _run(officer, _csv([_row(1)]), dry_run=True)
    assert report.ok and not report.saved and report.valid_rows == 1
    assert _counts() == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (_csv([]), "no rows"),
        (
            "surname_latin,given_names_latin,sex,birth_year\nMüller,Jörg,M,1980\n".encode(
                "latin-1"
            ),
            "UTF-8",
        ),
        (b"surname_latin,sex\nA,M\n", "missing: given_names_latin, birth_year"),
        (b"name;vorname;geschlecht\nA;B;M\n", "name the columns"),
        (os.urandom(4096), ""),
        (b"PK\x03\x04" + os.urandom(2048), "XLSX"),
        (b"surname_latin,given_names_latin,sex,birth_year,extra\n", "Unknown columns"),
    ],
    ids=[
        "empty",
        "header-only",
        "latin-1",
        "missing-columns",
        "wrong-header",
        "nonsense",
        "broken-xlsx",
        "unknown-column",
    ],
)
@pytest.mark.django_db
def test_malformed_files_get_a_clear_report_and_save_nothing(
    officer: User, data: bytes, expected: str
) -> None:
    before = _counts()
    report = _run(officer, data, file_name="cases.csv")
    assert not report.saved and report.error_count >= 1
    assert expected in report.errors[0].message
    assert _counts() == before


@pytest.mark.django_db
def test_a_huge_file_is_refused_before_it_is_read(officer: User, tmp_path: Path) -> None:
    # 1 GB of nothing: a sparse file, so the test uses neither the memory nor the disk.
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(1024**3)

    class Unreadable(io.RawIOBase):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the file was read")

    before = _counts()
    report = import_run(actor=officer, stream=Unreadable(), size=path.stat().st_size)  # type: ignore[arg-type]
    assert "too large" in report.errors[0].message
    assert _counts() == before
    with pytest.raises(CommandError):
        call_command("import", str(path), authority=officer.authority.code)  # type: ignore[union-attr]
    assert _counts() == before


@pytest.mark.django_db
def test_too_many_rows_are_refused(officer: User, settings: Any) -> None:
    settings.READMIT_IMPORT_MAX_ROWS = 2
    before = _counts()
    report = _run(officer, _csv([_row(1), _row(2), _row(3)]))
    assert "more than 2 rows" in report.errors[0].message and report.errors[0].row == 4
    assert _counts() == before


def _xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_xlsx_with_numbers_and_date_cells(officer: User) -> None:
    import datetime as dt

    rows = [["Xlsxov", "Ana", "F", 1988, 12, "AZ", "passport", "P123", dt.date(2030, 1, 2)]]
    report = _run(officer, _xlsx(rows), file_name="cases.xlsx")
    assert report.saved, report.errors
    person = Person.objects.get(surname_latin="Xlsxov")
    assert person.birth_month == 12
    assert person.identifiers.get().expiry_date == dt.date(2030, 1, 2)


@pytest.mark.django_db
def test_xlsx_formula_cells_are_reported_not_evaluated(officer: User) -> None:
    rows = [["Xlsxov", "=1+1", "F", 1988, 1, "", "", "", ""]]
    before = _counts()
    report = _run(officer, _xlsx(rows), file_name="cases.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(2, "given_names_latin")]
    assert _counts() == before


def test_templates_name_every_column() -> None:
    text = template_csv().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == list(NAMES)
    sheet = load_workbook(io.BytesIO(template_xlsx())).worksheets[0]
    assert [c.value for c in sheet[1]] == list(NAMES)
    assert set(REQUIRED) <= set(NAMES)


@pytest.mark.django_db
def test_the_template_example_row_imports(officer: User) -> None:
    report = _run(officer, template_csv())
    assert report.saved, report.errors


@pytest.mark.django_db
def test_the_command_line(officer: User, tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(_csv([_row(1), _row(2)]))
    code = officer.authority.code  # type: ignore[union-attr]
    call_command("import", str(good), authority=code, user="de-officer")
    assert Person.objects.filter(surname_latin__startswith="Importov").count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_row(3, birth_year="next year")]))
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import", str(bad), authority=code)
    assert "birth_year" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import", str(good), authority="no-such-authority")


@pytest.mark.django_db
def test_the_web_page_runs_a_job_and_shows_the_report(
    client_as: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("de-officer")
    upload = io.BytesIO(_csv([_row(1), _row(2, document_expiry="2031-13-01")]))
    upload.name = "cases.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Nothing was saved" in body and "document_expiry" in body
    assert "Refresh" not in page  # finished: the page stops refreshing
    assert not Person.objects.filter(surname_latin__startswith="Importov").exists()

    upload = io.BytesIO(_csv([_row(1), _row(2, document_expiry="2031-13-01")]))
    upload.name = "cases.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"file": upload, "valid_only": "on"})
    body = client.get(response["Location"]).content.decode()
    assert "Saved: 1 persons" in body
    assert client.get("/imports/template.xlsx").status_code == 200
    assert client_as("az-officer").get(response["Location"]).status_code == 404
    assert client_as("de-readonly").get(response["Location"]).status_code == 403


@pytest.mark.django_db
def test_a_running_job_page_refreshes_itself(
    client_as: Callable[[str], Client], persona: Callable[[str], User]
) -> None:
    from readmit.imports.models import ImportJob

    officer = persona("de-officer")
    job = ImportJob.objects.create(
        authority=officer.authority, created_by=officer, status="validating", rows_done=5,
        rows_total=10,
    )  # fmt: skip
    page = client_as("de-officer").get(f"/imports/{job.pk}/")
    assert page["Refresh"] == "2"
    assert 'value="50"' in page.content.decode()


@pytest.mark.django_db
def test_the_api_accepts_a_file_and_reports_the_job(
    persona: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    issued = token_create(actor=None, user=persona("de-officer"), name="t", days=5)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    upload = io.BytesIO(_csv([_row(1), _row(2, sex="?")]))
    upload.name = "cases.csv"
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports", {"file": upload, "valid_only": "true"}, **auth)
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    status = client.get(f"/api/v1/imports/{job_id}", **auth).json()
    assert status["status"] == "done" and status["finished"] and status["progress_percent"] == 100
    assert status["report"]["persons"] == 1
    assert status["report"]["errors"] == [
        {"row": 3, "column": "sex", "message": status["report"]["errors"][0]["message"]}
    ]
    template = client.get("/api/v1/imports/template?format=xlsx", **auth)
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).worksheets[0]["A1"].value == NAMES[0]


# --- Rows that draft an application (applications_draft_bulk) ------------------------------

APP_HEADER = [*HEADER, "application_kind", "requested_state", "procedure", "apprehended_on",
              "knowledge_on"]  # fmt: skip


def _app_row(i: int, kind: str = "own_nationals", **over: str) -> list[str]:
    values = {"procedure": "", "apprehended_on": "", "knowledge_on": "", **over}
    return [*_row(i), kind, "AZ", values["procedure"], values["apprehended_on"],
            values["knowledge_on"]]  # fmt: skip


def _refuse_in_call(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    """The drafting of the `call`-th chunk meets a draft the service refuses (its first row
    asks for the accelerated procedure without the date of apprehension)."""
    from readmit.imports import services

    real = services.applications_draft_bulk
    calls = [0]

    def drafting(**kwargs: Any) -> list[int]:
        calls[0] += 1
        if calls[0] == call:
            drafts = list(kwargs["drafts"])
            drafts[0] = drafts[0]._replace(procedure="accelerated", apprehended_on=None)
            kwargs["drafts"] = drafts
        return real(**kwargs)

    monkeypatch.setattr(services, "applications_draft_bulk", drafting)
    monkeypatch.setattr(services, "CHUNK", 2)


@pytest.mark.django_db
def test_drafting_rows_are_saved_in_chunks_with_references_after_earlier_drafts(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readmit.imports import services
    from readmit.readmission.services import PersonInput, application_draft

    monkeypatch.setattr(services, "CHUNK", 2)
    assert _run(officer, _csv([_row(99)])).saved
    case = ReturnCase.objects.get(person__surname_latin="Importov99")
    earlier = application_draft(
        actor=officer, return_case_id=case.pk, kind="own_nationals", requested_state="AZ",
        persons=[PersonInput(person_id=case.person_id, role="principal")],
    )  # fmt: skip
    report = _run(officer, _csv([_app_row(i) for i in range(1, 6)], APP_HEADER))
    assert report.saved, report.errors
    assert (report.persons, report.cases, report.applications) == (5, 5, 5)
    imported = list(Application.objects.exclude(pk=earlier.pk).order_by("pk"))
    prefix, number = earlier.reference.rsplit("-", 1)
    assert [a.reference for a in imported] == [
        f"{prefix}-{n:06d}" for n in range(int(number) + 1, int(number) + 6)
    ]
    assert [a.return_case.person.surname_latin for a in imported] == [  # type: ignore[union-attr]
        f"Importov{i}" for i in range(1, 6)
    ]
    assert all(a.events.get().action == "drafted" for a in imported)
    assert AuditEntry.objects.filter(action="readmission.application.drafted").count() == 6
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_refusal_in_a_later_chunk_leaves_nothing(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_in_call(monkeypatch, call=3)
    before = _counts()
    report = _run(officer, _csv([_app_row(i) for i in range(1, 7)], APP_HEADER))
    assert not report.saved
    assert _counts() == before
    assert [(e.row, e.column) for e in report.errors] == [(6, "apprehended_on")]
    assert (report.persons, report.cases, report.applications) == (0, 0, 0)
    assert audit_verify().ok


@pytest.mark.django_db
def test_valid_only_saves_the_rest_when_the_drafting_refuses_a_row(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_in_call(monkeypatch, call=2)
    before = Application.objects.count()
    report = _run(officer, _csv([_app_row(i) for i in range(1, 6)], APP_HEADER), valid_only=True)
    assert report.saved
    assert [(e.row, e.column) for e in report.errors] == [(4, "apprehended_on")]
    assert (report.persons, report.applications, report.invalid_rows) == (4, 4, 1)
    assert Application.objects.count() == before + 4
    assert not Person.objects.filter(surname_latin="Importov3").exists()
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_row_the_single_path_refuses_is_refused_at_its_column_with_its_message(
    officer: User,
) -> None:
    from readmit.core.errors import ValidationFailed
    from readmit.readmission.services import PersonInput, application_draft

    assert _run(officer, _csv([_row(50)])).saved
    person = Person.objects.get(surname_latin="Importov50")
    case = ReturnCase.objects.get(person=person)
    future = "2999-01-01"
    cases = [  # (row's values, the same draft through the service, the column)
        ({"procedure": "accelerated"}, {"procedure": "accelerated"}, "apprehended_on"),
        ({"procedure": "express"}, {"procedure": "express"}, "procedure"),
        ({"apprehended_on": future}, {"apprehended_on": dt_date(future)}, "apprehended_on"),
        ({"knowledge_on": future}, {"knowledge_on": dt_date(future)}, "knowledge_on"),
    ]
    rows = [_app_row(i, **values) for i, (values, _s, _c) in enumerate(cases, start=1)]
    rows.append(_app_row(len(cases) + 1, kind="third_country_nationals"))
    rows.append(_app_row(len(cases) + 2, kind="readmission_in_error"))
    before = _counts()
    report = _run(officer, _csv(rows, APP_HEADER))
    assert not report.saved and _counts() == before
    got = {(e.row, e.column): e.message for e in report.errors}
    service = [
        *[(single, column) for _v, single, column in cases],
        ({"kind": "third_country_nationals"}, "knowledge_on"),
        ({"kind": "readmission_in_error"}, "kind"),
    ]
    for number, (single, column) in enumerate(service, start=2):
        with pytest.raises(ValidationFailed) as refused:
            application_draft(
                actor=officer, return_case_id=case.pk, requested_state="AZ",
                persons=[PersonInput(person_id=person.pk, role="principal")],
                **{"kind": "own_nationals", **single},
            )  # fmt: skip
        (message,) = refused.value.fields[column]
        import_column = "application_kind" if column == "kind" else column
        assert got[(number, import_column)] == message
    assert len(report.errors) == len(service)


def dt_date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


@pytest.mark.django_db
def test_an_imported_application_shares_what_the_persons_record_holds(officer: User) -> None:
    """The snapshot is built from the rows as the import wrote them (not read back): it must
    be what drafting from the stored person gives, for every column a row can fill."""
    from readmit.persons.sharing import shareable_particulars
    from readmit.readmission.filters import person_search_fields
    from readmit.readmission.models import ApplicationPerson

    header = [*NAMES]
    full = {
        "surname_latin": "Mammadov", "given_names_latin": "Elchin", "sex": "m",
        "birth_year": "1990", "birth_month": "4", "birth_day": "17",
        "surname_original": "Мамедов", "given_names_original": "Эльчин",
        "original_script": "Cyrl", "place_of_birth": "Baku", "birth_country": "az",
        "civil_status": "Married", "languages": "az, ru", "father_name": "Ilham",
        "mother_name": "Aysel", "nationality": "AZ", "nationality_status": "established",
        "document_kind": "Passport", "document_number": "c 0123-4567",
        "document_expiry": "2030-01-31", "application_kind": "own_nationals",
        "requested_state": "AZ",
    }  # fmt: skip
    bare = {"surname_latin": "Bare", "given_names_latin": "Only", "sex": "X",
            "birth_year": "1985", "application_kind": "own_nationals", "requested_state": "AZ"}  # fmt: skip
    report = _run(officer, _csv([[r.get(h, "") for h in header] for r in (full, bare)], header))
    assert report.saved and report.applications == 2, report.errors
    for surname in ("Mammadov", "Bare"):
        stored = Person.objects.get(surname_latin=surname)
        shared = ApplicationPerson.objects.get(person=stored)
        assert shared.particulars == shareable_particulars(stored)
        assert (shared.search_text, shared.nationality_codes) == person_search_fields(
            shareable_particulars(stored)
        )
    full_snapshot = ApplicationPerson.objects.get(person__surname_latin="Mammadov").particulars
    assert full_snapshot["languages"] == ["az", "ru"]
    assert full_snapshot["identity_documents"][0]["expiry_date"] == "2030-01-31"
    assert full_snapshot["nationalities"] == [
        {"state": "AZ", "status": "established", "current": True}
    ]


@pytest.mark.django_db
def test_a_nul_character_is_an_error_of_its_row_and_column(officer: User) -> None:
    rows = [_row(1), _row(2, surname_latin="Impor\x00tov2"), _row(3, document_number="C\x00")]
    before = _counts()
    report = _run(officer, _csv(rows))
    assert not report.saved
    assert _counts() == before
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "surname_latin", "Text cannot contain the NUL character (U+0000)."),
        (4, "document_number", "Text cannot contain the NUL character (U+0000)."),
    ]
    report = _run(officer, _csv(rows), valid_only=True)
    assert report.saved
    assert (report.persons, report.invalid_rows) == (1, 2)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "surname_latin"),
        (4, "document_number"),
    ]
    assert Person.objects.count() == before[0] + 1
    assert Person.objects.filter(surname_latin="Importov1").count() == 1
    assert not Person.objects.filter(surname_latin__startswith="Impor").exclude(
        surname_latin="Importov1"
    )


@pytest.mark.django_db
def test_a_nul_character_in_a_cell_or_the_header_is_reported_on_the_job_page(
    client_as: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("de-officer")
    files = {
        "cell": _csv([_row(1), _row(2, given_names_latin="A\x00li")]),
        "header": _csv([_row(1)], header=[*HEADER[:-1], "document\x00expiry"]),
    }
    pages = {}
    for name, data in files.items():
        upload = io.BytesIO(data)
        upload.name = "cases.csv"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/imports/", {"file": upload, "valid_only": "on"})
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200
        pages[name] = page.content.decode()
    assert "Saved: 1 persons" in pages["cell"]
    assert "given_names_latin" in pages["cell"]
    assert "Text cannot contain the NUL character (U+0000)." in pages["cell"]
    assert "Text cannot contain the NUL character (U+0000)." in pages["header"]
    assert "failed unexpectedly" not in pages["cell"] + pages["header"]
    assert list(Person.objects.filter(surname_latin__startswith="Importov").values_list(
        "surname_latin", flat=True)) == ["Importov1"]  # fmt: skip
