"""Periodic housekeeping run by `readmit worker`."""

from __future__ import annotations

import logging

from django.core.management import call_command
from django_tasks import task

from readmit.audit.context import channel

logger = logging.getLogger(__name__)


@task()
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@task()
def verify_audit_chain() -> bool:
    from readmit.audit.services import audit_verify

    with channel("worker"):
        report = audit_verify()
    if not report.ok:
        # The message names an entry number, never its content.
        logger.error("Audit chain broken: %s", report.problem)
    return report.ok
