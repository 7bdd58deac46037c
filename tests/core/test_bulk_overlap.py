"""`writes_overlapped`: on SQLite, `rows_insert` writes on a second thread while the caller
goes on; what ends up in the database, and when a read sees it, is as without it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from readmit.accounts.models import User
from readmit.core.bulk import rows_insert, writes_overlapped
from readmit.persons.models import Person

pytestmark = pytest.mark.django_db

WRITER = "readmit-bulk-writer"


def _people(owner: int, count: int, tag: str) -> list[dict[str, Any]]:
    # Two layouts: with and without a place of birth and a birth month (NULL in the statement).
    return [
        {
            "owner_authority_id": owner,
            "surname_latin": f"{tag}{i}",
            "given_names_latin": "Émile Ünal",
            "sex": "MF"[i % 2],
            "birth_year": 1950 + i % 50,
            **({"birth_month": 1 + i % 12, "place_of_birth": "Bak\u0131"} if i % 3 else {}),
            "languages": ["az", "ru"] if i % 2 else [],
        }
        for i in range(count)
    ]


def _stored(ids: list[int]) -> list[dict[str, Any]]:
    rows = Person.objects.filter(pk__in=ids).order_by("pk").values()
    return [
        {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}
        | {"surname_latin": row["surname_latin"][1:]}
        for row in rows
    ]


@pytest.fixture
def owner(persona: Callable[[str], User]) -> int:
    authority_id = persona("de-officer").authority_id
    assert authority_id is not None
    return authority_id


def _writer_running() -> bool:
    return any(t.name == WRITER for t in threading.enumerate())


def test_rows_written_overlapped_are_the_rows_written_without_it(owner: int) -> None:
    plain = rows_insert(Person, _people(owner, 1234, "P"))
    with writes_overlapped():
        # More rows than one statement takes, and a second call after the first.
        overlapped = rows_insert(Person, _people(owner, 1234, "O"))
        more = rows_insert(Person, _people(owner, 3, "M"))
        assert _writer_running() == (connection.vendor == "sqlite")
    assert not _writer_running()
    assert overlapped == list(range(overlapped[0], overlapped[0] + 1234))
    assert more[0] == overlapped[-1] + 1
    assert _stored(overlapped) == _stored(plain)
    assert Person.objects.get(pk=overlapped[5]).surname_latin == "O5"


def test_a_read_in_the_block_sees_every_row_written_before_it(owner: int) -> None:
    with writes_overlapped():
        for round_ in range(3):
            ids = rows_insert(Person, _people(owner, 700, f"R{round_}-"))
            assert Person.objects.filter(pk__in=ids).count() == 700
            # A row written by the ORM in between: the next ids follow it.
            orm = Person.objects.create(**_people(owner, 1, "ORM")[0])
            assert orm.pk == ids[-1] + 1
    assert Person.objects.filter(surname_latin__startswith="R").count() == 2100


def test_a_rollback_to_a_savepoint_undoes_exactly_the_rows_written_after_it(owner: int) -> None:
    with writes_overlapped():
        before = rows_insert(Person, _people(owner, 600, "A"))
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            rows_insert(Person, _people(owner, 600, "B"))
            1 / 0  # noqa: B018 - leaves the inner block by an exception
        after = rows_insert(Person, _people(owner, 600, "C"))
    assert Person.objects.filter(surname_latin__startswith="B").count() == 0
    assert Person.objects.filter(pk__in=before + after).count() == 1200
    assert Person.objects.get(pk=after[0]).surname_latin == "C0"


def test_a_failed_insert_is_raised_and_nothing_in_the_transaction_is_kept(owner: int) -> None:
    count = Person.objects.count()
    broken = _people(owner, 2, "X")
    broken[1]["surname_latin"] = None  # NOT NULL
    with pytest.raises(IntegrityError), transaction.atomic(), writes_overlapped():
        rows_insert(Person, _people(owner, 800, "G"))
        rows_insert(Person, broken)
        rows_insert(Person, _people(owner, 5, "H"))
        Person.objects.count()  # on SQLite, the queued insert's error comes out here
        pytest.fail("the failed insert was not raised")
    assert Person.objects.count() == count
    assert not _writer_running()


def test_leaving_the_block_by_an_exception_ends_the_writer_and_saves_nothing(owner: int) -> None:
    count = Person.objects.count()
    with pytest.raises(KeyError), transaction.atomic(), writes_overlapped():
        rows_insert(Person, _people(owner, 2000, "K"))
        raise KeyError("stop")
    assert not _writer_running()
    assert Person.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_it_runs_only_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="transaction"), writes_overlapped():
        pass


def test_a_failed_last_insert_is_raised_by_the_end_of_the_block(owner: int) -> None:
    count = Person.objects.count()
    broken = _people(owner, 1, "X")
    broken[0]["surname_latin"] = None
    with pytest.raises(IntegrityError), transaction.atomic(), writes_overlapped():
        rows_insert(Person, _people(owner, 600, "G"))
        rows_insert(Person, broken)  # nothing after it in the block
    assert Person.objects.count() == count


def test_a_failed_insert_cannot_be_caught_and_forgotten(owner: int) -> None:
    """Code that catches an IntegrityError and goes on (get_or_create does) would otherwise
    commit the rows around the one that failed."""
    count = Person.objects.count()
    broken = _people(owner, 1, "X")
    broken[0]["surname_latin"] = None
    with pytest.raises(IntegrityError), transaction.atomic(), writes_overlapped():
        rows_insert(Person, broken)
        with pytest.raises(IntegrityError):
            Person.objects.count()
        with pytest.raises(IntegrityError):
            Person.objects.exists()
        rows_insert(Person, _people(owner, 3, "L"))
    assert Person.objects.count() == count


def test_rows_of_a_block_left_by_an_exception_are_taken_back_even_if_it_is_caught(
    owner: int,
) -> None:
    count = Person.objects.count()
    with transaction.atomic():
        try:
            with writes_overlapped():
                rows_insert(Person, _people(owner, 6000, "C"))
                raise KeyError("caught below")
        except KeyError:
            pass
        assert Person.objects.count() == count
        rows_insert(Person, _people(owner, 2, "D"))
    assert Person.objects.count() == count + 2


@pytest.mark.django_db(transaction=True)
def test_closing_the_connection_in_the_block_stops_the_writer_first(owner: int) -> None:
    """Closing SQLite's handle while the other thread runs a statement on it would crash the
    process; the close waits for the thread, and the transaction is lost, as any closed one."""
    with contextlib.suppress(DatabaseError), transaction.atomic(), writes_overlapped():
        rows_insert(Person, _people(owner, 6000, "Z"))
        connection.close()
    assert not _writer_running()
    assert not Person.objects.filter(surname_latin__startswith="Z").exists()
