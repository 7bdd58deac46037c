"""Helpers shared by the agreements' management commands: input parsing and JSON output.

Every bad input becomes a `CommandError` with one plain sentence (Django prints it on stderr
and exits with status 1), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandError

from readmit.core.errors import DomainError


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02."
        ) from None


def parse_int(value: str, option: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a whole number.") from None


def refused(exc: DomainError, options: Mapping[str, str]) -> CommandError:
    """A service's refusal, in the command's words: its message (neutral, as the web and the API
    show it), then the option behind each refused field, e.g.
    "… (--requested-state: Required when the partner requests.)". `options` maps a field name
    of the service to the command's option."""
    notes = [
        f"{options[name]}: {' '.join(str(p) for p in problems)}"
        for name, problems in exc.fields.items()
        if name in options
    ]
    return CommandError(" ".join([exc.message, *(f"({note})" for note in notes)]))


def to_json(document: Any, *, indent: int | None = None) -> str:
    return json.dumps(document, ensure_ascii=False, indent=indent)
