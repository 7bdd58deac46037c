"""Checks on a person's particulars, shared by the services. Pure functions: no database.

Each check returns plain-words messages (never the value itself, which may be personal
data) so the services can collect every problem before saving anything.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pycountry
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A year of birth before this is taken as a typing error, not a person still to be returned.
EARLIEST_BIRTH_YEAR = 1900

_SCRIPT_CODE = re.compile(r"^[A-Z][a-z]{3}$")  # ISO 15924: four letters, first upper case


def partial_date_errors(
    year: int | None, month: int | None, day: int | None, *, today: dt.date, prefix: str
) -> dict[str, list[str]]:
    """Problems with a date known to the year, the month or the day, keyed by field name.

    `prefix` names the fields: prefix "birth" checks birth_year, birth_month, birth_day.
    """
    errors: dict[str, list[str]] = {}
    year_f, month_f, day_f = f"{prefix}_year", f"{prefix}_month", f"{prefix}_day"
    if year is None:
        errors[year_f] = [_("Enter the year of birth.")]
        return errors
    if year < EARLIEST_BIRTH_YEAR:
        errors[year_f] = [
            _("The year of birth must be %(year)d or later.") % {"year": EARLIEST_BIRTH_YEAR}
        ]
        return errors
    if month is None and day is not None:
        errors[month_f] = [_("Enter the month too, or leave the day empty.")]
        return errors
    if month is not None and not 1 <= month <= 12:
        errors[month_f] = [_("The month must be a number from 1 to 12.")]
        return errors
    if month is not None and day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            errors[day_f] = [
                _("This month has no day %(day)d: it has %(last)d days.")
                % {"day": day, "last": last}
            ]
            return errors
    # Compare at the precision that is known: a year alone is in the future only when it is
    # after this year.
    known = (year, month or 0, day or 0)
    now = (today.year, today.month if month else 0, today.day if day else 0)
    if known > now:
        field = day_f if day else month_f if month else year_f
        errors[field] = [_("The date of birth cannot be in the future.")]
    return errors


def date_not_future_error(value: dt.date | None, *, today: dt.date, label: str) -> str | None:
    if value is not None and value > today:
        return _("%(label)s cannot be in the future.") % {"label": label}
    return None


def script_code_error(code: str) -> str | None:
    if code and not _SCRIPT_CODE.match(code):
        return _("Use a four-letter ISO 15924 script code, e.g. Cyrl, Arab, Geor or Armn.")
    return None


def languages_clean(codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """(normalised ISO 639 codes, errors). Accepts two- or three-letter codes."""
    clean: list[str] = []
    unknown: list[str] = []
    for raw in codes:
        code = raw.strip().lower()
        if not code:
            continue
        language = None
        if len(code) == 2:
            language = pycountry.languages.get(alpha_2=code)
        elif len(code) == 3:
            language = pycountry.languages.get(alpha_3=code)
        if language is None:
            unknown.append(code)
        elif code not in clean:
            clean.append(code)
    errors = []
    if unknown:
        # The input is not echoed: a mistyped field may hold anything.
        errors.append(
            ngettext(
                "%(n)d code is not an ISO 639 language code; use e.g. az, ru or aze.",
                "%(n)d codes are not ISO 639 language codes; use e.g. az, ru or aze.",
                len(unknown),
            )
            % {"n": len(unknown)}
        )
    return clean, errors


def identifier_number_normalise(number: str) -> str:
    """Upper case without spaces, dashes, dots or slashes: how numbers are searched."""
    return re.sub(r"[\s\-./]", "", number).upper()


# --- Photos ------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024  # a product limit (one recent colour photo), not a legal one


@dataclass(frozen=True)
class PhotoKind:
    content_type: str
    extension: str


_JPEG = PhotoKind("image/jpeg", "jpg")
_PNG = PhotoKind("image/png", "png")


def photo_sniff(head: bytes) -> PhotoKind | None:
    """The image type the first bytes announce, whatever the file is called."""
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    return None
