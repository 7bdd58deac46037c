"""Background tasks of the API, run by `readmit worker`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from readmit.api.models import IdempotencyRecord

# How long a retry with the same Idempotency-Key answers the first response (docs/api.md).
KEEP_FOR = dt.timedelta(hours=24)


@task()
def purge_idempotency_records() -> int:
    """Forget stored first responses older than KEEP_FOR; a key may then be used anew."""
    deleted, _detail = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - KEEP_FOR
    ).delete()
    return deleted
