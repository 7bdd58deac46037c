"""One JSON shape for every API error: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from readmit.api.renderers import json_response
from readmit.core.errors import DomainError


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody

    model_config = {
        **Schema.model_config,
        "json_schema_extra": {
            "examples": [
                {
                    "error": {
                        "code": "validation_failed",
                        "message": "The request has invalid values.",
                        "fields": {"birth_year": ["This is required."]},
                    }
                }
            ]
        },
    }


logger = logging.getLogger("readmit.api")

# Every status an operation can answer with the error shape, for `response=` declarations.
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
READ_ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


def error_json(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The error shape outside an operation (unknown path, wrong method, idempotency), written
    as the operations' answers are."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return json_response(body, status)


NUL_MESSAGE = gettext_lazy("Text cannot contain the NUL character (U+0000).")


def has_nul(request: HttpRequest) -> bool:
    """Whether a query value or a text field holds NUL, which no database text column takes.
    (Uploaded files may: they are bytes.)"""
    if any("\x00" in value for values in request.GET.lists() for value in values[1]):
        return True
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        return any("\x00" in v for _k, values in request.POST.lists() for v in values)
    if request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body
    return False


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/v1/ that names no operation."""
    return error_json(request, 404, "not_found", _("No such API operation."))


def method_not_allowed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Ninja answers a wrong method with a bare 405: give it the error shape."""
    allowed = response.get("Allow", "")
    result = error_json(
        request,
        405,
        "method_not_allowed",
        _("This operation does not accept %(method)s.") % {"method": request.method},
    )
    if allowed:
        result["Allow"] = allowed
    return result


# Where ninja says a value came from: the first part of an error's location, never a field.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})
# The name of the operation's body parameter, which follows "body" in a location.
_BODY_PARAMETERS = frozenset({"payload", "body"})
# A part of a location that names a member of a union ("literal['a','b']", "function-after[…]").
_UNION_MEMBER = re.compile(r"^[a-z][a-z_-]*\[.*\]$")
# The values in pydantic's list of what a literal expects: "'claimed', 'established' or ''".
_EXPECTED_VALUE = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|(-?\d+)")

_REQUIRED = gettext_lazy("This is required.")
_WHOLE_NUMBER = gettext_lazy("Enter a whole number.")
_DATE = gettext_lazy("Enter a date as YYYY-MM-DD, e.g. 2026-03-02.")
_DATETIME = gettext_lazy(
    "Enter a date and time in ISO 8601, e.g. 2026-03-01T09:30:00Z; without an offset it is "
    "read as the server's local time."
)
_LIST = gettext_lazy("Send a list (a JSON array).")
_OBJECT = gettext_lazy("Send a JSON object.")

# The project's words for pydantic's common error types (its own wording never reaches users).
_MESSAGES: dict[str, Any] = {
    "missing": _REQUIRED,
    "int_parsing": _WHOLE_NUMBER,
    "int_type": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "int_parsing_size": _WHOLE_NUMBER,
    "float_parsing": gettext_lazy("Enter a number."),
    "float_type": gettext_lazy("Enter a number."),
    "string_type": gettext_lazy("Enter text."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "greater_than": gettext_lazy("Enter a number greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a number less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
}
_FALLBACK = gettext_lazy("Enter a valid value.")


def _field_key(loc: Any) -> str:
    """The request's own name for the field: without where it came from (body, query, form …),
    the body parameter's name, or the members of a union pydantic tried."""
    parts = list(loc or ())
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] in _BODY_PARAMETERS:
            parts.pop(0)
    kept = [str(p) for p in parts if not (isinstance(p, str) and _UNION_MEMBER.match(p))]
    return ".".join(kept) or "__all__"


def _choices(expected: str) -> list[str]:
    values = [
        next(g for g in m.groups() if g is not None) for m in _EXPECTED_VALUE.finditer(expected)
    ]
    return [v for v in values if v != ""]


def _message(err: Mapping[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if err.get("input_is_null") and (kind.endswith("_type") or kind == "literal_error"):
        # null for a value that cannot be empty
        return str(_REQUIRED)
    if kind in ("literal_error", "enum"):
        choices = _choices(str(ctx.get("expected", "")))
        if choices:
            return _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
        return _("Choose one of the values offered.")
    template = _MESSAGES.get(kind)
    if template is None:
        return str(_FALLBACK)
    try:
        return str(template) % ctx if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(_FALLBACK)


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        messages = fields.setdefault(_field_key(err.get("loc")), [])
        message = _message(err)
        if message not in messages:
            messages.append(message)
    return fields


def _keep_null_inputs(api: NinjaAPI) -> None:
    """Ninja drops each error's input before the handler sees it; keep whether it was null,
    so that null in a field that takes none reads "This is required." rather than a type."""
    original = api.validation_error_from_error_contexts

    def build(error_contexts: list[Any]) -> ValidationError:
        exc = original(error_contexts)
        nulls = [
            "input" in e and e["input"] is None
            for context in error_contexts
            for e in context.pydantic_validation_error.errors(include_url=False)
        ]
        if len(nulls) == len(exc.errors):
            for err, null in zip(exc.errors, nulls, strict=True):
                if null:
                    err["input_is_null"] = True
        return exc

    setattr(api, "validation_error_from_error_contexts", build)  # noqa: B010


def install(api: NinjaAPI) -> None:
    _keep_null_inputs(api)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error_json(request, exc.http_status, exc.code, exc.message, exc.fields)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_json(
            request,
            422,
            "validation_failed",
            _("The request has invalid values."),
            _validation_fields(list(exc.errors)),
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_json(
            request,
            401,
            "unauthenticated",
            _("Send a valid API token: Authorization: Bearer <token>."),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_json(request, 404, "not_found", _("Not found, or not visible to you."))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with the operation's path only: never the body, which may hold personal data.
        logger.exception("API error on %s %s", request.method, request.path)
        return error_json(
            request,
            500,
            "server_error",
            _("Something went wrong on our side. Try again later; the error is logged."),
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # Ninja's one 400: a body its JSON parser cannot read. Refused input is a 422 in the
            # document, whatever was wrong with it.
            return error_json(
                request,
                422,
                "validation_failed",
                _("The request body is not valid JSON."),
                {"__all__": [_("Send the body as a JSON object, encoded in UTF-8.")]},
            )
        return error_json(request, exc.status_code, "http_error", str(exc))
