"""The import's bulk save: rows written as plain values, audit entries hashed in bulk. These
tests catch what a broken bulk path would do: link a row to another person, reuse an id,
write an entry that says something else or breaks the chain, accept a row a service refuses,
or leave part of a file behind."""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable
from typing import Any

import pytest

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry, AuditHead
from readmit.audit.services import audit_verify
from readmit.core.errors import ValidationFailed
from readmit.imports import services as import_services
from readmit.imports.services import ImportReport, import_run
from readmit.persons.models import Identifier, Nationality, Person
from readmit.persons.services import identifier_add, person_create
from readmit.returns.models import CaseEvent, ReturnCase
from readmit.returns.services.cases import case_create

pytestmark = pytest.mark.django_db

HEADER = ["surname_latin", "given_names_latin", "sex", "birth_year", "birth_month", "birth_day",
          "original_script", "place_of_birth", "nationality", "document_kind", "document_number",
          "document_expiry"]  # fmt: skip


def _row(i: int, **over: str) -> list[str]:
    values = {
        "surname_latin": f"Bulkov{i}",
        "given_names_latin": "Ilham",
        "sex": "M",
        "birth_year": "1988",
        "birth_month": "7",
        "birth_day": "9",
        "place_of_birth": "Ganja",
        "nationality": "AZ",
        "document_kind": "passport",
        "document_number": f"P{i:07d}",
        "document_expiry": "2030-02-28",
        **over,
    }
    return [values.get(h, "") for h in HEADER]


def _run(actor: User, rows: list[list[str]], **kwargs: Any) -> ImportReport:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = out.getvalue().encode()
    return import_run(actor=actor, stream=io.BytesIO(data), size=len(data), **kwargs)


def _counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Nationality.objects.count(),
        Identifier.objects.count(),
        ReturnCase.objects.count(),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def officer(persona: Callable[[str], User]) -> User:
    return persona("de-officer")


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a chunk, so that a few rows cross chunk boundaries."""
    monkeypatch.setattr(import_services, "CHUNK", 2)


@pytest.mark.usefixtures("small_chunks")
def test_every_row_is_linked_to_its_own_person_across_chunks(officer: User) -> None:
    states = {1: "AZ", 2: "GE", 3: "AM", 4: "PK", 5: "RS"}
    report = _run(officer, [_row(i, nationality=states[i]) for i in range(1, 6)])
    assert report.saved and report.persons == 5, report.errors
    references = []
    for i in range(1, 6):
        person = Person.objects.get(surname_latin=f"Bulkov{i}")
        assert (person.birth_year, person.birth_month, person.birth_day) == (1988, 7, 9)
        assert person.owner_authority_id == officer.authority_id
        assert person.created_at is not None and person.languages == []
        assert person.civil_status == "unknown"
        assert [(n.state_id, n.status) for n in person.nationalities.all()] == [
            (states[i], "claimed")
        ]
        document = person.identifiers.get()
        assert (document.number, str(document.expiry_date)) == (f"P{i:07d}", "2030-02-28")
        case = ReturnCase.objects.get(person=person)
        assert case.status == "open" and case.created_by_id == officer.pk
        event = CaseEvent.objects.get(case=case)
        assert (event.action, event.detail) == ("case.created", {"reference": case.reference})
        references.append(case.reference)
    assert len(set(references)) == 5
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == list(range(numbers[0], numbers[0] + 5))


@pytest.mark.usefixtures("small_chunks")
def test_each_entry_says_what_the_services_record_and_the_chain_verifies(officer: User) -> None:
    before = AuditHead.objects.get(id=1).seq if AuditHead.objects.exists() else 0
    report = _run(officer, [_row(i) for i in range(1, 4)])
    assert report.saved, report.errors
    # A single write after the bulk ones must continue the same chain.
    later = person_create(
        actor=officer, surname_latin="After", given_names_latin="Import", sex="F", birth_year=1990
    )
    person = Person.objects.get(surname_latin="Bulkov2")
    case = ReturnCase.objects.get(person=person)
    entries = AuditEntry.objects.filter(seq__gt=before)
    created = entries.get(action="persons.person.created", object_id=str(person.pk))
    assert created.object_type == "persons.person"
    assert created.owner_authority_id == officer.authority_id
    assert (created.actor_id, created.actor_username) == (officer.pk, "de-officer")
    assert created.changes == {
        "surname_latin": "Bulkov2",
        "given_names_latin": "Ilham",
        "sex": "M",
        "birth_year": 1988,
        "birth_month": 7,
        "birth_day": 9,
        "place_of_birth": "Ganja",
        "nationality": {"state": "AZ", "status": "claimed"},
        "document": {"kind": "passport", "number": "P0000002", "expiry_date": "2030-02-28"},
    }
    opened = entries.get(action="returns.case.created", object_id=str(case.pk))
    assert opened.object_type == "returns.returncase"
    assert opened.changes == {"case": case.pk, "reference": case.reference, "person": person.pk}
    assert entries.filter(action="persons.person.created").count() == 4  # 3 imported, 1 later
    assert entries.filter(action="returns.case.created").count() == 3
    assert entries.last().object_id == str(later.pk)  # type: ignore[union-attr]
    # The head is the last entry, and every entry hashes and links as one chain.
    head = AuditHead.objects.get(id=1)
    assert head.seq == AuditEntry.objects.order_by("seq").last().seq  # type: ignore[union-attr]
    result = audit_verify()
    assert result.ok, result.problem
    assert result.checked == AuditEntry.objects.count()


def test_ids_continue_after_an_import_and_are_never_reused(officer: User) -> None:
    gone = person_create(
        actor=officer, surname_latin="Gone", given_names_latin="Soon", sex="X", birth_year=1970
    )
    Person.objects.filter(pk=gone.pk).delete()  # the newest id, its row deleted
    report = _run(officer, [_row(1), _row(2)])
    assert report.saved, report.errors
    imported = list(
        Person.objects.filter(surname_latin__startswith="Bulkov").values_list("pk", flat=True)
    )
    assert min(imported) > gone.pk
    # The services' own inserts carry on after the import's ids.
    after = person_create(
        actor=officer, surname_latin="Next", given_names_latin="One", sex="F", birth_year=1980
    )
    assert after.pk > max(imported)
    document = identifier_add(actor=officer, person_id=after.pk, kind="passport", number="Z1")
    assert document.pk > Identifier.objects.exclude(pk=document.pk).latest("pk").pk
    case = case_create(actor=officer, person_id=after.pk)
    assert case.pk > ReturnCase.objects.exclude(pk=case.pk).latest("pk").pk
    assert audit_verify().ok


@pytest.mark.usefixtures("small_chunks")
def test_a_failure_while_saving_leaves_nothing_behind(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts()
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    real = import_services.cases_create_bulk
    calls = []

    def fails_on_the_second_chunk(**kwargs: Any) -> list[int]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(import_services, "cases_create_bulk", fails_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        _run(officer, [_row(i) for i in range(1, 5)])
    assert _counts() == before  # the first chunk's rows and entries are gone too
    assert AuditHead.objects.filter(id=1).values_list("seq", "hash").first() == head
    assert audit_verify().ok
    # The ids and references reserved by the failed import are free again: a new import works.
    monkeypatch.setattr(import_services, "cases_create_bulk", real)
    report = _run(officer, [_row(i) for i in range(1, 5)])
    assert report.saved and report.persons == 4, report.errors
    assert audit_verify().ok


def test_all_or_nothing_when_one_row_is_invalid(officer: User) -> None:
    before = _counts()
    report = _run(officer, [_row(1), _row(2), _row(3, sex="")])
    assert not report.saved and _counts() == before
    report = _run(officer, [_row(1), _row(2), _row(3, sex="")], valid_only=True)
    assert report.saved and report.persons == 2
    assert Person.objects.filter(surname_latin__startswith="Bulkov").count() == 2
    assert not Person.objects.filter(surname_latin="Bulkov3").exists()


def _person_refusal(**particulars: Any) -> Callable[[User], dict[str, list[str]]]:
    def refuse(actor: User) -> dict[str, list[str]]:
        values = {"surname_latin": "Bulkov", "given_names_latin": "Ilham", "sex": "M",
                  "birth_year": 1988, **particulars}  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            person_create(actor=actor, **values)
        return refused.value.fields

    return refuse


def _document_refusal(**document: Any) -> Callable[[User], dict[str, list[str]]]:
    def refuse(actor: User) -> dict[str, list[str]]:
        person = person_create(
            actor=actor, surname_latin="Holder", given_names_latin="A", sex="F", birth_year=1990
        )
        values = {"kind": "passport", "number": "P1", **document}
        with pytest.raises(ValidationFailed) as refused:
            identifier_add(actor=actor, person_id=person.pk, **values)
        return refused.value.fields

    return refuse


@pytest.mark.parametrize(
    ("cells", "column", "service", "field"),
    [
        ({"surname_latin": "S" * 201}, "surname_latin", _person_refusal(surname_latin="S" * 201),
         "surname_latin"),
        ({"original_script": "Latin1"}, "original_script",
         _person_refusal(original_script="Latin1"), "original_script"),
        ({"birth_month": "2", "birth_day": "30"}, "birth_day",
         _person_refusal(birth_month=2, birth_day=30), "birth_day"),
        ({"birth_year": "2999", "birth_month": "", "birth_day": ""}, "birth_year", _person_refusal(birth_year=2999), "birth_year"),
        ({"document_number": "N" * 61}, "document_number", _document_refusal(number="N" * 61),
         "number"),
        ({"document_kind": "library_card"}, "document_kind",
         _document_refusal(kind="library_card"), "kind"),
    ],
)  # fmt: skip
def test_a_row_a_service_refuses_is_refused_by_the_import_with_its_message(
    officer: User,
    cells: dict[str, str],
    column: str,
    service: Callable[[User], dict[str, list[str]]],
    field: str,
) -> None:
    refused_by_service = service(officer)[field]
    before = _counts()
    report = _run(officer, [_row(1), _row(2, **cells)])
    assert not report.saved and _counts() == before
    assert {(e.row, e.column) for e in report.errors} == {(3, column)}
    assert [e.message for e in report.errors] == refused_by_service


def test_the_cyclic_gc_is_paused_while_importing_and_resumed_after(officer: User) -> None:
    enabled: list[bool] = []

    def seen(phase: str, done: int, total: int | None) -> None:
        enabled.append(gc.isenabled())

    assert gc.isenabled()
    report = _run(officer, [_row(i) for i in range(1, 4)], progress=seen)
    assert report.saved, report.errors
    assert enabled and not any(enabled)  # paused while validating and saving
    assert gc.isenabled()
    # Also after an import that fails while saving.
    with pytest.raises(RuntimeError):
        _run(officer, [_row(i) for i in range(1, 4)], progress=_failing_when_saving)
    assert gc.isenabled()


def test_a_paused_cyclic_gc_stays_paused(officer: User) -> None:
    gc.disable()
    try:
        report = _run(officer, [_row(1)])
        assert report.saved, report.errors
        assert not gc.isenabled()
    finally:
        gc.enable()


def _failing_when_saving(phase: str, done: int, total: int | None) -> None:
    if phase == "saving":
        raise RuntimeError("disk full")
