"""API operations for the list exports (CSV or XLSX files)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Router

from readmit.accounts.models import User
from readmit.api.errors import ErrorOut
from readmit.exports import selectors
from readmit.exports.writers import table_response

router = Router(tags=["exports"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
FORMAT = "csv (default) or xlsx"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _fmt(value: str) -> str:
    return "xlsx" if value == "xlsx" else "csv"


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: str(v) for k, v in request.GET.items()}


@router.get(
    "/exports/applications",
    response={200: None, **ERRORS},
    summary="Applications in your scope as CSV or XLSX; filters: queue, status, kind, state, "
    "reference (a requested state receives the shared fields only)",
    description=(
        "Streams every matching application as CSV (format=csv) or XLSX (format=xlsx). Cells that a spreadsheet would run as a formula are neutralised. The export is recorded in the access log."
    ),
)
def export_applications(
    request: HttpRequest, format: str = "csv"
) -> HttpResponse | StreamingHttpResponse:
    export = selectors.application_export(viewer=_user(request), params=_params(request))
    return table_response(_fmt(format), export.name, export.header, export.rows)


@router.get(
    "/exports/return-cases",
    response={200: None, **ERRORS},
    summary="Your authority's return cases as CSV or XLSX; filters: status, q",
    description=(
        "The return file never leaves the requesting authority: this export lists your own authority's cases only. Formula-safe cells; recorded in the access log."
    ),
)
def export_return_cases(
    request: HttpRequest, format: str = "csv"
) -> HttpResponse | StreamingHttpResponse:
    export = selectors.case_export(viewer=_user(request), params=_params(request))
    return table_response(_fmt(format), export.name, export.header, export.rows)


@router.get(
    "/exports/persons",
    response={200: None, **ERRORS},
    summary="Your authority's persons as CSV or XLSX; filter: q",
    description=(
        "Persons registered by your authority, searchable by name in any script or document number. Formula-safe cells; recorded in the access log."
    ),
)
def export_persons(
    request: HttpRequest, format: str = "csv"
) -> HttpResponse | StreamingHttpResponse:
    export = selectors.person_export(viewer=_user(request), params=_params(request))
    return table_response(_fmt(format), export.name, export.header, export.rows)
