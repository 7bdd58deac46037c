"""Reading an import file row by row, streamed, with a plain report of what is wrong.

The size is checked before anything is read; CSV is decoded as strict UTF-8 line by line
and XLSX is read in openpyxl's read-only (streaming) mode, so a huge or hostile file is
refused or read with bounded memory, never loaded whole.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from readmit.imports.columns import NAMES, REQUIRED

XLSX_MAGIC = b"PK\x03\x04"


class FileRejected(Exception):
    """The file as a whole cannot be imported: the message says why in plain words."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]  # (row number as the user sees it, values)
    format: str


def max_bytes() -> int:
    return int(getattr(settings, "READMIT_IMPORT_MAX_BYTES", 50 * 1024 * 1024))


def check_size(size: int) -> None:
    if size == 0:
        raise FileRejected(_("The file is empty."))
    limit = max_bytes()
    if size > limit:
        raise FileRejected(
            _("The file is too large: at most %(mb)d MB can be imported at once.")
            % {"mb": limit // (1024 * 1024)}
        )


def open_table(stream: IO[bytes], size: int, file_name: str = "") -> Table:
    """The header and a row iterator of a CSV or XLSX file; FileRejected when unusable."""
    check_size(size)
    head = stream.read(4)
    stream.seek(0)
    if head == XLSX_MAGIC or file_name.lower().endswith(".xlsx"):
        return _xlsx(stream)
    return _csv(stream)


def _header(raw: list[Any]) -> list[str]:
    columns = [str(c or "").strip().lstrip("\ufeff").lower() for c in raw]
    if any("\x00" in c for c in columns):
        # Said before any message repeats a column's name: no report can hold it.
        raise FileRejected(_("Text cannot contain the NUL character (U+0000)."), row=1)
    while columns and not columns[-1]:
        columns.pop()
    missing = [c for c in REQUIRED if c not in columns]
    if not columns or not any(c in NAMES for c in columns):
        raise FileRejected(
            _("The first row must name the columns (see the template); none was recognised."),
            row=1,
        )
    if missing:
        raise FileRejected(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
            row=1,
        )
    unknown = [c for c in columns if c and c not in NAMES]
    if unknown:
        raise FileRejected(
            _("Unknown columns: %(columns)s (see the template).")
            % {"columns": ", ".join(unknown[:10])},
            row=1,
        )
    duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicates:
        raise FileRejected(
            _("Columns named twice: %(columns)s.") % {"columns": ", ".join(duplicates)}, row=1
        )
    return columns


def _csv(stream: IO[bytes]) -> Table:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    try:
        first = next(reader, None)
    except UnicodeDecodeError:
        raise FileRejected(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” or use the XLSX template."),
            row=1,
        ) from None
    except csv.Error:
        raise FileRejected(_("The file is not a readable CSV file."), row=1) from None
    if first is None:
        raise FileRejected(_("The file is empty."))
    columns = _header(first)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        try:
            for raw in reader:
                number += 1
                if not any(v.strip() for v in raw):
                    continue
                if len(raw) > len(columns) and any(v.strip() for v in raw[len(columns) :]):
                    raise FileRejected(
                        _("This row has more cells than the header has columns."), row=number
                    )
                yield number, dict(zip(columns, raw, strict=False))
        except UnicodeDecodeError:
            raise FileRejected(
                _("The file is not UTF-8 text. Save it as “CSV UTF-8” or use the XLSX template."),
                row=number + 1,
            ) from None
        except csv.Error:
            raise FileRejected(
                _("The file is not a readable CSV file (broken quoting or binary data)."),
                row=number + 1,
            ) from None

    return Table(columns, rows(), "csv")


def _xlsx(stream: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise FileRejected(_("The file is not a readable XLSX workbook.")) from None
    except Exception:  # openpyxl raises assorted errors on hostile files
        raise FileRejected(_("The file is not a readable XLSX workbook.")) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise FileRejected(_("The workbook has no sheet."))
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values, None)
    except Exception:
        raise FileRejected(_("The file is not a readable XLSX workbook.")) from None
    if first is None:
        raise FileRejected(_("The file is empty."))
    columns = _header(list(first))

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        try:
            for raw in values:
                number += 1
                if not any(v not in (None, "") for v in raw):
                    continue
                yield number, dict(zip(columns, raw, strict=False))
        except FileRejected:
            raise
        except Exception:
            raise FileRejected(
                _("The file is not a readable XLSX workbook."), row=number + 1
            ) from None
        finally:
            workbook.close()

    return Table(columns, rows(), "xlsx")
