"""Foreign keys without an index of their own (`db_index=False`) are still looked up through an
index: a composite index (or unique constraint) that starts with the column. Checked on the
query plans of the database the tests run on (SQLite or PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, models

from readmit.accounts.models import Authority
from readmit.persons.models import Nationality, Person
from readmit.readmission.models import (
    SCOPE_POST,
    SCOPE_SENDER,
    SCOPE_STATE,
    Application,
    ApplicationEvent,
    Scope,
)
from readmit.returns.models import ReturnCase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_sequential_scans() -> Iterator[None]:
    """PostgreSQL reads tables this small sequentially whatever their indexes: forbid it, so
    the plan shows whether an index can serve the query (it falls back to a sequential scan
    when none can)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    yield


def _plan(qs: models.QuerySet) -> str:  # type: ignore[type-arg]
    return qs.explain()


def _uses_index(plan: str, table: str, column: str) -> bool:
    """The plan reaches `table` through an index searched on `column` (not a full scan)."""
    if connection.vendor == "sqlite":
        if re.search(rf"\bSCAN {table}\b", plan):
            return False
        return bool(
            re.search(rf"SEARCH {table} USING (COVERING )?INDEX \w+ \([^)]*\b{column}\b", plan)
        )
    if f"Seq Scan on {table}" in plan:
        return False
    return bool(re.search(rf"Index Cond: \(+{column}\b", plan))


CASES: dict[str, tuple[Callable[[Authority], models.QuerySet], str, str]] = {  # type: ignore[type-arg]
    # The scope rule (`in_scope`): what each side sees, through the composite indexes.
    "sender's applications": (
        lambda a: Application.objects.in_scope(Scope(SCOPE_SENDER, authority=a.pk)),
        "readmission_application",
        "requesting_authority_id",
    ),
    "requested state's applications": (
        lambda a: Application.objects.in_scope(Scope(SCOPE_STATE, state=a.state_id)),
        "readmission_application",
        "requested_state_id",
    ),
    "consular post's applications": (
        lambda a: Application.objects.in_scope(
            Scope(SCOPE_POST, authority=a.pk, state=a.state_id, senders=(a.pk,))
        ),
        "readmission_application",
        "requested_state_id",
    ),
    # What deleting (or protecting) the referenced row looks up.
    "applications of an authority (protect)": (
        lambda a: Application.objects.filter(requesting_authority_id=a.pk),
        "readmission_application",
        "requesting_authority_id",
    ),
    "applications to a state (protect)": (
        lambda a: Application.objects.filter(requested_state_id=a.state_id),
        "readmission_application",
        "requested_state_id",
    ),
    "events of an application": (
        lambda a: ApplicationEvent.objects.filter(application_id=a.pk),
        "readmission_applicationevent",
        "application_id",
    ),
    "persons of an authority": (
        lambda a: Person.objects.filter(owner_authority_id=a.pk),
        "persons_person",
        "owner_authority_id",
    ),
    "nationalities of a person": (
        lambda a: Nationality.objects.filter(person_id=a.pk),
        "persons_nationality",
        "person_id",
    ),
    "return cases of an authority": (
        lambda a: ReturnCase.objects.filter(owner_authority_id=a.pk),
        "returns_returncase",
        "owner_authority_id",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_foreign_key_without_its_own_index_is_searched_through_a_composite_one(
    case: str, authority: Callable[[str], Authority]
) -> None:
    make, table, column = CASES[case]
    plan = _plan(make(authority("de-lea-berlin")).order_by())
    assert _uses_index(plan, table, column), plan


def test_the_check_sees_a_full_scan(authority: Callable[[str], Authority]) -> None:
    # The check itself: a filter on a column no index starts with is not an index search.
    plan = _plan(Application.objects.filter(observations="x").order_by())
    assert not _uses_index(plan, "readmission_application", "observations"), plan


DROPPED = [
    ("readmission_application", "requesting_authority_id"),
    ("readmission_application", "requested_state_id"),
    ("readmission_applicationevent", "application_id"),
    ("persons_person", "owner_authority_id"),
    ("persons_nationality", "person_id"),
    ("returns_returncase", "owner_authority_id"),
]


@pytest.mark.parametrize(("table", "column"), DROPPED)
def test_the_migration_dropped_only_the_index_and_kept_the_foreign_key(
    table: str, column: str
) -> None:
    """`core.schema.DropColumnIndex` takes the column's own index away, not its foreign-key
    constraint (Django's AlterField would drop it and add it back, re-checking every row)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert [
        name
        for name, info in constraints.items()
        if info["foreign_key"] and info["columns"] == [column]
    ], constraints
    assert not [
        name
        for name, info in constraints.items()
        if info["index"] and info["columns"] == [column] and not info["unique"]
    ], constraints
