"""Small helpers shared by the web views."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django import forms
from django.http import HttpRequest, StreamingHttpResponse

from readmit.accounts.models import User
from readmit.core.errors import DomainError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "LoginRequiredMiddleware guarantees a signed-in user"
    return user


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the fields it names, and on top of the form."""
    placed = False
    for field, messages in exc.fields.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = placed or target is not None
    form.add_error(None, exc.message)


def csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell never starts a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
