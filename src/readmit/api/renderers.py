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
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json


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


CONTENT_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"


def json_response(data: Any, status: int) -> HttpResponse:
    """`data` written as JSON, as the API's renderer writes it."""
    return HttpResponse(to_json(data, fallback=_fallback), status=status, content_type=CONTENT_TYPE)


class ResponseOffSchemaError(Exception):
    """An answer that does not match its documented schema (a server error)."""


def model_response(model: type[BaseModel], data: Any, status: int) -> HttpResponse:
    """`data` validated against `model` and written as JSON, as ninja would answer it. An
    answer off its schema is a server error whose message names the places and kinds of the
    mismatches, never the values (personal data would reach the error log)."""
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        places = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['type']}"
            for error in exc.errors(include_input=False, include_url=False)
        )
        raise ResponseOffSchemaError(f"{model.__name__} off its schema: {places}") from None
    body = validated.model_dump_json(fallback=_fallback)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPE)
