"""Silence, replies per person, the clock while information is awaited, and what the timeline
and the border log keep of every step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from readmit.accounts.models import User
from readmit.audit.models import Transmission
from readmit.readmission import services as s
from readmit.readmission.models import (
    ApplicationStatus,
    DueKind,
    PersonStatus,
)
from readmit.readmission.sweep import deadline_sweep

from .conftest import World
from .walk import foreign_application, start

pytestmark = pytest.mark.django_db

MONDAY = "2026-03-02 10:00:00+01:00"


@pytest.mark.parametrize(
    ("state", "tacit"),
    [("RS", True), ("PK", True), ("AZ", None), ("AL", None)],
    ids=["EU-RS provides it", "EU-PK provides it", "EU-AZ not configured", "EU-AL not configured"],
)
def test_silence_per_agreement(
    world: World, persona: Callable[[str], User], state: str, tacit: bool | None
) -> None:
    if state in ("RS", "AL"):
        from readmit.accounts.models import Authority

        if not Authority.objects.filter(state_id=state, kind="central_authority").exists():
            Authority.objects.create(
                code=f"{state.lower()}-moi",
                name="Ministry of Interior",
                kind="central_authority",
                state_id=state,
            )
    with time_machine.travel(MONDAY, tick=False):
        application = s.application_draft(
            actor=world.officer,
            return_case_id=world.case.pk,
            requested_state=state,
            kind="own_nationals",
            persons=[s.PersonInput(person_id=world.person.pk, role="principal")],
        )
        s.application_submit(actor=world.officer, application_id=application.pk)
    application.refresh_from_db()
    assert application.tacit_acceptance is tacit
    due = application.reply_due
    assert due is not None
    deadline_sweep(today=due)  # the last day is still the requested state's
    assert application.persons.get().status == PersonStatus.PENDING
    late = due + dt.timedelta(days=9)  # the sweep did not run for days
    first, second = deadline_sweep(today=late), deadline_sweep(today=late)
    application.refresh_from_db()
    person = application.persons.get()
    if tacit:
        assert (first.tacitly_accepted, second.tacitly_accepted) == (1, 0)
        assert person.status == PersonStatus.TACITLY_ACCEPTED
        assert person.reply_on == due + dt.timedelta(days=1)
        assert application.status == ApplicationStatus.REPLIED
        event = application.events.get(action="tacitly_accepted")
    else:
        assert (first.marked_overdue, second.marked_overdue) == (1, 0)
        assert person.status == PersonStatus.PENDING
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.overdue_since == due + dt.timedelta(days=1)
        event = application.events.get(action="overdue")
        assert "not configured" in event.summary
    assert (event.due, event.due_kind, event.actor_label) == (due, DueKind.REPLY, "the platform")


def test_where_the_agreement_excludes_tacit_acceptance_silence_is_overdue(world: World) -> None:
    # CH-AZ says in so many words that silence is not acceptance (registry: tacit = no).
    officer, application = foreign_application(
        state="CH", authority_code="ch-sem", requested_state="AZ"
    )
    assert application.agreement.code == "CH-AZ"
    with time_machine.travel(MONDAY, tick=False):
        s.application_submit(actor=officer, application_id=application.pk)
        s.application_acknowledge(
            actor=User.objects.get(username="az-officer"), application_id=application.pk
        )
    application.refresh_from_db()
    assert application.tacit_acceptance is False and application.reply_due is not None
    report = deadline_sweep(today=application.reply_due + dt.timedelta(days=1))
    assert (report.tacitly_accepted, report.marked_overdue) == (0, 1)
    assert "does not provide tacit acceptance" in application.events.get(action="overdue").summary
    assert application.persons.get().status == PersonStatus.PENDING


def test_a_family_with_mixed_replies(world: World, persona: Callable[[str], User]) -> None:
    pk = persona("pk-officer")
    w = start(world, persona, state="PK", family=True).take("submit")
    spouse, child, principal = w.person("spouse"), w.person("child"), w.person("principal")
    s.person_reply(actor=pk, application_id=w.application.pk, person_id=spouse.pk, accept=True)
    s.person_reply(
        actor=pk,
        application_id=w.application.pk,
        person_id=child.pk,
        accept=False,
        reason="not_a_national",
        explanation="The child was born in Iran and holds Iranian nationality only.",
    )
    w.refresh()
    assert w.application.status == ApplicationStatus.SUBMITTED  # the principal still waits
    due = w.application.reply_due
    assert due is not None
    assert deadline_sweep(today=due + dt.timedelta(days=1)).tacitly_accepted == 1
    w.refresh()
    assert w.application.status == ApplicationStatus.REPLIED
    spouse.refresh_from_db()
    child.refresh_from_db()
    principal.refresh_from_db()
    assert (spouse.status, child.status, principal.status) == (
        PersonStatus.ACCEPTED,
        PersonStatus.REFUSED,
        PersonStatus.TACITLY_ACCEPTED,
    )
    assert child.refusal_reason == "not_a_national" and "Iranian" in child.refusal_explanation
    assert principal.reply_on == due + dt.timedelta(days=1)
    # EU-PK: the transfer within 3 months of acceptance, for each from their own acceptance.
    assert spouse.transfer_due is not None and principal.transfer_due is not None
    assert principal.transfer_due > spouse.transfer_due
    # Only the principal was deemed accepted: the two replies stand.
    assert w.application.events.filter(action="tacitly_accepted").count() == 1
    assert w.application.events.filter(action__in=["accepted", "refused"]).count() == 2


def test_more_information_does_not_pause_the_clock_where_no_agreement_says_so(
    world: World, persona: Callable[[str], User]
) -> None:
    # No agreement in the registry configures a pause: the reply period keeps running.
    w = start(world, persona, state="PK").take("submit")
    due = w.application.reply_due
    assert due is not None
    w.take("request_information")
    assert w.application.reply_due == due
    event = w.application.events.get(action="information_requested")
    assert "keeps running" in event.summary and event.due == due
    w.take("provide_information")
    assert w.application.reply_due == due
    w.take("request_information")  # asked again, still waiting when the period ends
    assert w.application.status == ApplicationStatus.INFORMATION_REQUESTED
    assert deadline_sweep(today=due + dt.timedelta(days=1)).tacitly_accepted == 1
    assert w.person().status == PersonStatus.TACITLY_ACCEPTED


def test_the_reply_period_starts_at_the_acknowledgement_where_the_agreement_says_so(
    world: World,
) -> None:
    officer, application = foreign_application(
        state="CH", authority_code="ch-sem", requested_state="AZ"
    )
    with time_machine.travel(MONDAY, tick=False) as clock:
        s.application_submit(actor=officer, application_id=application.pk)
        application.refresh_from_db()
        assert application.reply_due is None  # CH-AZ Art. 8(2): from the acknowledgement
        clock.shift(dt.timedelta(days=3))
        s.application_acknowledge(
            actor=User.objects.get(username="az-officer"), application_id=application.pk
        )
    application.refresh_from_db()
    assert application.clock_started_on == dt.date(2026, 3, 5)
    assert application.reply_due is not None and application.reply_due > dt.date(2026, 3, 30)


def test_a_notification_only_transfer_needs_no_reply(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona, kind="notification_only").take("submit")
    assert w.application.status == ApplicationStatus.REPLIED
    assert w.person().status == PersonStatus.TD_ISSUED
    assert w.application.reply_due is None
    w.take("notify_transfer", "confirm_transfer", "carry_out_transfer", "confirm_handover")
    w.take("close_case")
    assert w.refresh().application.status == ApplicationStatus.CLOSED


def test_a_fully_refused_application_closes(world: World, persona: Callable[[str], User]) -> None:
    w = start(world, persona).take("submit", "refuse")
    assert w.application.status == ApplicationStatus.CLOSED and w.application.closed_at
    assert [e.action for e in w.application.events.order_by("id")][-2:] == ["refused", "closed"]


def test_withdrawal_is_possible_until_the_transfer(
    world: World, persona: Callable[[str], User]
) -> None:
    from readmit.core.errors import IllegalTransition

    w = start(world, persona).take("submit", "accept", "issue_td")
    w.take("withdraw")
    assert w.person().status == PersonStatus.WITHDRAWN
    other = start(world, persona).take("submit", "accept", "issue_td", "notify_transfer")
    with pytest.raises(IllegalTransition) as excinfo:
        other.take("withdraw")
    assert "“Transfer notified”" in excinfo.value.message
    other.take("postpone_transfer", "withdraw")
    assert other.refresh().application.status == ApplicationStatus.WITHDRAWN


def test_every_step_of_a_whole_case_has_actor_time_and_the_deadline_in_force(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona, state="TR").take(
        "submit",
        "acknowledge",
        "record_identification",
        "interview",
        "request_information",
        "provide_information",
        "accept",
        "request_td",
        "issue_td",
        "notify_transfer",
        "confirm_transfer",
        "carry_out_transfer",
        "confirm_handover",
    )
    person = w.person()
    events = list(w.application.events.order_by("at", "id"))
    assert all(e.at is not None and e.actor_label for e in events)
    by_action = {e.action: e for e in events}
    # EU-TR configures no reply period: no deadline is shown for the reply, none invented.
    assert by_action["submitted"].due is None
    assert by_action["accepted"].due == person.transfer_due
    assert by_action["td_requested"].due == person.td_due
    assert by_action["td_requested"].due_kind == DueKind.TRAVEL_DOCUMENT
    assert by_action["transfer_confirmed"].due == person.transfer_due
    assert by_action["transfer_confirmed"].due_kind == DueKind.TRANSFER
    assert person.in_error_window_until is not None  # EU-TR: 3 months after the transfer
    assert by_action["handover_confirmed"].due == person.in_error_window_until
    assert by_action["handover_confirmed"].due_kind == DueKind.READMISSION_IN_ERROR
    assert by_action["accepted"].actor_label == f"{w.requested.username} (tr-pmm)"


def test_the_reply_deadline_is_on_each_step_while_it_runs(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona).take(
        "submit", "acknowledge", "record_identification", "interview", "request_information"
    )
    due = w.application.reply_due
    assert due is not None
    for event in w.application.events.exclude(action="drafted"):
        assert (event.due, event.due_kind) == (due, DueKind.REPLY), event.action


def test_every_message_across_the_border_says_which_fields_it_carried(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona, state="TR").take(
        "submit",
        "acknowledge",
        "record_identification",
        "interview",
        "request_information",
        "provide_information",
        "accept",
        "request_td",
        "issue_td",
        "notify_transfer",
        "postpone_transfer",
        "notify_transfer",
        "confirm_transfer",
        "carry_out_transfer",
        "confirm_handover",
        "claim_in_error",
        "close_case",
    )
    sent = list(Transmission.objects.filter(object_id=str(w.application.pk)))
    assert len(sent) >= 15
    assert all(t.fields_sent for t in sent), [t.message for t in sent if not t.fields_sent]
    refusal = start(world, persona).take("submit", "refuse")
    reply = Transmission.objects.get(object_id=str(refusal.application.pk), message="reply")
    assert {"refusal_reason", "refusal_explanation"} <= set(reply.fields_sent)
