from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from readmit.core.periodic import SCHEDULE, resolve

logger = logging.getLogger("readmit.worker")


def _scheduler(stop: threading.Event, tick: float) -> None:
    next_run = dict.fromkeys((job.name for job in SCHEDULE), 0.0)
    while not stop.is_set():
        now = time.monotonic()
        for job in SCHEDULE:
            if now >= next_run[job.name]:
                try:
                    resolve(job).enqueue()
                    logger.info("Enqueued periodic job: %s", job.name)
                except Exception:  # one failing job must not stop the schedule
                    logger.exception("Could not enqueue periodic job: %s", job.name)
                next_run[job.name] = now + job.every.total_seconds()
        stop.wait(tick)


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database backend) and the periodic schedule."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--no-schedule", action="store_true", help="Run queued tasks only, no periodic jobs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        scheduler = None
        if not options["no_schedule"]:
            scheduler = threading.Thread(
                target=_scheduler, args=(stop, 5.0), name="readmit-scheduler", daemon=True
            )
            scheduler.start()
        try:
            call_command("db_worker", interval=options["interval"], queue_name="*")
        finally:
            stop.set()
