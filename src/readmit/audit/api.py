"""API access to the audit trail of the caller's authority."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from readmit.accounts.models import User
from readmit.api.errors import ErrorOut
from readmit.audit import selectors

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    authority: str
    channel: str
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    reason: str


class AuditFilter(Schema):
    since: dt.date | None = None
    until: dt.date | None = None
    action: str = ""
    before_seq: int | None = None
    limit: int = 100


@router.get(
    "/audit",
    response={200: list[AuditEntryOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Audit entries of your authority, newest first (authority administrators)",
)
def audit_list(request: HttpRequest, filters: Query[AuditFilter]) -> list[AuditEntryOut]:
    """Entries made by your authority's users or concerning its records; page with
    `before_seq` (the last `seq` you received)."""
    assert isinstance(request.user, User)
    qs = selectors.audit_entry_list(
        user=request.user, since=filters.since, until=filters.until, action=filters.action
    )
    if filters.before_seq is not None:
        qs = qs.filter(seq__lt=filters.before_seq)
    limit = max(1, min(filters.limit, 500))
    entries = list(qs[:limit])
    selectors.audit_entries_shown(user=request.user, entries=entries, purpose="api audit trail")
    return [
        AuditEntryOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor_username,
            authority=e.actor_authority_code,
            channel=e.channel,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            changes=e.changes,
            reason=e.reason,
        )
        for e in entries
    ]
