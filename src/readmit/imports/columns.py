"""The columns of an import file (docs/import.md), and the downloadable templates.

One row is one person with a new return case; with the application columns filled, the row
also drafts a readmission application for that case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str | Promise
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("surname_latin", True, _("Surname in Latin script"), "Mammadov"),
    Column("given_names_latin", True, _("Given names in Latin script"), "Elchin"),
    Column("sex", True, _("F, M or X (unknown)"), "M"),
    Column("birth_year", True, _("Year of birth, e.g. 1990"), "1990"),
    Column("birth_month", False, _("Month of birth, 1-12, if known"), "4"),
    Column("birth_day", False, _("Day of birth, if known"), "17"),
    Column("surname_original", False, _("Surname in the original script")),
    Column("given_names_original", False, _("Given names in the original script")),
    Column("original_script", False, _("ISO 15924 code of the original script, e.g. Cyrl")),
    Column("place_of_birth", False, _("Place of birth"), "Baku"),
    Column("birth_country", False, _("Country of birth, ISO 3166 alpha-2 code"), "AZ"),
    Column("civil_status", False, _("single, married, divorced, widowed or unknown"), "single"),
    Column("languages", False, _("Languages, ISO 639 codes separated by commas"), "az,ru"),
    Column("father_name", False, _("Father's name")),
    Column("mother_name", False, _("Mother's name")),
    Column("nationality", False, _("Nationality, ISO 3166 alpha-2 code"), "AZ"),
    Column("nationality_status", False, _("claimed (default) or established"), "claimed"),
    Column("document_kind", False, _("Kind of identity document, e.g. passport"), "passport"),
    Column("document_number", False, _("Document number"), "C01234567"),
    Column("document_expiry", False, _("Document expiry date, YYYY-MM-DD"), "2030-01-31"),
    Column(
        "application_kind",
        False,
        _("Draft an application: own_nationals, third_country_nationals, notification_only"),
    ),
    Column("requested_state", False, _("Requested state, ISO code (with application_kind)")),
    Column("procedure", False, _("normal (default) or accelerated")),
    Column("apprehended_on", False, _("Date of apprehension, YYYY-MM-DD (accelerated)")),
    Column("knowledge_on", False, _("Unlawful stay known since, YYYY-MM-DD")),
)
NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
APPLICATION_COLUMNS = ("application_kind", "requested_state", "procedure", "apprehended_on",
                       "knowledge_on")  # fmt: skip


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "import"
    sheet.append(list(NAMES))
    # Text cells: a spreadsheet must not turn a year or a code into something else.
    sheet.append([c.example for c in COLUMNS])
    for cell in sheet[2]:
        cell.number_format = "@"
    help_sheet = workbook.create_sheet("columns")
    help_sheet.append(["column", "required", "meaning"])
    for c in COLUMNS:
        help_sheet.append([c.name, "yes" if c.required else "", str(c.help)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
