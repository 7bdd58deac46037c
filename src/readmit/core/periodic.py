"""The schedule of periodic jobs that `readmit worker` enqueues.

Every job is idempotent and may run late without changing its outcome, so an in-memory
schedule per worker is enough: a restarted worker simply runs each job once at start.
Other apps add their jobs to `SCHEDULE` (e.g. the deadline sweep).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task_path: str  # "module:attribute" of a django-tasks Task


SCHEDULE: list[PeriodicJob] = [
    PeriodicJob(
        "clear expired sessions", dt.timedelta(hours=1), "readmit.core.tasks:clear_expired_sessions"
    ),
    PeriodicJob(
        "verify audit chain", dt.timedelta(hours=24), "readmit.core.tasks:verify_audit_chain"
    ),
    # Idempotent and decided from stored dates: running it every quarter of an hour only makes
    # tacit acceptances and reminders visible sooner, never different.
    PeriodicJob(
        "deadline sweep", dt.timedelta(minutes=15), "readmit.readmission.tasks:run_deadline_sweep"
    ),
    # Webhook deliveries whose retry is due (exponential backoff, bounded attempts).
    PeriodicJob(
        "webhook retries", dt.timedelta(minutes=1), "readmit.webhooks.tasks:retry_webhooks"
    ),
    PeriodicJob(
        "purge idempotency records",
        dt.timedelta(hours=1),
        "readmit.api.tasks:purge_idempotency_records",
    ),
]


def resolve(job: PeriodicJob) -> Any:
    import importlib

    module, attribute = job.task_path.split(":")
    return getattr(importlib.import_module(module), attribute)
