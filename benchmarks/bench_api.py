"""API throughput: an authenticated GET of one application against `readmit serve`.

Starts `readmit serve` (gunicorn, the production server) on 127.0.0.1 over the benchmark
database with N seeded applications, issues a bearer token for a requested-state persona, and
drives `GET /api/v1/applications/{id}` from a pool of threads (httpx, keep-alive), bounded
both in requests and in time. If the API does not offer that operation yet, it measures
`GET /api/v1/me` (authenticated, one token check and one user) instead and says so.
Target: at least 500 requests per second on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_workflow .venv/bin/python benchmarks/bench_api.py 1000000

Environment: BENCH_REQUESTS (default 5000), BENCH_SECONDS (60), BENCH_THREADS (8),
BENCH_WORKERS / BENCH_WEB_THREADS for gunicorn (2 / 4, the `readmit serve` defaults),
BENCH_PORT (8765).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from _setup import ROOT, ensure_applications, percentiles, setup

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "5000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PERSONA = "az-officer"


def _token() -> str:
    from readmit.accounts.models import User
    from readmit.accounts.services import token_create

    user = User.objects.get(username=PERSONA)
    return token_create(actor=None, user=user, name="benchmark", days=1).plaintext


def _serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    readmit = str(Path(sys.executable).with_name("readmit"))
    log = (ROOT / "var" / "bench" / "serve.log").open("wb")
    args = [readmit, "serve", "--bind", f"127.0.0.1:{PORT}",
            "--workers", os.environ.get("BENCH_WORKERS", "2"),
            "--threads", os.environ.get("BENCH_WEB_THREADS", "4")]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own readmit, fixed arguments
        args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def main() -> None:
    vendor = setup("workflow", keep=True)
    count = ensure_applications(N)
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)

    from readmit.readmission.models import Application

    token = _token()
    ids = list(
        Application.objects.filter(requested_state_id="AZ")
        .exclude(status="draft")
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    env = dict(os.environ, READMIT_ENV="development", DATABASE_URL=os.environ["DATABASE_URL"])
    server = _serve(env)
    base = f"http://127.0.0.1:{PORT}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("readmit serve did not start: see var/bench/serve.log")
            time.sleep(0.5)
        probe = httpx.get(f"{base}/api/v1/applications/{ids[0]}", headers=headers, timeout=10)
        if probe.status_code == 200:
            what = "GET /api/v1/applications/{id}"
            paths = [f"/api/v1/applications/{i}" for i in ids]
        else:
            what = (f"GET /api/v1/me (GET /api/v1/applications/{{id}} answered "
                    f"{probe.status_code}: not available yet)")  # fmt: skip
            paths = ["/api/v1/me"]
            if httpx.get(f"{base}/api/v1/me", headers=headers, timeout=10).status_code != 200:
                raise SystemExit("GET /api/v1/me does not answer 200 with the token")
        durations: list[float] = []
        errors = [0]
        lock = threading.Lock()
        issued = [0]
        stop_at = time.monotonic() + SECONDS

        def worker() -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
                mine: list[float] = []
                while time.monotonic() < stop_at:
                    with lock:
                        if issued[0] >= REQUESTS:
                            break
                        n = issued[0]
                        issued[0] += 1
                    t0 = time.perf_counter()
                    try:
                        ok = client.get(paths[n % len(paths)]).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    mine.append(time.perf_counter() - t0)
                    if not ok:
                        with lock:
                            errors[0] += 1
                with lock:
                    durations.extend(mine)

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(SECONDS + 30)
        elapsed = time.perf_counter() - started
        p50, p95 = percentiles(durations)
        rate = len(durations) / elapsed
        print(f"{vendor}: {count} applications; {what}: {len(durations)} requests "
              f"({errors[0]} errors) from {THREADS} threads in {elapsed:.1f} s = {rate:.0f} req/s "
              f"(p50 {p50:.1f} ms, p95 {p95:.1f} ms; target >= 500 req/s: "
              f"{'met' if rate >= 500 else 'MISSED'})", flush=True)  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
