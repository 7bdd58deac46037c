"""Background tasks of the readmission workflow, run by `readmit worker`."""

from __future__ import annotations

from django_tasks import task

from readmit.audit.context import channel


@task()
def run_deadline_sweep() -> dict[str, int]:
    from readmit.readmission.sweep import deadline_sweep

    with channel("worker"):
        return deadline_sweep().as_dict()
