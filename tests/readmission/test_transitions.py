"""Every entry of the transition tables, taken through the real services.

The tests are parametrised from `workflow.APPLICATION` and `workflow.PERSON` themselves: an
entry added to a table without a way to perform it here fails (`PERFORM` has no step for it),
and an entry no service honours fails because the status after the step is not the table's.

For each (status, action): bring an application (or its principal person) into the status
through the services, check that a stranger gets 404, the other side 403 (wrong side) and a
role without the capability 403, all changing nothing; then take the step and check the new
status, the timeline event with its actor, the audit entry and the other side's notification.
Every user action not in the table for a status is refused with 409, changing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry, Transmission
from readmit.core.errors import DomainError, Forbidden, NotFound
from readmit.notifications.models import Notification
from readmit.readmission import workflow
from readmit.readmission.models import Application, ApplicationEvent, Transfer, TravelDocument
from readmit.readmission.models import ApplicationStatus as A
from readmit.readmission.workflow import REQUESTED, REQUESTING, SYSTEM

from .conftest import World
from .walk import APPLICATION_PATH, PERSON_PATH, STEPS, Walk, start, state_for

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Perform:
    steps: tuple[str, ...]  # the steps (walk.STEPS) that perform the action
    event: str  # the timeline event it writes
    notified: str  # the side that is told
    family: bool = False  # needs persons still waiting after the principal's reply
    kind: str = "own_nationals"


_TO_CLOSED = (
    "issue_td",
    "notify_transfer",
    "confirm_transfer",
    "carry_out_transfer",
    "confirm_handover",
    "close_case",
)

PERFORM: dict[str, dict[str, Perform]] = {
    "application": {
        "submit": Perform(("submit",), "submitted", REQUESTED),
        "withdraw": Perform(("withdraw",), "withdrawn", REQUESTED),
        "acknowledge": Perform(("acknowledge",), "acknowledged", REQUESTING),
        "record_identification": Perform(
            ("record_identification",), "identification_recorded", REQUESTING
        ),
        "interview": Perform(("interview",), "interview_requested", REQUESTING),
        "request_information": Perform(
            ("request_information",), "information_requested", REQUESTING
        ),
        "provide_information": Perform(("provide_information",), "information_provided", REQUESTED),
        "extend": Perform(("extend",), "extended", REQUESTING),
        # One person of three answered: the application still waits for the others.
        "reply": Perform(("accept",), "accepted", REQUESTING, family=True),
        # The last person answered: the application is replied.
        "all_replied": Perform(("accept",), "accepted", REQUESTING),
        "tacit_acceptance": Perform(("sweep_reply",), "tacitly_accepted", REQUESTING),
        # The last person's case closed: the application closes with it.
        "close": Perform(_TO_CLOSED, "closed", REQUESTED),
    },
    "person": {
        "accept": Perform(("accept",), "accepted", REQUESTING),
        "refuse": Perform(("refuse",), "refused", REQUESTING),
        "tacitly_accept": Perform(("sweep_reply",), "tacitly_accepted", REQUESTING),
        "notification_only": Perform(("submit",), "submitted", REQUESTED, kind="notification_only"),
        "withdraw": Perform(("withdraw",), "withdrawn", REQUESTED),
        "request_td": Perform(("request_td",), "td_requested", REQUESTED),
        "issue_td": Perform(("issue_td",), "td_issued", REQUESTING),
        "expire_td": Perform(("sweep_td",), "td_expired", REQUESTING),
        "notify_transfer": Perform(("notify_transfer",), "transfer_notified", REQUESTED),
        "confirm_transfer": Perform(("confirm_transfer",), "transfer_confirmed", REQUESTING),
        "postpone_transfer": Perform(("postpone_transfer",), "transfer_postponed", REQUESTED),
        "carry_out_transfer": Perform(("carry_out_transfer",), "transferred", REQUESTED),
        "confirm_handover": Perform(("confirm_handover",), "handover_confirmed", REQUESTING),
        "claim_in_error": Perform(("claim_in_error",), "in_error_claimed", REQUESTING),
        "close": Perform(("sweep_in_error",), "person_closed", REQUESTING),
        "close_case": Perform(("close_case",), "person_closed", REQUESTED),
    },
}

TABLES = {"application": workflow.APPLICATION, "person": workflow.PERSON}
PATHS = {"application": APPLICATION_PATH, "person": PERSON_PATH}

LEGAL = [
    pytest.param(table, status, action, id=f"{table}:{status}:{action}")
    for table, steps in TABLES.items()
    for status, actions in steps.items()
    for action in actions
]

# The actions a user asks for (the platform's own steps cannot be asked for).
USER_ACTIONS = {
    "application": [
        "submit",
        "acknowledge",
        "record_identification",
        "interview",
        "request_information",
        "provide_information",
        "extend",
        "withdraw",
    ],
    "person": ["accept", "refuse", "request_td", "issue_td", "claim_in_error", "close_case"],
}
ILLEGAL = [
    pytest.param(table, status, action, id=f"{table}:{status}:{action}")
    for table, actions in USER_ACTIONS.items()
    for status in TABLES[table]
    for action in actions
    if action not in TABLES[table][status]
]


def _snapshot(w: Walk) -> tuple[Any, ...]:
    application = Application.objects.get(pk=w.application.pk)
    return (
        application.status,
        application.version,
        application.reply_due,
        tuple(application.persons.order_by("pk").values_list("status", flat=True)),
        ApplicationEvent.objects.count(),
        AuditEntry.objects.count(),
        Transmission.objects.count(),
        Notification.objects.count(),
        Transfer.objects.count(),
        TravelDocument.objects.values_list("status", flat=True).count(),
        tuple(TravelDocument.objects.order_by("pk").values_list("status", flat=True)),
    )


def _notifications_to(w: Walk, side: str) -> int:
    if side == REQUESTING:
        return Notification.objects.filter(recipient__authority__state_id="DE").count()
    return Notification.objects.filter(
        recipient__authority__state_id=w.application.requested_state_id
    ).count()


def _walk_into(
    world: World, persona: Callable[[str], User], table: str, status: str, action: str
) -> tuple[Walk, Perform]:
    perform = PERFORM[table].get(action)
    assert perform is not None, f"no way to perform {table} action {action!r}: add it to PERFORM"
    w = start(
        world, persona, state=state_for(status, action), family=perform.family, kind=perform.kind
    )
    # A notification-only transfer has its persons "pending" only in the draft.
    path = () if perform.kind == "notification_only" else PATHS[table][status]
    w.take(*path)
    current = w.application.status if table == "application" else w.person().status
    if perform.kind != "notification_only":
        assert current == status, f"the path {path} led to {current}, not {status}"
    return w, perform


@pytest.mark.parametrize(("table", "status", "action"), LEGAL)
def test_every_transition_in_the_tables(
    world: World, persona: Callable[[str], User], table: str, status: str, action: str
) -> None:
    step = TABLES[table][status][action]
    w, perform = _walk_into(world, persona, table, status, action)
    first, rest = perform.steps[0], perform.steps[1:]

    if step.side != SYSTEM and not rest:
        # Who may not take the step: told so, and nothing changes.
        wrong_side = w.requested if step.side == REQUESTING else w.world.officer
        no_capability = w.requesting_readonly if step.side == REQUESTING else w.requested_readonly
        for actor, error, code in (
            (w.stranger, NotFound, "not_found"),
            (wrong_side, NotFound if status == A.DRAFT else Forbidden, None),
            (no_capability, Forbidden, "capability_required"),
        ):
            before = _snapshot(w)
            with pytest.raises(error) as excinfo:
                w.take_as(actor, first)
            if error is Forbidden and code is None:
                assert excinfo.value.code == "wrong_side"
            elif code is not None:
                assert excinfo.value.code == code
            assert _snapshot(w) == before, f"{actor.username} changed something"

    events_before = ApplicationEvent.objects.filter(application=w.application).count()
    audit_before = AuditEntry.objects.filter(action__startswith="readmission.").count()
    notified_before = _notifications_to(w, perform.notified)
    w.take(*perform.steps)

    if table == "application":
        assert w.application.status == step.to
    else:
        assert w.person().status == step.to
    new_events = ApplicationEvent.objects.filter(application=w.application).order_by("id")[
        events_before:
    ]
    event = next((e for e in new_events if e.action == perform.event), None)
    assert event is not None, [e.action for e in new_events]
    assert event.at is not None and event.summary
    if step.side == SYSTEM and perform.steps[0].startswith("sweep"):
        assert event.actor_username == "" and event.actor_authority_code == "platform"
    elif step.side != SYSTEM:
        acting = w.world.officer if step.side == REQUESTING else w.requested
        assert (event.actor_username, event.actor_authority_code) == (
            acting.username,
            acting.authority.code if acting.authority else "",
        )
    assert AuditEntry.objects.filter(action__startswith="readmission.").count() > audit_before
    if not (action == "withdraw" and status == A.DRAFT):  # a draft never left the authority
        assert _notifications_to(w, perform.notified) > notified_before


@pytest.mark.parametrize(("table", "status", "action"), ILLEGAL)
def test_an_action_not_in_the_table_is_refused_and_changes_nothing(
    world: World, persona: Callable[[str], User], table: str, status: str, action: str
) -> None:
    w = start(world, persona, state=state_for(status, action))
    w.take(*PATHS[table][status])
    side = next(s.side for s in (steps.get(action) for steps in TABLES[table].values()) if s)
    before = _snapshot(w)
    with pytest.raises(DomainError) as excinfo:
        w.take(PERFORM[table][action].steps[0])
    if status == A.DRAFT and side == REQUESTED:
        # The requested state does not even know of a draft.
        assert isinstance(excinfo.value, NotFound)
    else:
        assert excinfo.value.http_status == 409, excinfo.value
        assert excinfo.value.code in {
            "illegal_transition",
            "already_replied",
            "already_tacitly_accepted",
        }
    assert _snapshot(w) == before


def test_the_tables_name_only_known_statuses() -> None:
    from readmit.readmission.models import ApplicationStatus, PersonStatus

    for table, statuses in (
        (workflow.APPLICATION, ApplicationStatus),
        (workflow.PERSON, PersonStatus),
    ):
        assert set(table) == set(statuses.values)
        for steps in table.values():
            assert {s.to for s in steps.values()} <= set(statuses.values)
            assert {s.side for s in steps.values()} <= {REQUESTING, REQUESTED, SYSTEM}
    assert STEPS  # the walk knows its steps
