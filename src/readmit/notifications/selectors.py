"""Reads of notifications: a user sees only their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from readmit.core.pagination import keyset_page
from readmit.notifications.models import Notification

if TYPE_CHECKING:
    from readmit.accounts.models import User


def notification_page(
    *, viewer: User, unread: bool = False, cursor: str | None = None, limit: int = 50
) -> tuple[list[Notification], str | None]:
    """The viewer's notifications, newest first, in cursor pages."""
    qs = Notification.objects.visible_to(viewer)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs, cursor=cursor, limit=limit)
