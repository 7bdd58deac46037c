"""API operations for the caller's own notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from readmit.api.errors import ERRORS, READ_ERRORS
from readmit.api.operations import add_operation, viewer
from readmit.api.pagination import Page, PageQuery
from readmit.core.errors import NotFound
from readmit.notifications import selectors, services
from readmit.notifications.models import Notification

router = Router(tags=["notifications"])
MODULE = __name__


class NotificationOut(Schema):
    id: int
    action: str
    title: str = Field(description="A reference and an event, never a person's name.")
    url: str
    object_type: str
    object_id: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Page[NotificationOut]):
    pass


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Only the unread ones.")


class ReadAllOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response={200: NotificationPage, **READ_ERRORS},
    summary="Your notifications, newest first",
    description="Cursor pages; `unread=true` for the unread ones only.",
)
def notification_list(request: HttpRequest, query: Query[NotificationQuery]) -> dict[str, Any]:
    rows, next_cursor = selectors.notification_page(
        viewer=viewer(request), unread=query.unread, cursor=query.cursor, limit=query.limit
    )
    return {"items": rows, "next_cursor": next_cursor}


def _mark_read(user: Any, notification_id: int) -> Notification:
    note = services.notification_mark_read(actor=user, notification_id=notification_id)
    if note is None:
        raise NotFound(_("Not found, or not visible to you."))
    return note


add_operation(
    router,
    method="POST",
    path="/notifications/{notification_id}/read",
    name="notification_read",
    module=MODULE,
    response={200: NotificationOut, **ERRORS},
    summary="Mark one notification as read",
    description="Only your own notifications exist for you (404 otherwise).",
    run=lambda u, p, d: _mark_read(u, p["notification_id"]),
)

add_operation(
    router,
    method="POST",
    path="/notifications/read",
    name="notification_read_all",
    module=MODULE,
    response={200: ReadAllOut, **ERRORS},
    summary="Mark all your notifications as read",
    description="Answers how many were unread.",
    run=lambda u, p, d: {"marked": services.notification_mark_all_read(actor=u)},
)
