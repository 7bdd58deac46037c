"""Server time of the work queue and list pages with N seeded applications.

Each page is requested through Django's test client in this process (the whole request:
middleware, session, view, selectors, template; no network), signed in as a demo persona of
the side the page is for. Target: p95 < 100 ms with 1,000,000 applications on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_workflow .venv/bin/python benchmarks/bench_pages.py 1000000
    .venv/bin/python benchmarks/bench_pages.py 1000000   # SQLite, for comparison
"""

from __future__ import annotations

import os
import sys
import time

from _setup import ensure_applications, percentiles, setup

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))

# (persona, path): the requested state's queues, the requesting state's queues and lists.
PAGES = [
    *[("az-officer", f"/applications/?queue={q}") for q in ("action_needed", "due_soon", "overdue", "waiting")],
    *[("pk-officer", f"/applications/?queue={q}") for q in ("action_needed", "overdue")],
    ("az-consul", "/applications/?queue=action_needed"),
    *[("de-officer", f"/applications/?queue={q}") for q in ("action_needed", "due_soon", "overdue", "waiting")],
    ("de-officer", "/"),
    ("de-officer", "/returns/"),
    ("de-officer", "/persons/"),
    ("az-officer", "/"),
    # Filters and search (names in any script: a common surname, a rare one, none at all).
    ("de-officer", "/applications/?queue=all&nationality=GE&sort=-received"),
    ("de-officer", "/applications/?queue=all&q=nozadze"),
    ("de-officer", "/applications/?queue=all&q=nozadze+zurab"),
    ("az-officer", "/applications/?queue=all&q=qqqqzz"),
    ("de-officer", "/persons/?q=морозова"),
    ("de-officer", "/persons/?q=qqqqzz"),
    ("de-officer", "/returns/?query=nozadze"),
    # Lists that page without counting.
    ("de-officer", "/notifications/"),
    ("de-admin", "/audit/"),
    ("de-admin", "/audit/access-log/"),
]  # fmt: skip


def main() -> None:
    vendor = setup("workflow", keep=True)
    import logging

    logging.getLogger("readmit").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    count = ensure_applications(N)
    print(f"{vendor}: {count} applications in the database", flush=True)
    from django.test import Client

    from readmit.accounts.models import User

    clients: dict[str, Client] = {}
    worst = 0.0
    for username, path in PAGES:
        if username not in clients:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        client = clients[username]
        response = client.get(path)  # warm up (and check it answers)
        if response.status_code != 200:
            print(f"{vendor}: {path} as {username}: HTTP {response.status_code}, skipped")
            continue
        durations = []
        for _round in range(ROUNDS):
            t0 = time.perf_counter()
            client.get(path)
            durations.append(time.perf_counter() - t0)
        p50, p95 = percentiles(durations)
        worst = max(worst, p95)
        print(f"{vendor}: page {path:<36} as {username:<11} p50 {p50:6.1f} ms, p95 {p95:6.1f} ms "
              f"(target p95 < 100 ms: {'met' if p95 < 100 else 'MISSED'})", flush=True)  # fmt: skip
    print(f"{vendor}: worst page p95 {worst:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
