"""Import jobs: an upload stored, run by the worker, its progress and report readable by the
authority's caseworkers (web page and API)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, require
from readmit.audit.context import channel
from readmit.audit.services import audit_record
from readmit.core.errors import ValidationFailed
from readmit.core.scoping import get_visible
from readmit.imports.models import ImportJob, JobStatus
from readmit.imports.reader import FileRejected, check_size

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from readmit.accounts.models import User

logger = logging.getLogger(__name__)


def job_create(
    *, actor: User, upload: UploadedFile, valid_only: bool = False, dry_run: bool = False
) -> ImportJob:
    """Store the upload and queue the import (the size is checked before it is stored)."""
    require(actor, Capability.EDIT_RETURN_CASE)
    try:
        check_size(upload.size or 0)
    except FileRejected as exc:
        raise ValidationFailed(exc.message, fields={"file": [exc.message]}) from None
    name = (upload.name or "").lower()
    with transaction.atomic():
        assert actor.authority_id is not None
        job = ImportJob(
            authority_id=actor.authority_id,
            created_by=actor,
            size=upload.size or 0,
            file_format="xlsx" if name.endswith(".xlsx") else "csv",
            valid_only=valid_only,
            dry_run=dry_run,
        )
        job.file.save("upload", upload, save=False)
        job.save()
        audit_record(
            actor=actor,
            action="imports.job.created",
            obj=job,
            owner_authority_id=job.authority_id,
            changes={"size": job.size, "valid_only": valid_only, "dry_run": dry_run},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from readmit.imports.tasks import run_import

    run_import.enqueue(job_id)


def _scope(viewer: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(authority_id=getattr(viewer, "authority_id", None) or -1)


def job_get(*, viewer: User, job_id: int) -> ImportJob:
    """404 for another authority's job, 403 without the capability."""
    job = get_visible(_scope(viewer), pk=job_id)
    require(viewer, Capability.EDIT_RETURN_CASE)
    return job


def job_list(*, viewer: User, limit: int = 20) -> list[ImportJob]:
    require(viewer, Capability.EDIT_RETURN_CASE)
    return list(_scope(viewer)[:limit])


def job_run(job_id: int) -> None:
    """Run the import of a queued job (the worker). Never raises."""
    from readmit.imports.services import import_run

    job = ImportJob.objects.select_related("created_by__authority").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.VALIDATING)

    def tick(phase: str, done: int, total: int | None) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.SAVING if phase == "saving" else JobStatus.VALIDATING,
            rows_done=done,
            rows_total=total,
        )

    try:
        with channel("worker"), job.file.open("rb") as stream:
            report = import_run(
                actor=job.created_by,
                stream=stream,
                size=job.size,
                file_name=f"import-job-{job.pk}.{job.file_format}",
                valid_only=job.valid_only,
                dry_run=job.dry_run,
                progress=tick,
            )
        status = (
            JobStatus.DONE if report.saved or (report.ok and job.dry_run) else (JobStatus.REJECTED)
        )
        result = report.as_dict()
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        status = JobStatus.FAILED
        result = {"error_count": 1, "errors": [{"row": None, "column": "",
                  "message": _("The import failed unexpectedly; nothing was saved.")}]}  # fmt: skip
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, report=result, finished_at=timezone.now(), file=None
    )
