"""Bulk import throughput: N rows (persons with a nationality, a passport and a new return
case each) from one CSV file through `readmit.imports.services.import_run`, validation and
audit entries included. Target: 100,000 rows in under 30 s on SQLite. Prints the wall-clock
time and this process's CPU time (on a shared, loaded machine the CPU time is the fairer
measure; the database's own work in SQLite is in-process and counted).

    .venv/bin/python benchmarks/bench_import.py [N]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/readmit_bench .venv/bin/python benchmarks/bench_import.py

With a second argument `applications`, every row also drafts a readmission application (own
nationals, to Azerbaijan), saved in the same chunks through `applications_draft_bulk`.
"""

from __future__ import annotations

import csv
import sys
import time

from _setup import ROOT, setup

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
APPLICATIONS = len(sys.argv) > 2 and sys.argv[2] == "applications"


def main() -> None:
    vendor = setup("import")
    from readmit.accounts.models import User
    from readmit.accounts.reference import states_load
    from readmit.agreements.services import agreements_load
    from readmit.audit.services import audit_verify
    from readmit.demo.world import demo_world_load
    from readmit.imports.services import import_run
    from readmit.persons.models import Person
    from readmit.returns.models import ReturnCase
    from readmit.returns.policy import policy_load

    states_load()
    demo_world_load()
    agreements_load()
    policy_load()
    path = ROOT / "var" / "bench" / "import.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        application = ["application_kind", "requested_state"] if APPLICATIONS else []
        writer.writerow(["surname_latin", "given_names_latin", "sex", "birth_year", "birth_month",
                         "birth_day", "place_of_birth", "nationality", "document_kind",
                         "document_number", "document_expiry", *application])  # fmt: skip
        drafts = ["own_nationals", "AZ"] if APPLICATIONS else []
        for i in range(N):
            writer.writerow([f"Surname{i}", "Given", "MF"[i % 2], 1950 + i % 50, 1 + i % 12,
                             1 + i % 28, "Baku", "AZ", "passport", f"C{i:09d}",
                             "2031-05-01", *drafts])  # fmt: skip
    actor = User.objects.select_related("authority").get(username="de-officer")
    size = path.stat().st_size
    started = time.perf_counter()
    cpu_started = time.process_time()
    phases: dict[str, float] = {}

    def tick(phase: str, done: int, total: int | None) -> None:
        phases.setdefault(phase, time.perf_counter())

    with path.open("rb") as stream:
        report = import_run(actor=actor, stream=stream, size=size, progress=tick)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert report.saved and report.persons == N, report.errors[:5]
    assert report.applications == (N if APPLICATIONS else 0)
    assert Person.objects.count() == N and ReturnCase.objects.count() >= N
    validate_s = phases.get("saving", time.perf_counter()) - started
    t0 = time.perf_counter()
    chain = audit_verify()
    verify_s = time.perf_counter() - t0
    assert chain.ok
    what = " with an application each" if APPLICATIONS else ""
    print(f"{vendor}: {N} rows{what} ({size / 1e6:.1f} MB CSV) imported in {elapsed:.1f} s = "
          f"{N / elapsed:.0f} rows/s (validation {validate_s:.1f} s, saving "
          f"{elapsed - validate_s:.1f} s; CPU time of this process {cpu:.1f} s); audit verify of {chain.checked} entries "
          f"{verify_s:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
