"""Text that is stored once and read in several languages.

A notification is written when one user acts and read by users of another state, each in their
own language; a timeline step is read by both states. So services pass such text as a
*callable* (``lambda: _("%(ref)s: withdrawn") % {...}``) and these helpers render it in the
reader's language, or in every interface language to store next to the record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

Text = str | Callable[[], str]


def translatable(message: str, /, **params: Any) -> Callable[[], str]:
    """Text translated when it is read: `message` is marked with ``gettext_noop`` (so
    makemessages finds it) and formatted with `params` in the reader's language."""

    def text() -> str:
        translated = gettext(message)
        if not params:
            return translated
        return translated % {k: _localized(v) for k, v in params.items()}

    return text


def local_date(day: dt.date) -> str:
    """A date as the active language writes it (DATE_FORMAT: 18 December 2026)."""
    return formats.date_format(day, "DATE_FORMAT")


def local_datetime(moment: dt.datetime) -> str:
    """A moment in the installation's time zone, as the active language writes it."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _localized(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return local_datetime(value)
    if isinstance(value, dt.date):
        return local_date(value)
    return value


def user_language(user: Any) -> str:
    """The language a user reads Readmit in: their choice, or the installation's default."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render(text: Text) -> str:
    """The text in the active language."""
    return str(text()) if callable(text) else str(text)


def in_language(text: Text, language: str) -> str:
    if not callable(text):
        return str(text)
    with translation.override(language):
        return str(text())


def in_every_language(text: Text) -> dict[str, str]:
    return {code: in_language(text, code) for code, _name in settings.LANGUAGES}


def pick(translations: Mapping[str, str] | None, fallback: str) -> str:
    """The stored text in the active language (else the default language, else `fallback`)."""
    translations = translations or {}
    return (
        translations.get(translation.get_language() or "")
        or translations.get(settings.LANGUAGE_CODE)
        or fallback
    )
