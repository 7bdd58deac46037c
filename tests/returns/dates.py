"""Dates relative to today, so the "not in the future" rules hold whenever the suite runs."""

from __future__ import annotations

import datetime as dt

from readmit.core.timeutil import today


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def days_ahead(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)
