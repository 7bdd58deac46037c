from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# The access log shows the peer, method, path (never the query string: a search may hold a
# name), status and time. Ids in paths are not personal data.
ACCESS_LOG_FORMAT = '%(addr)s "%(method)s %(path)s" %(status)d %(dt_ms).0fms'


def _address(host: str) -> str:
    """granian binds to an IP address: a host name (localhost) is looked up first."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        raise CommandError(f"--bind: the host {host!r} could not be found.") from None
    return str(found[0][4][0])


class Command(BaseCommand):
    help = "Serve Readmit with granian (static files by whitenoise). Never runserver."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("READMIT_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("READMIT_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("READMIT_WEB_THREADS", "2"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, _, port = options["bind"].rpartition(":")
        if not port.isdigit():
            raise CommandError("--bind takes HOST:PORT, for example 0.0.0.0:8000.")
        address = _address(host.strip("[]") or "127.0.0.1")
        # whitenoise serves what collectstatic gathered; it is quick and idempotent.
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            address,
            "--port",
            port,
            "--workers",
            str(options["workers"]),
            # Django runs in these threads: per worker, the requests served at once.
            "--blocking-threads",
            str(options["threads"]),
            "--no-ws",
            "--respawn-failed-workers",
            # A worker still running this long after a stop signal is killed. Ctrl-C signals
            # every process of the group, and a granian worker signalled twice (by the terminal
            # and by its main process) can miss both; without this it would wait forever.
            "--workers-kill-timeout",
            "10",
            "--access-log",
            "--access-log-fmt",
            ACCESS_LOG_FORMAT,
            "readmit.config.wsgi:application",
        ]
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with granian
