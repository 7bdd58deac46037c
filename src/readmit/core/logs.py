"""Log formatting that keeps personal data out of the logs.

Readmit's own log messages name objects by id, never by content. An exception's message is
another matter: a database error quotes the values of the row it refused ("Key (number)=(C0…)
already exists"), a parser the text it could not read. `PlainFormatter` writes an exception's
type and where it was raised (each frame's file, line and function), and withholds its message,
in the server's console as in any handler configured with it.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

WITHHELD = "[message withheld: it may quote personal data]"


def _lines(exc: BaseException, seen: set[int]) -> list[str]:
    seen.add(id(exc))
    lines: list[str] = []
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and id(cause) not in seen:
        lines += _lines(cause, seen)
        lines.append(
            "The above exception was the direct cause of the following exception:"
            if exc.__cause__ is not None
            else "During handling of the above exception, another exception occurred:"
        )
    lines.append("Traceback (most recent call last):")
    for frame in traceback.extract_tb(exc.__traceback__):
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
    lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {WITHHELD}")
    return lines


class PlainFormatter(logging.Formatter):
    """`logging.Formatter` whose tracebacks give each exception's type and frames, and not
    its message or the source lines (which may hold literal values)."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback on the record (`exc_text`),
        # which logging.Formatter would print as it is.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        exc = ei[1]
        if exc is None:
            return ""
        return "\n".join(_lines(exc, set()))
