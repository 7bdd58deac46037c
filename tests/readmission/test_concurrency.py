"""Two officers replying at once, or a reply racing the deadline sweep: one outcome, and a
clear message to the one who lost. Real concurrent connections (threads, each with its own)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connections

from readmit.accounts.models import User
from readmit.core.errors import Conflict, DomainError
from readmit.readmission import services as s
from readmit.readmission.models import Application, PersonStatus
from readmit.readmission.sweep import deadline_sweep

from .conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in threads with their own connections."""
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


def test_two_officers_replying_at_once_end_with_one_reply(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    principal = application.persons.get().pk
    officer, supervisor = persona("az-officer"), persona("az-supervisor")
    results = _race(
        lambda: s.person_reply(
            actor=officer, application_id=application.pk, person_id=principal, accept=True
        ),
        lambda: s.person_reply(
            actor=supervisor,
            application_id=application.pk,
            person_id=principal,
            accept=False,
            reason="not_a_national",
            explanation="No trace of this person in any registry.",
        ),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], Conflict) and "already answered" in errors[0].message
    person = application.persons.get()
    winner = next(r for r in results if not isinstance(r, Exception))
    assert person.status == winner.status
    assert application.events.filter(action__in=["accepted", "refused"]).count() == 1


def test_a_reply_racing_the_sweep_ends_with_one_outcome(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    with time_machine.travel("2026-03-02 10:00:00+01:00", tick=False):
        application = draft(requested_state="RS")  # EU-RS: tacit acceptance after 10 days
        s.application_submit(actor=world.officer, application_id=application.pk)
    principal = application.persons.get().pk
    with time_machine.travel("2026-03-13 09:00:00+01:00", tick=True):
        from readmit.accounts.models import Authority
        from readmit.accounts.services import user_create

        authority = Authority.objects.create(
            code="rs-moi",
            name="Ministry of Interior of Serbia",
            kind="central_authority",
            state_id="RS",
        )
        serbian = user_create(
            actor=None,
            authority=authority,
            username="rs-officer",
            role="officer",
            password="a-long-test-password-1",
        )
        results = _race(
            lambda: s.person_reply(
                actor=serbian,
                application_id=application.pk,
                person_id=principal,
                accept=False,
                reason="not_a_national",
                explanation="The person is not a Serbian national.",
            ),
            lambda: deadline_sweep(today=dt.date(2026, 3, 13)),
        )
    person = application.persons.get()
    reply, sweep = results
    if isinstance(reply, DomainError):
        # The sweep won: the reply came too late and is told so in plain words.
        assert person.status == PersonStatus.TACITLY_ACCEPTED
        assert reply.code == "already_tacitly_accepted" and "deemed agreed" in reply.message
        assert sweep.tacitly_accepted == 1
    else:
        assert person.status == PersonStatus.REFUSED
        assert sweep.tacitly_accepted == 0
    assert application.events.filter(action__in=["refused", "tacitly_accepted"]).count() == 1


def test_the_transfer_racing_the_sweep_that_expires_its_document_ends_with_one_outcome(
    world: World, persona: Callable[[str], User]
) -> None:
    """The sweep locks in the services' order (application, person, document): no deadlock,
    and either the transfer is carried out or the document expired first, never both."""
    from django.utils import timezone

    from readmit.core.errors import IllegalTransition
    from readmit.readmission.models import TravelDocument

    from .walk import issue_td, start

    w = start(world, persona).take("submit", "accept")
    today = timezone.localdate()
    issue_td(w, valid_days=12)  # the transfer is planned in 10 days
    w.take("notify_transfer", "confirm_transfer")
    assert w.transfer is not None
    transfer_id = w.transfer.pk
    results = _race(
        lambda: s.transfer_carry_out(
            actor=world.officer, application_id=w.application.pk, transfer_id=transfer_id
        ),
        lambda: deadline_sweep(today=today + dt.timedelta(days=13)),
    )
    carried, sweep = results
    assert not isinstance(sweep, Exception), sweep
    person = w.person()
    document = TravelDocument.objects.get(person=person)
    if isinstance(carried, Exception):
        assert isinstance(carried, IllegalTransition), carried
        assert person.status == PersonStatus.TD_EXPIRED and document.status == "expired"
        assert sweep.documents_expired == 1
    else:
        assert person.status == PersonStatus.TRANSFERRED and document.status == "used"
        assert sweep.documents_expired == 0
