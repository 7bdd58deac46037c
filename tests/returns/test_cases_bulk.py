"""Opening many cases at once (`cases_create_bulk`, the import's path) keeps the rules of
`case_create`: the actor's own persons only, one active case a person."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from readmit.accounts.models import User
from readmit.core.errors import Conflict, NotFound
from readmit.persons.services import NewPerson, persons_create_bulk
from readmit.returns.models import ReturnCase
from readmit.returns.services.cases import cases_create_bulk

pytestmark = pytest.mark.django_db


def _people(actor: User, count: int) -> list[int]:
    people = [
        NewPerson(
            particulars={
                "surname_latin": f"Bulk{i}",
                "given_names_latin": "Case",
                "sex": "F",
                "birth_year": 1980,
            }
        )
        for i in range(count)
    ]
    with transaction.atomic():
        return persons_create_bulk(actor=actor, people=people)


def test_cases_are_opened_for_the_own_persons_only(persona: Callable[[str], User]) -> None:
    officer, other = persona("de-officer"), persona("nl-officer")
    # Interleaved: the other authority's persons lie among the officer's ids.
    mine, theirs, more = _people(officer, 3), _people(other, 2), _people(officer, 3)
    before = ReturnCase.objects.count()
    for foreign in (theirs[:1], [10**9]):
        with pytest.raises(NotFound), transaction.atomic():
            cases_create_bulk(actor=officer, person_ids=[*mine, *foreign, *more])
    assert ReturnCase.objects.count() == before
    with transaction.atomic():
        ids = cases_create_bulk(actor=officer, person_ids=[*mine, *more])
    assert [ReturnCase.objects.get(pk=pk).person_id for pk in ids] == [*mine, *more]


def test_a_person_with_an_active_case_gets_no_second_one(persona: Callable[[str], User]) -> None:
    officer = persona("de-officer")
    first, second, third, fourth = _people(officer, 4)
    with transaction.atomic():
        cases_create_bulk(actor=officer, person_ids=[second])
    before = ReturnCase.objects.count()
    for ids in ([first, second, third], [first, first], [fourth, second]):
        with pytest.raises(Conflict), transaction.atomic():
            cases_create_bulk(actor=officer, person_ids=ids)
    assert ReturnCase.objects.count() == before
    with transaction.atomic():
        assert len(cases_create_bulk(actor=officer, person_ids=[first, third, fourth])) == 3
