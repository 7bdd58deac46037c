"""Two officers at once: distinct case references, one active case per person.
Real concurrent connections (threads, each with its own)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from readmit.accounts.models import User
from readmit.core.errors import Conflict
from readmit.persons.models import Person
from readmit.returns.models import ReturnCase
from readmit.returns.services import case_create

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # the loser's error is the result under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_cases_opened_at_once_get_distinct_references(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    officer, supervisor = persona("de-officer"), persona("de-supervisor")
    first, second, third = make_person(), make_person(), make_person()
    results = _race(
        lambda: case_create(actor=officer, person_id=first.pk),
        lambda: case_create(actor=supervisor, person_id=second.pk),
        lambda: case_create(actor=officer, person_id=third.pk),
    )
    assert all(isinstance(r, ReturnCase) for r in results), results
    references = {r.reference for r in results}
    assert len(references) == 3
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in references)
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_one_active_case_even_when_two_officers_open_it_at_once(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    officer, supervisor = persona("de-officer"), persona("de-supervisor")
    results = _race(
        lambda: case_create(actor=officer, person_id=person.pk),
        lambda: case_create(actor=supervisor, person_id=person.pk),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], Conflict)
    assert ReturnCase.objects.filter(person=person).count() == 1
