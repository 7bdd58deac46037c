"""`rows_insert` writes what the ORM would write for the same values, defaults included."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from readmit.accounts.models import State, User
from readmit.core.bulk import JSONText, json_encoder, rows_insert
from readmit.persons.models import Identifier, Person
from readmit.returns.models import CaseEvent, ReturnCase

pytestmark = pytest.mark.django_db


def _stored(obj: models.Model, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row as read back from the database, without its id and timestamps."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {
        f.attname: getattr(fresh, f.attname)
        for f in type(obj)._meta.concrete_fields
        if not f.primary_key and f.attname not in skip
    }


def _same_as_the_orm(
    model: type[models.Model], values: dict[str, Any], skip: tuple[str, ...] = ()
) -> models.Model:
    by_orm = model.objects.create(**values)
    (pk,) = rows_insert(model, [values])
    by_bulk = model.objects.get(pk=pk)
    assert pk > by_orm.pk
    assert _stored(by_bulk, skip=skip) == _stored(by_orm, skip=skip)
    return by_bulk


def test_rows_read_back_as_the_orm_writes_them(persona: Callable[[str], User]) -> None:
    officer = persona("de-officer")
    person = _same_as_the_orm(
        Person,
        {
            "owner_authority_id": officer.authority_id,
            "surname_latin": "Bulk",
            "given_names_latin": "Row",
            "surname_original": "Булк",
            "original_script": "Cyrl",
            "sex": "F",
            "birth_year": 1979,
            "birth_month": 12,
            "birth_country": State.objects.get(code="GE"),
            "languages": ["ka", "ru"],
        },
        skip=("created_at", "updated_at"),
    )
    assert person.civil_status == "unknown" and person.photo.name == ""
    assert abs(person.created_at - timezone.now()) < dt.timedelta(minutes=1)
    assert person.created_at == person.updated_at
    _same_as_the_orm(
        Identifier,
        {
            "person_id": person.pk,
            "kind": "passport",
            "number": "GE123",
            "number_normalised": "GE123",
            "expiry_date": dt.date(2029, 2, 28),
        },
        skip=("created_at",),
    )
    case = ReturnCase.objects.create(
        owner_authority_id=officer.authority_id, person=person, reference="X-1"
    )
    _same_as_the_orm(
        CaseEvent,
        {
            "case_id": case.pk,
            "at": timezone.now(),
            "action": "case.created",
            "actor_id": officer.pk,
            "detail": {"reference": "X-1", "n": [1, 2]},
        },
    )


def test_ids_are_returned_in_the_order_of_the_rows(persona: Callable[[str], User]) -> None:
    owner = persona("de-officer").authority_id
    rows = [
        {
            "owner_authority_id": owner,
            "surname_latin": f"N{i}",
            "given_names_latin": "G",
            "sex": "M",
            "birth_year": 1990 + i,
        }
        for i in range(5)
    ]
    ids = rows_insert(Person, rows)
    assert len(set(ids)) == 5
    assert [Person.objects.get(pk=pk).surname_latin for pk in ids] == [f"N{i}" for i in range(5)]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction(persona: Callable[[str], User]) -> None:
    owner = persona("de-officer").authority_id
    row = {"owner_authority_id": owner, "surname_latin": "A", "given_names_latin": "B",
           "sex": "M", "birth_year": 1990}  # fmt: skip
    with pytest.raises(RuntimeError, match="transaction"):
        rows_insert(Person, [row])
    with transaction.atomic():
        assert len(rows_insert(Person, [row])) == 1


def test_uuids_shared_json_values_and_rows_naming_different_fields(
    persona: Callable[[str], User],
) -> None:
    """Rows of one call may name different fields (each takes the defaults of the others);
    a value shared by several rows is written for each; a UUID given as text is one."""
    from readmit.imports.models import ImportJob

    officer = persona("de-officer")
    given = uuid.uuid4()
    shared = {"rows": 3, "errors": [{"row": 1, "column": "sex", "message": "Ünknown"}]}
    common = {"authority_id": officer.authority_id, "created_by_id": officer.pk}
    rows = [
        {**common, "public_id": given, "report": shared},
        {**common, "report": shared, "size": 10},
        {"size": 20, **common, "public_id": "0123456789abcdef0123456789abcdef"},
        {**common},
    ]
    by_orm = [
        ImportJob.objects.create(**{k: v for k, v in row.items() if k != "public_id"})
        for row in rows
    ]
    ids = rows_insert(ImportJob, rows)
    # `file` (nullable): the ORM writes an empty name, rows_insert NULL; both are no file.
    skip = ("public_id", "created_at", "file")
    for orm, pk in zip(by_orm, ids, strict=True):
        assert _stored(ImportJob(pk=pk), skip=skip) == _stored(orm, skip=skip)
    jobs = ImportJob.objects.in_bulk(ids)
    assert jobs[ids[0]].public_id == given
    assert jobs[ids[2]].public_id == uuid.UUID("0123456789abcdef0123456789abcdef")
    assert len({j.public_id for j in jobs.values()} | {j.public_id for j in by_orm}) == 8
    assert jobs[ids[1]].report == shared and jobs[ids[3]].report == {}


def test_json_text_encoded_by_the_caller_is_written_as_it_is(
    persona: Callable[[str], User],
) -> None:
    officer = persona("de-officer")
    case = ReturnCase.objects.create(
        owner_authority_id=officer.authority_id,
        person=Person.objects.create(owner_authority_id=officer.authority_id, surname_latin="J",
                                     given_names_latin="T", sex="F", birth_year=1990),
        reference="J-1",
    )  # fmt: skip
    value = {"reference": "J-1", "names": ["Əli", 'quote " \\'], "n": 2}
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (pk,) = rows_insert(CaseEvent, [{"case_id": case.pk, "action": "x", "at": timezone.now(),
                                     "detail": JSONText(text)}])  # fmt: skip
    assert CaseEvent.objects.get(pk=pk).detail == value
    stored = CaseEvent.objects.filter(pk=pk).values_list("detail", flat=True)
    if connection.vendor == "sqlite":  # jsonb keeps no text
        with connection.cursor() as cursor:
            cursor.execute("SELECT detail FROM returns_caseevent WHERE id = %s", [pk])
            assert cursor.fetchone()[0] == text
    assert list(stored) == [value]


def test_written_gives_what_reading_the_rows_back_gives(persona: Callable[[str], User]) -> None:
    owner = persona("de-officer").authority_id
    rows = [
        {"owner_authority_id": owner, "surname_latin": "W", "given_names_latin": "R",
         "sex": "F", "birth_year": 1980, "birth_country": State.objects.get(code="GE")},
        {"owner_authority_id": owner, "surname_latin": "V", "given_names_latin": "S",
         "sex": "M", "birth_year": 1981, "languages": ["ru"]},
    ]  # fmt: skip
    written: list[dict[str, Any]] = []
    ids = rows_insert(Person, rows, written=written)
    read = {r["id"]: r for r in Person.objects.filter(pk__in=ids).values()}
    assert [read[pk] for pk in ids] == written
    assert written[0]["birth_country_id"] == "GE" and written[1]["languages"] == ["ru"]


def test_unfilled_columns_and_booleans_read_back_as_written(
    persona: Callable[[str], User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns no row fills read back empty and booleans as given, on both databases. On SQLite
    those columns are NULL in the statement and booleans are bound as integers (sqlite3 looks
    for an adapter for every None and bool it binds)."""
    import sqlite3
    from types import SimpleNamespace

    from django.db import connection

    from readmit.core import bulk
    from readmit.persons.models import Nationality

    sqlite = connection.vendor == "sqlite"
    calls: list[tuple[str, list[Any]]] = []

    def executemany(cursor: Any, sql: str, params: Any) -> Any:
        params = list(params)
        calls.append((sql, params))
        return sqlite3.Cursor.executemany(cursor, sql, params)

    if sqlite:  # PostgreSQL writes with COPY: only what is read back is checked there
        monkeypatch.setattr(
            bulk, "sqlite3", SimpleNamespace(Cursor=SimpleNamespace(executemany=executemany))
        )
    owner = persona("de-officer").authority_id
    (pk,) = rows_insert(
        Person,
        [{"owner_authority_id": owner, "surname_latin": "N", "given_names_latin": "B",
          "sex": "F", "birth_year": 1980}],
    )  # fmt: skip
    rows_insert(
        Nationality,
        [{"person_id": pk, "state_id": "GE", "status": "claimed", "current": False},
         {"person_id": pk, "state_id": "AZ", "status": "claimed"}],
    )  # fmt: skip
    if sqlite:
        # The person's row, then the nationalities' two layouts (one names `current`).
        assert len(calls) == 3 and "NULL" in calls[0][0]
        bound = [v for _, params in calls for row in params for v in row]
        assert not [v for v in bound if v is None or type(v) is bool]
    person = Person.objects.get(pk=pk)
    assert (person.birth_day, person.birth_country_id, person.photo.name) == (None, None, "")
    assert dict(Nationality.objects.filter(person_id=pk).values_list("state_id", "current")) == {
        "GE": False,
        "AZ": True,
    }


@pytest.mark.parametrize(
    "encoder",
    [
        json.JSONEncoder(),
        DjangoJSONEncoder(),
        json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    ],
    ids=["default", "django", "canonical"],
)
def test_json_encoder_writes_what_the_encoder_writes(encoder: json.JSONEncoder) -> None:
    values: list[Any] = [
        {"b": "é ü 漢字 \u2028 \"q\" \\ \x00", "a": [1, 2.5, None, True, {"z": 1e300, "y": -0.0}]},
        {"nested": {"z": 1, "a": {"c": [], "b": {}}}, 1: "int key", "": ""},
        [], {}, "str é", 3, 1.5, None, False, float("nan"), float("inf"),
        {"when": dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC), "day": dt.date(2020, 2, 29),
         "id": uuid.UUID("0123456789abcdef0123456789abcdef"), "amount": Decimal("1.10")},
    ]  # fmt: skip
    encode = json_encoder(encoder)
    for value in values:
        try:
            expected = encoder.encode(value)
        except TypeError:
            with pytest.raises(TypeError):
                encode(value)
        else:
            assert encode(value) == expected
    # Used again after an error, it still writes the same.
    assert encode(values[0]) == encoder.encode(values[0])
