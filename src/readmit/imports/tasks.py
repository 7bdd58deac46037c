from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    from readmit.imports.jobs import job_run

    job_run(job_id)
