"""The transition tables of an application and of each person in it (DOMAIN.md §1.21).

Each table is status → action → (next status, capability, side). A service looks its action up
here, under a row lock, before it changes anything: an action that is not in the table for the
current status is an illegal transition, whatever the interface asked for. "side" says which
state acts: the requesting state, the requested state, or the platform itself (the deadline
sweep, or the consequence of another step: the last reply makes the application "replied", the
last finished person closes it).

Every entry is used by a service or the sweep, and tests/readmission/test_transitions.py is
parametrised from these tables: an entry without a way to reach it fails there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability as C
from readmit.core.errors import IllegalTransition
from readmit.readmission.models import ApplicationStatus as A
from readmit.readmission.models import PersonStatus as P

REQUESTING = "requesting"
REQUESTED = "requested"
SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    to: str
    capability: C | None
    side: str


def _s(to: str, capability: C | None, side: str) -> Step:
    return Step(to, capability, side)


_OPEN = (A.SUBMITTED, A.ACKNOWLEDGED, A.IDENTIFICATION, A.INFORMATION_REQUESTED)

APPLICATION: dict[str, dict[str, Step]] = {
    A.DRAFT: {
        "submit": _s(A.SUBMITTED, C.SUBMIT_APPLICATION, REQUESTING),
        "withdraw": _s(A.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    A.SUBMITTED: {
        "acknowledge": _s(A.ACKNOWLEDGED, C.ACKNOWLEDGE_APPLICATION, REQUESTED),
        "request_information": _s(A.INFORMATION_REQUESTED, C.REQUEST_EXTENSION, REQUESTED),
        "extend": _s(A.SUBMITTED, C.REQUEST_EXTENSION, REQUESTED),
        "reply": _s(A.SUBMITTED, C.REPLY_APPLICATION, REQUESTED),
        "withdraw": _s(A.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    A.ACKNOWLEDGED: {
        "request_information": _s(A.INFORMATION_REQUESTED, C.REQUEST_EXTENSION, REQUESTED),
        "extend": _s(A.ACKNOWLEDGED, C.REQUEST_EXTENSION, REQUESTED),
        "reply": _s(A.ACKNOWLEDGED, C.REPLY_APPLICATION, REQUESTED),
        "withdraw": _s(A.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    A.IDENTIFICATION: {
        "record_identification": _s(A.IDENTIFICATION, C.CONDUCT_INTERVIEW, REQUESTED),
        "request_information": _s(A.INFORMATION_REQUESTED, C.REQUEST_EXTENSION, REQUESTED),
        "extend": _s(A.IDENTIFICATION, C.REQUEST_EXTENSION, REQUESTED),
        "reply": _s(A.IDENTIFICATION, C.REPLY_APPLICATION, REQUESTED),
        "withdraw": _s(A.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    A.INFORMATION_REQUESTED: {
        "provide_information": _s(A.IDENTIFICATION, C.SUBMIT_APPLICATION, REQUESTING),
        "extend": _s(A.INFORMATION_REQUESTED, C.REQUEST_EXTENSION, REQUESTED),
        "reply": _s(A.INFORMATION_REQUESTED, C.REPLY_APPLICATION, REQUESTED),
        "withdraw": _s(A.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    A.REPLIED: {
        # Every person finished (refused, closed or withdrawn): a consequence, not a request.
        "close": _s(A.CLOSED, None, SYSTEM),
        # Until the transfer (a person already notified for transfer must be postponed first).
        "withdraw": _s(A.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    A.CLOSED: {},
    A.WITHDRAWN: {},
}

# "record_identification" is allowed from the first two open states too: it moves them on.
for _status in (A.SUBMITTED, A.ACKNOWLEDGED):
    APPLICATION[_status]["record_identification"] = _s(
        A.IDENTIFICATION, C.CONDUCT_INTERVIEW, REQUESTED
    )
for _status in _OPEN:
    # The sweep: silence turned into tacit acceptance where the agreement provides it.
    APPLICATION[_status]["tacit_acceptance"] = _s(A.REPLIED, None, SYSTEM)
    # The consequence of the reply for the last person still waiting (or, for a
    # notification-only transfer, of the submission itself).
    APPLICATION[_status]["all_replied"] = _s(A.REPLIED, None, SYSTEM)
# Interviews can be requested and recorded while the application is open.
for _status in _OPEN:
    APPLICATION[_status]["interview"] = _s(
        A.IDENTIFICATION if _status != A.INFORMATION_REQUESTED else _status,
        C.CONDUCT_INTERVIEW,
        REQUESTED,
    )

PERSON: dict[str, dict[str, Step]] = {
    P.PENDING: {
        "accept": _s(P.ACCEPTED, C.REPLY_APPLICATION, REQUESTED),
        "refuse": _s(P.REFUSED, C.REPLY_APPLICATION, REQUESTED),
        "tacitly_accept": _s(P.TACITLY_ACCEPTED, None, SYSTEM),
        # Notification-only transfer (DOMAIN.md §1.4): the person holds a valid travel
        # document, so no reply is awaited; a consequence of submitting the notification.
        "notification_only": _s(P.TD_ISSUED, None, SYSTEM),
        "withdraw": _s(P.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    P.ACCEPTED: {
        "request_td": _s(P.TD_REQUESTED, C.NOTIFY_TRANSFER, REQUESTING),
        "issue_td": _s(P.TD_ISSUED, C.ISSUE_TRAVEL_DOCUMENT, REQUESTED),
        "withdraw": _s(P.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    P.TACITLY_ACCEPTED: {
        "request_td": _s(P.TD_REQUESTED, C.NOTIFY_TRANSFER, REQUESTING),
        "issue_td": _s(P.TD_ISSUED, C.ISSUE_TRAVEL_DOCUMENT, REQUESTED),
        "withdraw": _s(P.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    P.TD_REQUESTED: {
        "issue_td": _s(P.TD_ISSUED, C.ISSUE_TRAVEL_DOCUMENT, REQUESTED),
        "withdraw": _s(P.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    P.TD_ISSUED: {
        "notify_transfer": _s(P.TRANSFER_NOTIFIED, C.NOTIFY_TRANSFER, REQUESTING),
        "expire_td": _s(P.TD_EXPIRED, None, SYSTEM),
        "withdraw": _s(P.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    P.TD_EXPIRED: {
        "request_td": _s(P.TD_REQUESTED, C.NOTIFY_TRANSFER, REQUESTING),
        "issue_td": _s(P.TD_ISSUED, C.ISSUE_TRAVEL_DOCUMENT, REQUESTED),
        "withdraw": _s(P.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    P.TRANSFER_NOTIFIED: {
        "confirm_transfer": _s(P.TRANSFER_CONFIRMED, C.CONFIRM_TRANSFER, REQUESTED),
        "postpone_transfer": _s(P.TRANSFER_POSTPONED, C.NOTIFY_TRANSFER, REQUESTING),
        "expire_td": _s(P.TD_EXPIRED, None, SYSTEM),
    },
    P.TRANSFER_CONFIRMED: {
        "carry_out_transfer": _s(P.TRANSFERRED, C.NOTIFY_TRANSFER, REQUESTING),
        "postpone_transfer": _s(P.TRANSFER_POSTPONED, C.NOTIFY_TRANSFER, REQUESTING),
        "expire_td": _s(P.TD_EXPIRED, None, SYSTEM),
    },
    P.TRANSFER_POSTPONED: {
        "notify_transfer": _s(P.TRANSFER_NOTIFIED, C.NOTIFY_TRANSFER, REQUESTING),
        "expire_td": _s(P.TD_EXPIRED, None, SYSTEM),
        "withdraw": _s(P.WITHDRAWN, C.WITHDRAW_APPLICATION, REQUESTING),
    },
    P.TRANSFERRED: {
        "confirm_handover": _s(P.HANDOVER_CONFIRMED, C.CONFIRM_TRANSFER, REQUESTED),
        "claim_in_error": _s(P.READMISSION_IN_ERROR, C.REPLY_APPLICATION, REQUESTED),
    },
    P.HANDOVER_CONFIRMED: {
        "claim_in_error": _s(P.READMISSION_IN_ERROR, C.REPLY_APPLICATION, REQUESTED),
        # The sweep, once the agreement's readmission-in-error window has ended.
        "close": _s(P.CLOSED, None, SYSTEM),
        # The requesting state, where the agreement configures no such window (nothing for
        # the sweep to wait for; no window is invented).
        "close_case": _s(P.CLOSED, C.NOTIFY_TRANSFER, REQUESTING),
    },
    # The requesting state took the person back (or settled the claim) and closes the case.
    P.READMISSION_IN_ERROR: {"close_case": _s(P.CLOSED, C.NOTIFY_TRANSFER, REQUESTING)},
    P.REFUSED: {},
    P.CLOSED: {},
    P.WITHDRAWN: {},
}

# Persons whose case is finished, one way or the other.
FINISHED = frozenset({P.REFUSED, P.CLOSED, P.WITHDRAWN})


def step_for(table: dict[str, dict[str, Step]], status: str, action: str, *, what: str) -> Step:
    step = table.get(status, {}).get(action)
    if step is None:
        allowed = ", ".join(_action_label(a) for a in sorted(table.get(status, {}))) or _("nothing")
        raise IllegalTransition(
            _(
                "The %(what)s is “%(status)s”: “%(action)s” is not possible now (possible: %(allowed)s)."
            )
            % {
                "what": what,
                "status": _status_label(table, status),
                "action": _action_label(action),
                "allowed": allowed,
            }
        )
    return step


def _status_label(table: dict[str, dict[str, Step]], status: str) -> str:
    """The status as the interface names it, in the reader's language."""
    choices = A if table is APPLICATION else P if table is PERSON else None
    if choices is not None and status in choices.values:
        return str(choices(status).label)
    return status.replace("_", " ")


def _action_label(action: str) -> str:
    from readmit.readmission.actions import ACTIONS  # the forms import the services: not at load

    known = ACTIONS.get(action)
    return str(known.label) if known is not None else action.replace("_", " ")


def actions_for(table: dict[str, dict[str, Step]], status: str) -> dict[str, Step]:
    return dict(table.get(status, {}))
