"""One JSON shape for every API error: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import logging
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


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(
            str(err.get("msg", "Invalid value."))
        )
    return fields


def install(api: NinjaAPI) -> None:
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
