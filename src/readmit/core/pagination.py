"""Cursor pagination: an opaque, signed cursor over a keyset (the primary key, newest first).

Keyset, not OFFSET: a page costs the same on row 1,000,000 as on row 1, and rows added while a
client pages never shift or repeat what it sees. Selectors page with `keyset_page`; the API
describes pages with `readmit.api.pagination`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, QuerySet
from django.http import HttpRequest
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


@dataclass
class WebPage(Generic[M]):
    """One page of a web list: its rows and the query strings of the first and the next page."""

    rows: list[M]
    first_query: str
    next_query: str
    is_first: bool

    def __iter__(self) -> Iterator[M]:
        return iter(self.rows)


def web_keyset_page(
    request: HttpRequest, fetch: Callable[[str | None], tuple[list[M], str | None]]
) -> WebPage[M]:
    """A web list page, paged by a signed `after` cursor in the query string.

    `fetch(cursor)` returns one page and the next page's cursor (a selector's `…_page`, which
    does its own access logging, or `keyset_page` over a queryset). The other parameters
    (filters) are kept in both links. No COUNT(*): on the access log or a busy officer's
    notifications a count would read every row to say how many pages there are.
    """
    params = request.GET.copy()
    cursor = params.pop("after", [""])[-1]
    try:
        rows, next_cursor = fetch(cursor or None)
    except ValidationFailed:
        # A stale or edited link: start again from the newest rows rather than fail.
        rows, next_cursor = fetch(None)
        cursor = ""
    next_query = ""
    if next_cursor:
        following = params.copy()
        following["after"] = next_cursor
        next_query = following.urlencode()
    return WebPage(rows, params.urlencode(), next_query, is_first=not cursor)
