"""Deadline arithmetic: when does a period that starts on a given day end?

Pure functions, no clock, no state besides a cache of holiday tables. Django only translates
the error messages, which reach the user (in the active language, when they are raised).

The rules follow Regulation (EEC, Euratom) No 1182/71 determining the rules applicable
to periods, dates and time limits, Article 3, unless an agreement says otherwise (the
caller decides which unit applies and whether the roll-forward is on):

* The day of the event is not counted (Art. 3(1), second subparagraph): a period of
  N days that starts from an event on day D runs from D+1. With N = 0 the result is D.
* Calendar days (Art. 3(3)): weekends and public holidays are counted. The period ends
  at the end of its last day, D+N.
* Months and years (Art. 3(2)(c)): the period ends on the day of the last month that
  has the same number as the day of the event; if the last month has no such day
  (31 January + 1 month), on the last day of that month. A year is 12 months, so
  29 February + 1 year is 28 February.
* Roll-forward (Art. 3(4)): if the last day of a calendar-day, month or year period is
  a public holiday, a Sunday or a Saturday, the period ends with the expiry of the last
  hour of the following working day. Readmission agreements may switch this off, so it
  is the caller's ``roll_forward`` flag. We read "Saturday and Sunday" as the weekend
  of the country whose calendar applies (the state that must act), because several
  partner states rest on Friday (and Saturday).
* Working days: the result is the Nth working day after the day of the event. A
  working day is a day that is neither a weekend day of the country nor one of its
  public holidays. A weekend day that the country's law has turned into a working day
  (the bridge-day swaps of Russia, Belarus, Azerbaijan, Uzbekistan, Kazakhstan, ...)
  counts as a working day, as the ``holidays`` package models it.

Calendars come from the ``holidays`` package (pinned; a snapshot test in
``tests/core/test_holiday_snapshot.py`` fails when an upgrade moves a date): public
holidays only, national level (no subdivisions), observed days included, each
country's own weekend (which may depend on the date, e.g. Saudi Arabia before 2013).
Islamic-calendar holidays of some countries are estimates. A year outside the range
the package covers for a country raises instead of silently having no holidays.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

import holidays
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from holidays.constants import PUBLIC

from readmit.core.i18n import local_date

__all__ = [
    "CalendarError",
    "InvalidPeriod",
    "Unit",
    "UnknownCountryCalendar",
    "add_period",
    "estimated_holidays",
    "has_calendar",
    "is_working_day",
    "next_working_day",
    "public_holidays",
    "weekend_days",
    "working_days_between",
]

_ONE_DAY = datetime.timedelta(days=1)
# No real calendar has this many non-working days in a row; stops a runaway loop.
_MAX_NON_WORKING_RUN = 60
# Holiday names in English where the package has a translation, so that they do not
# depend on the server's LANG / LC_* (the package's default when no language is given).
_NAME_LANGUAGE = "en_US"


class CalendarError(ValueError):
    """A period cannot be computed. The message is meant for the user, in plain words."""


class UnknownCountryCalendar(CalendarError):
    """No holiday calendar for this country (or for this country in the requested year)."""


class InvalidPeriod(CalendarError):
    """The period itself is wrong: negative or non-integer amount, unknown unit,
    working days without a country, or an end date outside the representable range."""


class Unit(enum.StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"
    YEARS = "years"


@dataclass(frozen=True)
class _CountryInfo:
    code: str
    weekend: frozenset[int]
    first_year: int
    last_year: int
    language: str | None


@dataclass(frozen=True)
class _YearTable:
    holidays: Mapping[datetime.date, str]
    weekend_dates: frozenset[datetime.date]
    weekend_workdays: frozenset[datetime.date]
    # Holidays of a lunar calendar whose day the data estimates (the day is fixed by sighting
    # or by an announcement, which may move it by a day or so).
    estimated: frozenset[datetime.date] = frozenset()


# ---------------------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _supported_codes() -> frozenset[str]:
    # Without aliases the keys are the ISO 3166-1 alpha-2 codes (plus XK for Kosovo).
    return frozenset(holidays.list_supported_countries(include_aliases=False))


def _normalise_country(country: object) -> str:
    if not isinstance(country, str):
        raise UnknownCountryCalendar(_no_calendar(country))
    code = country.strip().upper()
    if code not in _supported_codes():
        raise UnknownCountryCalendar(_no_calendar(code))
    return code


def _no_calendar(country: object) -> str:
    return _("No working-day calendar is available for country %(country)r.") % {"country": country}


@cache
def _country_info(code: str) -> _CountryInfo:
    entity = holidays.country_holidays(code, expand=False)
    languages = tuple(entity.supported_languages)
    language: str | None
    if _NAME_LANGUAGE in languages:
        language = _NAME_LANGUAGE
    elif entity.default_language in languages:
        language = entity.default_language
    else:  # no translations at all: the names are the ones in the package's source
        language = None
    return _CountryInfo(
        code=code,
        weekend=frozenset(entity.weekend),
        first_year=entity.start_year,
        last_year=entity.end_year,
        language=language,
    )


@lru_cache(maxsize=2048)
def _year_table(code: str, year: int) -> _YearTable:
    """Holidays, weekend dates and weekend working days of one country-year (unchecked range)."""
    info = _country_info(code)
    entity = holidays.country_holidays(
        code, years=year, expand=False, language=info.language, categories=(PUBLIC,)
    )
    table = {day: str(name) for day, name in entity.items() if day.year == year}
    # The data marks an estimated day in the name's language ("… (estimated)").
    marks = [
        entity.tr(label) % ""
        for label in (
            getattr(entity, "estimated_label", None),
            getattr(entity, "observed_estimated_label", None),
        )
        if label
    ]
    estimated = frozenset(
        day for day, name in table.items() if any(mark and mark in name for mark in marks)
    )
    first = datetime.date(year, 1, 1)
    days_in_year = 366 if _stdlib_calendar.isleap(year) else 365
    weekend_dates = frozenset(
        day
        for day in (first + datetime.timedelta(days=i) for i in range(days_in_year))
        if entity.is_weekend(day)
    )
    return _YearTable(
        holidays=MappingProxyType(table),
        weekend_dates=weekend_dates,
        # Weekend days made working days. A swap may be recorded in the year of the day
        # off rather than of the worked weekend day (AZ 2024 lists 2023-12-30), and an
        # object may list other years' swaps too: _non_working_days filters by year and
        # looks at the neighbouring years.
        weekend_workdays=frozenset(entity.weekend_workdays),
        estimated=estimated,
    )


def _check_year(info: _CountryInfo, year: int) -> None:
    if not info.first_year <= year <= info.last_year:
        raise UnknownCountryCalendar(
            _(
                "No working-day calendar is available for country %(country)r in %(year)s: "
                "the holiday data covers %(first)s to %(last)s."
            )
            % {
                "country": info.code,
                "year": year,
                "first": info.first_year,
                "last": info.last_year,
            }
        )


@lru_cache(maxsize=2048)
def _non_working_days(code: str, year: int) -> frozenset[datetime.date]:
    info = _country_info(code)
    _check_year(info, year)
    this_year = _year_table(code, year)
    worked_weekend_days = {
        day
        for other in (year - 1, year, year + 1)
        if info.first_year <= other <= info.last_year
        for day in _year_table(code, other).weekend_workdays
        if day.year == year
    }
    return frozenset(this_year.weekend_dates - worked_weekend_days) | frozenset(this_year.holidays)


# ---------------------------------------------------------------------------------------
# Public calendar queries
# ---------------------------------------------------------------------------------------


def has_calendar(country: str) -> bool:
    """True if ``country`` (ISO 3166-1 alpha-2, any case) has a holiday calendar."""
    try:
        _normalise_country(country)
    except UnknownCountryCalendar:
        return False
    return True


def weekend_days(country: str) -> frozenset[int]:
    """The country's current weekend as weekday numbers (Monday = 0, Sunday = 6).

    A few countries changed their weekend (Saudi Arabia in 2013, the UAE in 2022);
    ``is_working_day`` uses the weekend in force on the date asked about.
    """
    return _country_info(_normalise_country(country)).weekend


def public_holidays(country: str, year: int) -> dict[datetime.date, str]:
    """Public holidays (national, observed days included) of ``country`` in ``year``.

    Names are in English where the package has a translation. Returns a new dict.
    """
    code = _normalise_country(country)
    _check_year(_country_info(code), year)
    return dict(sorted(_year_table(code, year).holidays.items()))


def estimated_holidays(
    country: str, start: datetime.date, end: datetime.date
) -> dict[datetime.date, str]:
    """The holidays after `start` up to `end` whose day the holiday data only estimates (a
    lunar calendar's, fixed by sighting or announcement), by date, with their names."""
    code = _normalise_country(country)
    info = _country_info(code)
    found: dict[datetime.date, str] = {}
    for year in range(max(start.year, info.first_year), min(end.year, info.last_year) + 1):
        table = _year_table(code, year)
        for day in table.estimated:
            if start < day <= end:
                found[day] = table.holidays[day]
    return dict(sorted(found.items()))


def is_working_day(country: str, day: datetime.date) -> bool:
    """False on the country's weekend days (unless swapped to a working day) and holidays."""
    return _is_working(_normalise_country(country), day)


def _is_working(code: str, day: datetime.date) -> bool:
    return day not in _non_working_days(code, day.year)


def _next_working(code: str, day: datetime.date) -> datetime.date:
    current = day
    for _attempt in range(_MAX_NON_WORKING_RUN):
        if _is_working(code, current):
            return current
        current = _step(current, 1)
    raise CalendarError(
        ngettext(
            "No working day found within %(days)d day after %(day)s in the calendar of "
            "%(country)r.",
            "No working day found within %(days)d days after %(day)s in the calendar of "
            "%(country)r.",
            _MAX_NON_WORKING_RUN,
        )
        % {"days": _MAX_NON_WORKING_RUN, "day": local_date(day), "country": code}
    )


def next_working_day(country: str, day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    return _next_working(_normalise_country(country), day)


def working_days_between(country: str, start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative (minus those in (end, start]) if end < start.

    ``working_days_between(c, today, due)`` is the "N working days left" figure, and
    ``add_period(start=s, amount=n, unit="working_days", country=c)`` is the first day
    for which ``working_days_between(c, s, day) == n``.
    """
    code = _normalise_country(country)
    if end < start:
        return -working_days_between(code, end, start)
    count = 0
    day = start
    while day < end:
        day = _step(day, 1)
        if _is_working(code, day):
            count += 1
    return count


# ---------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------


def _parse_unit(unit: Unit | str) -> Unit:
    if isinstance(unit, Unit):
        return unit
    if isinstance(unit, str):
        try:
            return Unit(unit.strip().lower())
        except ValueError:
            pass
    expected = ", ".join(member.value for member in Unit)
    raise InvalidPeriod(
        _("Unknown period unit %(unit)r; expected one of: %(expected)s.")
        % {"unit": unit, "expected": expected}
    )


def _step(day: datetime.date, days: int) -> datetime.date:
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        raise InvalidPeriod(_beyond_the_last_date(day)) from None


def _beyond_the_last_date(day: datetime.date) -> str:
    return _("The period from %(day)s ends after the last date the system can represent.") % {
        "day": local_date(day)
    }


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if year > datetime.MAXYEAR:
        raise InvalidPeriod(_beyond_the_last_date(day))
    last_day = _stdlib_calendar.monthrange(year, month0 + 1)[1]
    return datetime.date(year, month0 + 1, min(day.day, last_day))


def add_period(
    *,
    start: datetime.date,
    amount: int,
    unit: Unit | str,
    country: str | None = None,
    roll_forward: bool = False,
) -> datetime.date:
    """The last day of a period of ``amount`` ``unit`` starting from an event on ``start``.

    ``country`` is the state whose calendar applies; it is needed for working days and
    for the roll-forward, optional otherwise (validated when given). ``amount`` 0 gives
    ``start`` (no roll-forward). Raises ``InvalidPeriod`` or ``UnknownCountryCalendar``.
    """
    parsed = _parse_unit(unit)
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidPeriod(
            _("The length of a period must be a whole number, not %(amount)r.") % {"amount": amount}
        )
    if amount < 0:
        raise InvalidPeriod(
            _("The length of a period cannot be negative (got %(amount)s).") % {"amount": amount}
        )
    code = None if country is None else _normalise_country(country)
    if code is None and parsed is Unit.WORKING_DAYS:
        raise InvalidPeriod(
            _("A period in working days needs the country whose calendar applies; none was given.")
        )
    if code is None and roll_forward:
        raise InvalidPeriod(
            _(
                "Moving a deadline off a weekend or holiday needs the country whose calendar "
                "applies; none was given."
            )
        )
    if amount == 0:
        return start

    if parsed is Unit.WORKING_DAYS:
        assert code is not None  # checked above; narrows the type
        day = start
        remaining = amount
        while remaining:
            day = _step(day, 1)
            if _is_working(code, day):
                remaining -= 1
        return day

    if parsed is Unit.CALENDAR_DAYS:
        end = _step(start, amount)
    elif parsed is Unit.MONTHS:
        end = _add_months(start, amount)
    else:
        end = _add_months(start, 12 * amount)

    if roll_forward:
        assert code is not None  # checked above; narrows the type
        return _next_working(code, end)
    return end
