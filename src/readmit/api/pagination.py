"""Page schemas of the API's lists (the keyset itself is `readmit.core.pagination`)."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

from readmit.core.pagination import MAX_LIMIT

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class PageQuery(Schema):
    cursor: str | None = Field(None, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page (1 to 200).")
