"""Reads of applications for the API's list: the work queues' scope, filters and a keyset.

The list carries no personal data (references, statuses, dates, codes), so it needs no
access-log entry; each application's content is read through `selectors.application_view`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import User
from readmit.core.pagination import keyset_page
from readmit.readmission import selectors
from readmit.readmission.models import OPEN_STATUSES, Application, ApplicationPerson

DEADLINE_STATUSES = ("overdue", "due_soon", "open", "no_deadline")
DUE_SOON_DAYS = 7  # as the work queue's "due soon"


def _deadline(qs: QuerySet[Application], status: str, today: dt.date) -> QuerySet[Application]:
    if status == "overdue":
        return qs.filter(status__in=OPEN_STATUSES, reply_due__lt=today)
    if status == "due_soon":
        return qs.filter(
            status__in=OPEN_STATUSES,
            reply_due__gte=today,
            reply_due__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        )
    if status == "open":
        return qs.filter(status__in=OPEN_STATUSES, reply_due__gte=today)
    return qs.filter(reply_due__isnull=True)


# filter name → lookup, for the filters that are a plain comparison
_LOOKUPS = {
    "status": "status",
    "kind": "kind",
    "procedure": "procedure",
    "agreement": "agreement__code",
    "requested_state": "requested_state_id",
    "requesting_state": "requesting_authority__state_id",
    "submitted_from": "submitted_at__date__gte",
    "submitted_to": "submitted_at__date__lte",
    "reply_due_from": "reply_due__gte",
    "reply_due_to": "reply_due__lte",
}


def application_filtered(
    *, viewer: User, filters: Mapping[str, Any], today: dt.date | None = None
) -> QuerySet[Application]:
    require(viewer, Capability.VIEW_CASES)
    today = today or timezone.localdate()
    queue = filters.get("queue")
    if queue:
        qs = selectors._queue(viewer, queue, today)
    else:
        qs = selectors.application_queryset(viewer=viewer)
    lookups = {
        _LOOKUPS[name]: value
        for name, value in filters.items()
        if name in _LOOKUPS and value not in (None, "")
    }
    qs = qs.filter(**lookups)
    if filters.get("deadline"):
        qs = _deadline(qs, filters["deadline"], today)
    if filters.get("nationality"):
        # A nationality in the shared snapshot, which both sides see.
        needle = f'"state": "{str(filters["nationality"]).upper()}"'
        qs = qs.filter(
            pk__in=ApplicationPerson.objects.filter(particulars__icontains=needle).values(
                "application_id"
            )
        )
    return qs


def application_page(
    *,
    viewer: User,
    filters: Mapping[str, Any],
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Application], str | None]:
    """One page of the viewer's applications, newest first."""
    qs = application_filtered(viewer=viewer, filters=filters).select_related(
        "agreement", "requested_state", "requesting_authority__state"
    )
    return keyset_page(qs, cursor=cursor, limit=limit)


def draft_family(case: Any) -> list[tuple[int, str, str]]:
    """Spouse and minor children who may join an application of `case`: (person id, label,
    role). The draft form offers them; the API accepts their ids."""
    from readmit.persons.models import FamilyLink
    from readmit.readmission.models import PersonRole

    links = FamilyLink.objects.filter(
        person_id=case.person_id, relation__in=["spouse", "child"]
    ).select_related("relative")
    return [
        (
            link.relative_id,
            f"{link.relative.surname_latin}, {link.relative.given_names_latin} "
            f"({link.get_relation_display()})",
            PersonRole.SPOUSE if link.relation == "spouse" else PersonRole.CHILD,
        )
        for link in links
    ]
