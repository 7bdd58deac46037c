"""JSON for the API's responses, written by pydantic-core (Rust) in one format for all.

ninja's renderer runs `json.dumps` with Django's encoder over the dicts its response models
dumped: for the busiest read (one application) that was a seventh of the server's time. Here
every response is written by pydantic-core: times in ISO 8601 with microseconds and `Z` for
UTC, dates as `YYYY-MM-DD`, text as UTF-8. Operations whose response is a plain pydantic model
(`model_response`) are validated and written in one pass.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from ninja.renderers import BaseRenderer
from pydantic import BaseModel
from pydantic_core import to_json

CONTENT_TYPE = "application/json; charset=utf-8"


def _fallback(value: Any) -> Any:
    """What pydantic-core cannot write itself: lazy translations are their text."""
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    charset = "utf-8"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return to_json(data, fallback=_fallback)


def model_response(model: type[BaseModel], data: Any, status: int) -> HttpResponse:
    """`data` validated against `model` and written as JSON, as ninja would answer it."""
    body = model.model_validate(data).model_dump_json(fallback=_fallback)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPE)
