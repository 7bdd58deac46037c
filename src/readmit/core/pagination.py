"""Cursor pagination: an opaque, signed cursor over a keyset (the primary key, newest first).

Keyset, not OFFSET: a page costs the same on row 1,000,000 as on row 1, and rows added while a
client pages never shift or repeat what it sees. Selectors page with `keyset_page`; the API
describes pages with `readmit.api.pagination`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core import signing
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from readmit.core.errors import ValidationFailed

M = TypeVar("M", bound=Model)

_SALT = "readmit.api.cursor"
MAX_LIMIT = 200


def encode_cursor(last_id: int) -> str:
    return signing.dumps({"id": last_id}, salt=_SALT, compress=True)


def decode_cursor(cursor: str) -> int:
    try:
        value: Any = signing.loads(cursor, salt=_SALT)
        return int(value["id"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationFailed(
            _("The cursor is not valid: start again without one."),
            fields={"cursor": [_("Not a cursor of this API.")]},
        ) from None


def keyset_page(
    queryset: QuerySet[M], *, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of `queryset`, newest first, and the cursor of the next page."""
    queryset = queryset.order_by("-pk")
    if cursor:
        queryset = queryset.filter(pk__lt=decode_cursor(cursor))
    rows = list(queryset[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor
