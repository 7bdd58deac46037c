"""Domain errors: a stable code, a message a caseworker understands, and an HTTP meaning.

One handler per interface maps them (web: 404/403 pages and form errors; API: the JSON error
shape). Messages never contain personal data: they name fields and rules, not people.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    code = "domain_error"
    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422


class NotFound(DomainError):
    """Out of the user's scope, or absent: the two are indistinguishable on purpose."""

    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    """In scope, but the user's role or authority lacks the capability."""

    code = "forbidden"
    http_status = 403


class IllegalTransition(DomainError):
    code = "illegal_transition"
    http_status = 409


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
