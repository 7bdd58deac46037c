"""Reading the audit trail and the access log, always through the viewer's scope."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from readmit.accounts.capabilities import Capability, require
from readmit.audit.models import AccessLogEntry, AuditEntry

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
