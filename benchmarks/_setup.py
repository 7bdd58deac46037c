"""Shared set-up for benchmarks: a dedicated database, migrated, outside the test suite.

BENCH_DATABASE_URL chooses the database (default: a SQLite file under var/bench/). The
PostgreSQL database named in it is dropped and created afresh.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(name: str) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db = bench_dir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    elif url.startswith("postgres"):
        import psycopg

        base, dbname = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
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
