"""Application.requesting_acts / requested_acts (who must act next, read by the "action
needed" queues) follow every step of every path through the transition tables: after each
step they equal what the queues computed from the statuses before the columns existed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Exists, OuterRef, Q

from readmit.accounts.models import User
from readmit.readmission.models import Application, ApplicationPerson
from readmit.readmission.models import ApplicationStatus as A
from readmit.readmission.models import PersonStatus as P

from .conftest import World
from .walk import APPLICATION_PATH, PERSON_PATH, STEPS, start, state_for

pytestmark = pytest.mark.django_db

# The "action needed" definitions as the queues wrote them, from the people's statuses.
_REQUESTING = Q(status__in=[A.DRAFT, A.INFORMATION_REQUESTED]) | Q(status=A.REPLIED) & Exists(
    ApplicationPerson.objects.filter(
        application=OuterRef("pk"),
        status__in=[
            P.ACCEPTED,
            P.TACITLY_ACCEPTED,
            P.TD_ISSUED,
            P.TD_EXPIRED,
            P.TRANSFER_CONFIRMED,
            P.TRANSFER_POSTPONED,
        ],
    )
)
_REQUESTED = Q(status__in=[A.SUBMITTED, A.ACKNOWLEDGED, A.IDENTIFICATION]) | Q(
    status=A.REPLIED
) & Exists(
    ApplicationPerson.objects.filter(
        application=OuterRef("pk"),
        status__in=[P.TD_REQUESTED, P.TRANSFER_NOTIFIED, P.TRANSFERRED],
    )
)

PATHS = sorted(
    {(status, path) for status, path in APPLICATION_PATH.items()}
    | {(status, path) for status, path in PERSON_PATH.items()}
)


def _check(application: Application, after: str) -> None:
    row = Application.objects.get(pk=application.pk)
    expected = (
        Application.objects.filter(_REQUESTING, pk=row.pk).exists(),
        Application.objects.filter(_REQUESTED, pk=row.pk).exists(),
    )
    assert (row.requesting_acts, row.requested_acts) == expected, (after, row.status)


@pytest.mark.parametrize(("status", "path"), PATHS)
def test_who_acts_next_follows_every_step(
    world: World, persona: Callable[[str], User], status: str, path: tuple[str, ...]
) -> None:
    w = start(world, persona, state=state_for(status, ""))
    _check(w.application, "draft")
    seen = set()
    for step in path:
        STEPS[step](w)
        w.refresh()
        _check(w.application, step)
        seen.add((w.application.requesting_acts, w.application.requested_acts))
    if path:
        # The walk goes through both sides' turns, so the check cannot pass by constant columns.
        assert len(seen | {(True, False)}) > 1
