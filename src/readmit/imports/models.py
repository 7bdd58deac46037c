"""Import jobs started from the web page or the API, run by the worker."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def upload_to(instance: ImportJob, filename: str) -> str:
    # A neutral stored name: the uploaded file's name may carry personal data.
    return f"imports/{uuid.uuid4().hex}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    VALIDATING = "validating", _("Checking the rows")
    SAVING = "saving", _("Saving")
    DONE = "done", _("Finished")
    REJECTED = "rejected", _("Finished: nothing saved")
    FAILED = "failed", _("Failed")


FINISHED = (JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED)


class ImportJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    # Deleted once the job has run: the rows are personal data.
    file = models.FileField(upload_to=upload_to, null=True)
    size = models.PositiveBigIntegerField(default=0)
    file_format = models.CharField(max_length=8, blank=True)
    valid_only = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import job {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))
