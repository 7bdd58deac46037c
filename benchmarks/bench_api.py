"""API throughput: an authenticated GET of one application against `readmit serve`.

Starts `readmit serve` (granian, the production server) on 127.0.0.1 over the benchmark
database with N seeded applications, issues a bearer token for a requested-state persona, and
drives `GET /api/v1/applications/{id}` over 1,000 of that state's applications in turn, with
keep-alive connections. The load generator is `wrk` (C, Debian's package `wrk`; a Lua script
cycles the ids) when it is installed, so that the client takes little of the CPU it measures;
otherwise a pool of Python threads (httpx), which costs the server a good share of the CPU.
Target: at least 500 requests per second on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_workflow .venv/bin/python benchmarks/bench_api.py 1000000

Environment: BENCH_REQUESTS (default 5000, httpx only), BENCH_SECONDS (60), BENCH_THREADS (8:
wrk connections or httpx threads), BENCH_CLIENT (`wrk` or `httpx`; default wrk when installed),
BENCH_WORKERS / BENCH_WEB_THREADS for `readmit serve` (2 / 2, its defaults),
BENCH_PORT (8765).
"""

from __future__ import annotations

import os
import shutil
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
WORKERS = os.environ.get("BENCH_WORKERS", "2")
WEB_THREADS = os.environ.get("BENCH_WEB_THREADS", "2")
PERSONA = "az-officer"


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(server_pid: int, dbname: str) -> tuple[float, float]:
    """CPU time used so far by `readmit serve` (its process group) and by PostgreSQL: the
    backends of the benchmark's database and the server's own processes (WAL writer,
    checkpointer…), not other databases' backends. Divided by the requests served, a cost
    per request that other work on the machine inflates far less than it does the rate."""
    server = database = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
        if int(fields[2]) == server_pid:  # process group
            server += used
        elif comm.startswith("postgres"):
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().split()
            except OSError:
                continue
            # A backend's title: "postgres: [<cluster>:] <user> <database> <client> <state>",
            # its client "127.0.0.1(port)" or "[local]"; the rest are the server's own.
            client = next(
                (i for i, t in enumerate(title) if t == "[local]" or t.endswith(")")), None
            )
            if client is None or title[client - 1] == dbname:
                database += used
    return server, database


def _token() -> str:
    from readmit.accounts.models import User
    from readmit.accounts.services import token_create

    user = User.objects.get(username=PERSONA)
    return token_create(actor=None, user=user, name="benchmark", days=1).plaintext


def _serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    readmit = str(Path(sys.executable).with_name("readmit"))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    log = (ROOT / "var" / "bench" / "serve.log").open("wb")
    args = [readmit, "serve", "--bind", f"127.0.0.1:{PORT}",
            "--workers", WORKERS, "--threads", WEB_THREADS]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own readmit, fixed arguments
        args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


WRK_SCRIPT = """
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/applications/" .. ids[(n % #ids) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %d %f %f %f\\n", summary.requests, errors,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3))
end
"""


def _wrk(base: str, token: str, ids: list[int]) -> tuple[int, int, float, float, float]:
    """wrk with keep-alive connections cycling the ids; (requests, errors, seconds, p50, p95)."""
    bench = ROOT / "var" / "bench"
    (bench / "ids.txt").write_text("\n".join(map(str, ids)) + "\n")
    (bench / "api.lua").write_text(WRK_SCRIPT)
    wrk = shutil.which("wrk") or "wrk"
    args = [wrk, "-t", "2", "-c", str(THREADS), "-d", f"{int(SECONDS)}s", "-s",
            str(bench / "api.lua"), "-H", f"Authorization: Bearer {token}", base]  # fmt: skip
    result = subprocess.run(  # noqa: S603 - wrk, our own arguments
        args,
        env=dict(os.environ, BENCH_IDS=str(bench / "ids.txt")),
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    requests, errors, seconds, p50, p95 = line.split()[1:]
    return int(requests), int(errors), float(seconds), float(p50), float(p95)


def _httpx(
    base: str, headers: dict[str, str], ids: list[int]
) -> tuple[int, int, float, float, float]:
    """A pool of Python threads (httpx, keep-alive), bounded in requests and in time."""
    import httpx

    paths = [f"/api/v1/applications/{i}" for i in ids]
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
    return len(durations), errors[0], elapsed, p50, p95


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
        if probe.status_code != 200:
            raise SystemExit(f"GET /api/v1/applications/{{id}} answered {probe.status_code}")
        what = "GET /api/v1/applications/{id}"
        client = os.environ.get("BENCH_CLIENT") or ("wrk" if shutil.which("wrk") else "httpx")
        dbname = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
        before = _cpu_seconds(server.pid, dbname)
        if client == "wrk":
            done, errors, elapsed, p50, p95 = _wrk(base, token, ids)
        else:
            done, errors, elapsed, p50, p95 = _httpx(base, headers, ids)
        after = _cpu_seconds(server.pid, dbname)
        rate = done / elapsed
        server_ms = (after[0] - before[0]) / done * 1000
        database_ms = (after[1] - before[1]) / done * 1000
        print(f"{vendor}: {count} applications; {what}: {done} requests ({errors} errors) "
              f"from {THREADS} {client} connections in {elapsed:.1f} s = {rate:.0f} req/s "
              f"(p50 {p50:.1f} ms, p95 {p95:.1f} ms; readmit serve {WORKERS} workers x "
              f"{WEB_THREADS} threads; target >= 500 req/s: "
              f"{'met' if rate >= 500 else 'MISSED'}); CPU per request: {server_ms:.2f} ms "
              f"readmit serve + {database_ms:.2f} ms PostgreSQL; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
