"""List exports: /applications/export.csv|xlsx, /returns/export.…, /persons/export.…,
with the list pages' filters in the query string."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from readmit.exports import selectors
from readmit.exports.writers import table_response
from readmit.web.search import searched
from readmit.web.utils import current_user


def _respond(export: selectors.Export, fmt: str) -> HttpResponse | StreamingHttpResponse:
    return table_response(fmt, export.name, export.header, export.rows)


def applications(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    viewer = current_user(request)
    return _respond(selectors.application_export(viewer=viewer, params=searched(request)), fmt)


def return_cases(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    viewer = current_user(request)
    return _respond(selectors.case_export(viewer=viewer, params=searched(request)), fmt)


def persons(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    viewer = current_user(request)
    return _respond(selectors.person_export(viewer=viewer, params=searched(request)), fmt)
