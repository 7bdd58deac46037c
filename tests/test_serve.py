"""`readmit serve`, the production server (granian), serves the web pages, their static files
and the API, and its access log carries no query string."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection

from readmit.accounts.models import User
from readmit.accounts.services import token_create


def _database_url() -> str:
    """The test database, as the server process must reach it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`readmit serve` on a free port over the test database, answering: (process, URL, log).
    The process leads a process group of its own: granian's main process and its workers."""
    port = _free_port()
    log = tmp_path / "serve.log"
    # Configured as the suite is (its password hasher, tasks run at once), on its database.
    env = dict(os.environ, DATABASE_URL=_database_url(), READMIT_ENV="test")
    readmit = str(Path(sys.executable).with_name("readmit"))
    with log.open("wb") as out:
        server = subprocess.Popen(
            [readmit, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base, log
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)
            pytest.fail(f"readmit serve did not answer:\n{log.read_text()}")
        time.sleep(0.2)


def _group_alive(server: subprocess.Popen[bytes]) -> bool:
    try:
        os.killpg(server.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(server: subprocess.Popen[bytes]) -> None:
    if _group_alive(server):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`readmit serve` over the test database: (base URL, its log)."""
    server, base, log = _start(tmp_path)
    try:
        yield base, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        finally:
            _stop(server)


@pytest.mark.django_db(transaction=True)
def test_readmit_serve_answers_pages_static_files_and_the_api(
    served: tuple[str, Path], persona: Callable[[str], User]
) -> None:
    base, log = served
    token = token_create(actor=None, user=persona("az-officer"), name="serve").plaintext

    login = httpx.get(f"{base}/accounts/login/")
    assert login.status_code == 200
    assert "Content-Security-Policy" in login.headers
    assert "<form" in login.text

    css = httpx.get(f"{base}/static/readmit/readmit.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")

    anonymous = httpx.get(f"{base}/api/v1/applications")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"]

    listed = httpx.get(
        f"{base}/api/v1/applications",
        params={"status": "submitted", "limit": 5},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert listed.status_code == 200, listed.text
    assert isinstance(listed.json()["items"], list)

    # A streamed answer (the CSV export) arrives whole.
    export = httpx.get(
        f"{base}/api/v1/exports/applications",
        params={"format": "csv"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert export.status_code == 200, export.text
    assert export.headers["Content-Type"].startswith("text/csv")
    assert export.text.lstrip("\ufeff").startswith("id,reference,")

    # The log shows the path, never the query string (a search may carry a name).
    searched = httpx.get(
        f"{base}/api/v1/persons",
        params={"q": "Zzyzxsecretname"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert searched.status_code in (200, 403)
    time.sleep(0.5)  # the log is written after the response
    text = log.read_text()
    assert '"GET /api/v1/applications" 401' in text
    assert '"GET /api/v1/persons" ' in text
    assert "Zzyzxsecretname" not in text
    assert "Bearer" not in text and token not in text


@pytest.mark.django_db(transaction=True)
def test_an_officer_signs_in_through_readmit_serve(
    served: tuple[str, Path], persona: Callable[[str], User], demo_password: str
) -> None:
    base, _log = served
    with httpx.Client(base_url=base, follow_redirects=True) as browser:
        form = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, form.text[:500]
        home = browser.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": persona("de-officer").username,
                "password": demo_password,
            },
        )
        assert home.status_code == 200
        assert str(home.url).rstrip("/") != f"{base}/accounts/login"
        assert "readmit-session" in browser.cookies
        assert 'action="/accounts/logout/"' in home.text  # signed in: the sign-out form


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_readmit_serve_and_its_workers(tmp_path: Path) -> None:
    """Ctrl-C (`make run`) signals every process of the group; all of them end."""
    server, base, log = _start(tmp_path)
    try:
        assert httpx.get(f"{base}/accounts/login/").status_code == 200
        os.killpg(server.pid, signal.SIGINT)
        server.wait(20)
        deadline = time.monotonic() + 20
        while _group_alive(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(server), log.read_text()
    finally:
        _stop(server)


def test_readmit_serve_refuses_a_bind_without_a_port(capsys: Any) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="HOST:PORT"):
        call_command("serve", "--bind", "localhost")
    with pytest.raises(CommandError, match="could not be found"):
        call_command("serve", "--bind", "no-such-host.invalid:8000")


def test_readmit_serve_binds_a_host_name_by_its_address() -> None:
    from readmit.core.management.commands.serve import _address

    assert _address("localhost") in {"127.0.0.1", "::1"}
    assert _address("0.0.0.0") == "0.0.0.0"  # noqa: S104 - the address itself, not a bind
    assert _address("::") == "::"
