"""Reading the audit trail and the access log, always through the viewer's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from readmit.accounts.capabilities import Capability, require
from readmit.audit.context import channel, current_channel
from readmit.audit.models import AccessLogEntry, AuditEntry
from readmit.audit.services import access_log_record

if TYPE_CHECKING:
    from readmit.accounts.models import User


def audit_entry_list(
    *, user: User, since: dt.date | None = None, until: dt.date | None = None, action: str = ""
) -> Any:
    require(user, Capability.VIEW_AUDIT)
    qs = AuditEntry.objects.visible_to(user).order_by("-seq")
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    if action:
        qs = qs.filter(action__startswith=action)
    return qs


def audit_entries_shown(*, user: User, entries: Iterable[AuditEntry], purpose: str) -> None:
    """Entries show the values they changed (a person's names, a document number, a return
    decision's facts): each shown entry that holds any is logged as a read of its record."""
    access_log_record(
        actor=user,
        records=[
            (e.object_type, e.object_id, e.owner_authority_id)
            for e in entries
            if e.changes and e.object_type and e.object_id
        ],
        purpose=purpose,
    )


def audit_entries_streamed(
    *, user: User, entries: Iterable[AuditEntry], purpose: str, chunk: int = 2000
) -> Iterator[AuditEntry]:
    """`entries`, each chunk logged as shown (`audit_entries_shown`) before it is given out:
    an export streams, and what it has not yet given out has not been read. The reads are
    logged with the channel of the request, which has ended by the time the rows stream."""
    name = current_channel()

    def stream() -> Iterator[AuditEntry]:
        batch: list[AuditEntry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) == chunk:
                with channel(name):
                    audit_entries_shown(user=user, entries=batch, purpose=purpose)
                yield from batch
                batch = []
        with channel(name):
            audit_entries_shown(user=user, entries=batch, purpose=purpose)
        yield from batch

    return stream()


def access_log_list(
    *, user: User, since: dt.date | None = None, until: dt.date | None = None
) -> Any:
    require(user, Capability.VIEW_AUDIT)
    qs = AccessLogEntry.objects.visible_to(user).order_by("-at", "-id")
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs
