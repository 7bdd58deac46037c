"""Template helpers for names in two scripts and dates known only in part.

`{% load readmit_i18n %}` then:

- ``{% person_name person %}``: the name in Latin script and, where recorded, in the original
  script, isolated (``<bdi>``) so an Arabic name does not reorder an English line and tagged
  with its script (``lang="und-Arab"``) so screen readers and fonts pick the right one. Takes a
  ``Person``, a ``PersonName`` or an application snapshot (a dict with the same keys); an
  other name carries no script of its own, so pass the person's: ``{% person_name n script %}``.
- ``{{ person.original_script|script_lang }}``: the BCP 47 tag for an ISO 15924 script code.
- ``{% partial_date person %}`` or ``{% partial_date particulars.date_of_birth %}``: a date of
  birth at the precision known (year; month and year; full date), in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

_SCRIPT_CODE = re.compile(r"^[A-Z][a-z]{3}$")


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def _join(*parts: Any) -> str:
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())


@register.filter
def script_lang(script: str | None) -> str:
    """ISO 15924 "Arab" → BCP 47 "und-Arab" (language undetermined, script known)."""
    script = (script or "").strip()
    if not script:
        return ""
    script = script[:1].upper() + script[1:].lower()
    return f"und-{script}" if _SCRIPT_CODE.match(script) else ""


@register.simple_tag
def person_name(subject: Any, script: str | None = None) -> SafeString:
    latin_surname = _get(subject, "surname_latin")
    latin = _join(
        str(latin_surname).upper() if latin_surname else "", _get(subject, "given_names_latin")
    )
    original = _join(_get(subject, "surname_original"), _get(subject, "given_names_original"))
    if not original:
        return format_html('<span class="name"><span class="name__latin">{}</span></span>', latin)
    lang = script_lang(script if script is not None else _get(subject, "original_script"))
    if lang:
        original_html = format_html(
            '<bdi class="name__original" lang="{}" dir="auto">{}</bdi>', lang, original
        )
    else:
        original_html = format_html('<bdi class="name__original" dir="auto">{}</bdi>', original)
    if not latin:
        return format_html('<span class="name">{}</span>', original_html)
    return format_html(
        '<span class="name"><span class="name__latin">{}</span> {}</span>', latin, original_html
    )


def _birth_parts(subject: Any) -> tuple[int | None, int | None, int | None]:
    if isinstance(subject, Mapping) and "year" in subject:
        return subject.get("year"), subject.get("month"), subject.get("day")
    return _get(subject, "birth_year"), _get(subject, "birth_month"), _get(subject, "birth_day")


@register.simple_tag
def partial_date(subject: Any) -> str:
    """A date of which the year, the year and month, or the whole date is known, written in
    the active language's formats (DATE_FORMAT, YEAR_MONTH_FORMAT)."""
    year, month, day = _birth_parts(subject)
    if not year:
        return ""
    try:
        if month and day:
            return date_format(dt.date(year, month, day), get_format("DATE_FORMAT"))
        if month:
            return date_format(dt.date(year, month, 1), get_format("YEAR_MONTH_FORMAT"))
    except ValueError:
        pass  # an impossible date kept as recorded: show the numbers rather than nothing
    return "-".join(f"{n:02d}" if i else f"{n:04d}" for i, n in enumerate((year, month, day)) if n)
