"""The readmission workflow at volume: the work queue, submitting, the deadline sweep.

With N seeded applications (`readmit seed`; generated once and reused), it measures:

(a) the requested state's work queue through `readmission.selectors.work_queue`: the first
    page (open applications due soonest) for each requested-state persona and each queue;
    target p95 < 50 ms;
(b) submitting applications through the service layer (`application_submit`, one
    transaction each with its event, audit entry, transmission log and notifications), on
    seeded drafts; target >= 200/s;
(c) the deadline sweep over all open applications (`deadline_sweep`): the day's run (with the
    reminders, tacit acceptances and overdue marks that fall due today) and an idle re-run
    (the scan alone); target < 10 s.

Run:

    .venv/bin/python benchmarks/bench_workflow.py 1000000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_workflow .venv/bin/python benchmarks/bench_workflow.py 1000000
"""

from __future__ import annotations

import os
import sys
import time

from _setup import ensure_applications, percentiles, setup

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
SUBMITS = int(os.environ.get("BENCH_SUBMITS", "300"))
SKIP = set(os.environ.get("BENCH_SKIP", "").split(","))  # e.g. "sweep" or "submit"
REQUESTED_PERSONAS = ("az-officer", "pk-officer", "ge-officer", "az-consul", "pk-consul")
SENDER_PERSONAS = {"de-lea-berlin": "de-officer", "nl-dtv": "nl-officer", "be-dvz": "be-officer"}


def bench_queue(vendor: str) -> None:
    from readmit.accounts.models import User
    from readmit.readmission.selectors import QUEUE_NAMES, work_queue

    users = list(User.objects.select_related("authority").filter(username__in=REQUESTED_PERSONAS))
    for queue in QUEUE_NAMES:
        durations = []
        rows = 0
        for user in users:
            work_queue(viewer=user, queue=queue)  # warm the caches once per user
            for _round in range(ROUNDS):
                t0 = time.perf_counter()
                page = work_queue(viewer=user, queue=queue)
                durations.append(time.perf_counter() - t0)
                rows = max(rows, len(page))
        p50, p95 = percentiles(durations)
        print(f"{vendor}: (a) work queue {queue:<14} first page ({rows} rows), "
              f"{len(users)} requested-state users x {ROUNDS}: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(target p95 < 50 ms: {'met' if p95 < 50 else 'MISSED'})", flush=True)  # fmt: skip
    # The next page, by the keyset of the first (what "more" asks for).
    durations = []
    for user in users:
        page = work_queue(viewer=user, queue="action_needed")
        if not page:
            continue
        after = (page[-1].reply_due, page[-1].pk)
        for _round in range(ROUNDS):
            t0 = time.perf_counter()
            work_queue(viewer=user, queue="action_needed", after=after)
            durations.append(time.perf_counter() - t0)
    if durations:
        p50, p95 = percentiles(durations)
        print(f"{vendor}: (a) work queue action_needed second page: p50 {p50:.1f} ms, "
              f"p95 {p95:.1f} ms", flush=True)  # fmt: skip


def bench_submit(vendor: str) -> None:
    from readmit.accounts.models import User
    from readmit.readmission.models import Application, ApplicationStatus, Procedure
    from readmit.readmission.services import application_submit

    actors = {
        u.authority_id: u
        for u in User.objects.select_related("authority").filter(
            username__in=SENDER_PERSONAS.values()
        )
    }
    drafts = list(
        Application.objects.filter(
            status=ApplicationStatus.DRAFT,
            procedure=Procedure.NORMAL,
            requesting_authority_id__in=actors,
        )
        .order_by("pk")
        .values_list("pk", "requesting_authority_id")[: SUBMITS + 1]
    )
    if not drafts:
        print(f"{vendor}: (b) no seeded drafts left to submit")
        return
    # One submission first, not counted: the calendars and holiday tables load on first use.
    warm_id, warm_authority = drafts.pop(0)
    application_submit(actor=actors[warm_authority], application_id=warm_id)
    durations = []
    failures = 0
    started = time.perf_counter()
    for application_id, authority_id in drafts:
        t0 = time.perf_counter()
        try:
            application_submit(actor=actors[authority_id], application_id=application_id)
        except Exception as exc:
            failures += 1
            if failures == 1:
                print(f"{vendor}: (b) first failure: {type(exc).__name__}: {exc}")
            continue
        durations.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    done = len(durations)
    p50, p95 = percentiles(durations) if durations else (0.0, 0.0)
    rate = done / elapsed if elapsed else 0.0
    print(f"{vendor}: (b) application_submit: {done} submitted ({failures} refused) in "
          f"{elapsed:.2f} s = {rate:.0f}/s (p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
          f"target >= 200/s: {'met' if rate >= 200 else 'MISSED'})", flush=True)  # fmt: skip


def bench_sweep(vendor: str) -> None:
    from readmit.readmission.models import OPEN_STATUSES, Application
    from readmit.readmission.sweep import deadline_sweep

    open_count = Application.objects.filter(status__in=OPEN_STATUSES).count()
    for label in ("day's run", "idle re-run"):
        t0 = time.perf_counter()
        report = deadline_sweep()
        seconds = time.perf_counter() - t0
        print(f"{vendor}: (c) deadline sweep, {label}, over {open_count} open applications: "
              f"{seconds:.2f} s {report.as_dict()} "
              f"(target < 10 s: {'met' if seconds < 10 else 'MISSED'})", flush=True)  # fmt: skip


def main() -> None:
    vendor = setup("workflow", keep=True)
    import logging

    logging.getLogger("readmit").setLevel(logging.WARNING)
    count = ensure_applications(N)
    print(f"{vendor}: {count} applications in the database", flush=True)
    if "queue" not in SKIP:
        bench_queue(vendor)
    if "sweep" not in SKIP:
        bench_sweep(vendor)
    if "submit" not in SKIP:
        bench_submit(vendor)


if __name__ == "__main__":
    main()
