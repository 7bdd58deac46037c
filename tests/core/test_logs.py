"""The server's log never quotes an exception's message: a database error names the values
it refused, which may be a person's."""

from __future__ import annotations

import logging
import sys

from readmit.core.logs import WITHHELD, PlainFormatter


def _refuse(number: str) -> None:
    raise ValueError(f'duplicate key value: Key (number)=({number}) already exists; "Mammadov"')


def _record_of_a_failure() -> logging.LogRecord:
    try:
        try:
            _refuse("C01234567")
        except ValueError as exc:
            raise RuntimeError("Import of Mammadov, Elchin failed") from exc
    except RuntimeError:
        return logging.LogRecord(
            "readmit.test", logging.ERROR, __file__, 1, "Import job %s failed", (7,), sys.exc_info()
        )
    raise AssertionError("unreachable")


def test_a_logged_exception_gives_its_type_and_frames_not_its_message() -> None:
    text = PlainFormatter("%(levelname)s %(name)s %(message)s").format(_record_of_a_failure())
    assert "Import job 7 failed" in text  # our own message, which names ids only
    assert "C01234567" not in text and "Mammadov" not in text
    assert f"builtins.ValueError: {WITHHELD}" in text
    assert f"builtins.RuntimeError: {WITHHELD}" in text
    assert "direct cause" in text and "in _refuse" in text  # where it happened is kept


def test_the_servers_console_uses_it() -> None:
    console = [h for h in logging.getLogger().handlers if h.name == "console"]
    assert len(console) == 1 and isinstance(console[0].formatter, PlainFormatter)
    # Django's loggers write through it alone (not Django's own console handler, with DEBUG).
    for name in ("django", "django.server"):
        logger = logging.getLogger(name)
        assert console[0] in logger.handlers and not logger.propagate, name
        streams = [h for h in logger.handlers if type(h) is logging.StreamHandler]
        assert all(isinstance(h.formatter, PlainFormatter) for h in streams), name


def test_a_traceback_another_handler_cached_on_the_record_is_not_printed() -> None:
    record = _record_of_a_failure()
    record.exc_text = logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
    assert "C01234567" in record.exc_text  # what Django's own console handler would print
    text = PlainFormatter("%(message)s").format(record)
    assert "C01234567" not in text and WITHHELD in text
    assert "C01234567" in record.exc_text  # the other handler's record is left as it was
