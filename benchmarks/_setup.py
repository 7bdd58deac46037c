"""Shared set-up for benchmarks: a dedicated database, migrated, outside the test suite.

BENCH_DATABASE_URL chooses the database (default: a SQLite file under var/bench/). The
PostgreSQL database named in it is dropped and created afresh, unless `keep` is given: then
an existing database is reused (migrated), so that a million seeded applications are
generated once and measured many times.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(name: str, *, keep: bool = False) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db = bench_dir / f"{name}.sqlite3"
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    elif url.startswith("postgres"):
        import psycopg

        base, dbname = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone()
            if exists and not keep:
                conn.execute(f'DROP DATABASE "{dbname}"')
            if not exists or not keep:
                conn.execute(f'CREATE DATABASE "{dbname}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readmit.config.settings")
    os.environ.setdefault("READMIT_ENV", "development")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url.split("://", 1)[0]


def ensure_applications(n: int) -> int:
    """Seed synthetic applications until the database holds at least `n`; returns the count."""
    import time

    from readmit.demo.seed import seed
    from readmit.readmission.models import Application

    have = Application.objects.count()
    if have < n:
        from django.core.management import call_command

        call_command("demo", quiet_logins=True, verbosity=0)
        t0 = time.perf_counter()
        report = seed(n - have, batch=10000)
        seconds = time.perf_counter() - t0
        print(f"seeded {report.applications} applications in {seconds:.0f} s "
              f"({report.applications / seconds:.0f}/s)", flush=True)  # fmt: skip
        have = Application.objects.count()
    return have


def percentiles(durations: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    import statistics

    if len(durations) < 2:
        return durations[0] * 1000, durations[0] * 1000
    q = statistics.quantiles(durations, n=100)
    return q[49] * 1000, q[94] * 1000
