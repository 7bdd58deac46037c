"""How many audited changes per second the hash chain allows.

Every audited write appends to one chain under a locked head row, so the chain is the ceiling
on write throughput. Run:

    .venv/bin/python benchmarks/bench_audit.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/readmit_bench .venv/bin/python benchmarks/bench_audit.py
"""

from __future__ import annotations

import statistics
import sys
import time

from _setup import setup

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000


def main() -> None:
    vendor = setup("audit")
    from django.db import transaction

    from readmit.audit.services import audit_record, audit_verify

    durations = []
    started = time.perf_counter()
    for i in range(N):
        t0 = time.perf_counter()
        with transaction.atomic():
            audit_record(actor=None, action="bench.thing.changed", object_type="bench.thing",
                         object_id=i, changes={"status": ["draft", "submitted"], "n": i})  # fmt: skip
        durations.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    t0 = time.perf_counter()
    report = audit_verify()
    verify_s = time.perf_counter() - t0
    assert report.ok and report.checked == N
    p95 = statistics.quantiles(durations, n=100)[94] * 1000
    print(f"{vendor}: {N} audited commits in {elapsed:.2f} s = {N / elapsed:.0f}/s "
          f"(p95 {p95:.2f} ms); audit verify of {N} entries: {verify_s:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
