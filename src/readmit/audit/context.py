"""Which interface an action came through (web, api, cli, worker), for the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_channel: ContextVar[str] = ContextVar("readmit_channel", default="system")


def current_channel() -> str:
    return _channel.get()


@contextmanager
def channel(name: str) -> Iterator[None]:
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)
