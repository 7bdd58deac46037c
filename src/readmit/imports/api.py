"""API operations of the bulk import: upload a file (a job starts), then poll its status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import User
from readmit.api.errors import ErrorOut
from readmit.imports import jobs
from readmit.imports.columns import template_csv, template_xlsx
from readmit.imports.models import ImportJob

router = Router(tags=["imports"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ImportOptions(Schema):
    valid_only: bool = False
    dry_run: bool = False


class RowErrorOut(Schema):
    row: int | None
    column: str
    message: str


class ImportJobOut(Schema):
    id: int
    status: str
    finished: bool
    progress_percent: int
    rows_done: int
    rows_total: int | None
    valid_only: bool
    dry_run: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None
    report: dict[str, Any]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut(
        id=job.pk,
        status=job.status,
        finished=job.finished,
        progress_percent=job.percent,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        valid_only=job.valid_only,
        dry_run=job.dry_run,
        created_at=job.created_at,
        finished_at=job.finished_at,
        report=job.report,
    )


@router.post(
    "/imports",
    response={202: ImportJobOut, **ERRORS},
    summary="Upload a CSV or XLSX file of return cases; answers the import job to poll",
    description=(
        "Multipart upload (field `file`) of a CSV (UTF-8) or XLSX file in the documented columns (docs/import.md). The file is validated first; nothing is saved unless every row is valid, or with valid_only only the valid rows. dry_run validates without saving. Answers 202 with the job; poll GET /imports/{job_id}."
    ),
)
def import_create(
    request: HttpRequest, file: File[UploadedFile], options: Form[ImportOptions]
) -> Status:
    job = jobs.job_create(
        actor=_user(request), upload=file, valid_only=options.valid_only, dry_run=options.dry_run
    )
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get(
    "/imports/template",
    response={200: None, **ERRORS},
    summary="The import template, as CSV (format=csv) or XLSX (format=xlsx)",
    description=("The header row of every column the import reads, to fill in and upload."),
)
def import_template(request: HttpRequest, format: str = "csv") -> HttpResponse:
    require(_user(request), Capability.EDIT_RETURN_CASE)
    if format == "xlsx":
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        format = "csv"
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="readmit-import-template.{format}"'
    return response


@router.get(
    "/imports/{job_id}",
    response={200: ImportJobOut, **ERRORS},
    summary="Status, progress and report of an import job",
    description=(
        "Status (queued, running, done, failed), rows checked out of the total, and the report: every problem with its row and column."
    ),
)
def import_get(request: HttpRequest, job_id: int) -> ImportJobOut:
    return _out(jobs.job_get(viewer=_user(request), job_id=job_id))
