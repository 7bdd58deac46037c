"""The deadline engine: Reg. 1182/71 Art. 3 periods over real national calendars.

Expected dates are worked out by hand from the national calendars (noted per case), not
copied from the code's output.
"""

from __future__ import annotations

import datetime

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readmit.core.calendar import (
    CalendarError,
    InvalidPeriod,
    Unit,
    UnknownCountryCalendar,
    add_period,
    has_calendar,
    is_working_day,
    next_working_day,
    public_holidays,
    weekend_days,
    working_days_between,
)

D = datetime.date
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


# --------------------------------------------------------------------------------------
# Table: periods a caseworker would check by hand
# --------------------------------------------------------------------------------------

PERIODS = [
    pytest.param(
        D(2026, 1, 2), 2, Unit.WORKING_DAYS, "RS", False, D(2026, 1, 6),
        id="RS accelerated 2 WD: 1-2 Jan holidays, 3-4 Jan weekend, 5-6 Jan worked",
    ),
    pytest.param(
        D(2026, 3, 2), 10, Unit.CALENDAR_DAYS, "RS", True, D(2026, 3, 12),
        id="EU-Serbia normal reply: Mon 2 Mar + 10 CD = Thu 12 Mar, no roll needed",
    ),
    pytest.param(
        D(2026, 3, 4), 10, Unit.CALENDAR_DAYS, "DE", True, D(2026, 3, 16),
        id="ends Saturday 14 Mar, rolls to Monday 16 Mar",
    ),
    pytest.param(
        D(2026, 3, 4), 10, Unit.CALENDAR_DAYS, "DE", False, D(2026, 3, 14),
        id="ends Saturday 14 Mar, stays there without roll-forward",
    ),
    pytest.param(
        D(2026, 3, 4), 10, Unit.CALENDAR_DAYS, None, False, D(2026, 3, 14),
        id="calendar days without roll-forward need no country",
    ),
    pytest.param(
        D(2026, 12, 15), 10, Unit.CALENDAR_DAYS, "DE", True, D(2026, 12, 28),
        id="DE: ends Christmas Fri 25 Dec, 26 Dec holiday+Sat, Sun 27 -> Mon 28 Dec",
    ),
    pytest.param(
        D(2025, 12, 28), 10, Unit.CALENDAR_DAYS, "RS", True, D(2026, 1, 8),
        id="RS: ends Wed 7 Jan (Orthodox Christmas, a weekday) -> Thu 8 Jan",
    ),
    pytest.param(
        D(2025, 12, 28), 10, Unit.CALENDAR_DAYS, "DE", True, D(2026, 1, 7),
        id="same dates in DE: 7 Jan is an ordinary working day",
    ),
    pytest.param(
        D(2026, 3, 10), 10, Unit.CALENDAR_DAYS, "AZ", True, D(2026, 3, 31),
        id="AZ: ends Fri 20 Mar (Novruz + Eid) -> holidays/observed to Mon 30 Mar -> Tue 31",
    ),
    pytest.param(
        D(2026, 6, 3), 2, Unit.WORKING_DAYS, "SA", False, D(2026, 6, 7),
        id="SA Fri-Sat weekend: Wed 3 Jun + 2 WD = Thu 4, Sun 7 Jun",
    ),
    pytest.param(
        D(2026, 6, 3), 2, Unit.WORKING_DAYS, "DE", False, D(2026, 6, 5),
        id="same dates in DE: Thu 4, Fri 5 Jun",
    ),
    pytest.param(
        D(2026, 6, 1), 4, Unit.CALENDAR_DAYS, "SA", True, D(2026, 6, 7),
        id="SA: period ending Friday rolls to Sunday",
    ),
    pytest.param(
        D(2026, 6, 2), 4, Unit.CALENDAR_DAYS, "SA", True, D(2026, 6, 7),
        id="SA: period ending Saturday rolls to Sunday, not Monday",
    ),
    pytest.param(
        D(2026, 6, 1), 4, Unit.CALENDAR_DAYS, "DE", True, D(2026, 6, 5),
        id="DE: period ending Friday does not roll",
    ),
    pytest.param(
        D(2026, 6, 4), 2, Unit.WORKING_DAYS, "IR", False, D(2026, 6, 7),
        id="IR Friday-only weekend: Thu 4 Jun + 2 WD = Sat 6, Sun 7 Jun",
    ),
    pytest.param(
        D(2024, 4, 26), 1, Unit.WORKING_DAYS, "RU", False, D(2024, 4, 27),
        id="RU: Saturday 27 Apr 2024 was a working day (swapped with 29 Apr)",
    ),
    pytest.param(
        D(2024, 4, 26), 2, Unit.WORKING_DAYS, "RU", False, D(2024, 5, 2),
        id="RU: after Sat 27 Apr, 28 Apr Sun and 29 Apr-1 May days off -> Thu 2 May",
    ),
    pytest.param(
        D(2025, 12, 22), 6, Unit.WORKING_DAYS, "DE", False, D(2026, 1, 2),
        id="WD across New Year, DE: 23, 24, 29, 30, 31 Dec, (1 Jan off) 2 Jan",
    ),
    pytest.param(
        D(2025, 12, 30), 3, Unit.WORKING_DAYS, "RS", False, D(2026, 1, 6),
        id="WD across New Year, RS: 31 Dec, (1-4 Jan off) 5, 6 Jan",
    ),
    pytest.param(
        D(2026, 1, 31), 1, Unit.MONTHS, None, False, D(2026, 2, 28),
        id="31 Jan + 1 month = 28 Feb",
    ),
    pytest.param(
        D(2024, 1, 31), 1, Unit.MONTHS, None, False, D(2024, 2, 29),
        id="31 Jan 2024 + 1 month = 29 Feb (leap year)",
    ),
    pytest.param(
        D(2025, 11, 30), 3, Unit.MONTHS, None, False, D(2026, 2, 28),
        id="months across the year boundary, clamped to the month's end",
    ),
    pytest.param(
        D(2025, 12, 15), 1, Unit.MONTHS, None, False, D(2026, 1, 15),
        id="15 Dec + 1 month = 15 Jan",
    ),
    pytest.param(
        D(2026, 3, 31), 3, Unit.MONTHS, "RS", True, D(2026, 6, 30),
        id="transfer within 3 months of 31 Mar: Tue 30 Jun",
    ),
    pytest.param(
        D(2025, 12, 1), 1, Unit.MONTHS, "RS", True, D(2026, 1, 5),
        id="1 month ends on 1 Jan holiday in RS -> 2 Jan holiday, weekend -> Mon 5 Jan",
    ),
    pytest.param(
        D(2025, 12, 1), 1, Unit.MONTHS, "RS", False, D(2026, 1, 1),
        id="same month period without roll-forward ends on the holiday",
    ),
    pytest.param(
        D(2024, 2, 29), 1, Unit.YEARS, None, False, D(2025, 2, 28),
        id="29 Feb + 1 year = 28 Feb",
    ),
    pytest.param(
        D(2024, 2, 29), 4, Unit.YEARS, None, False, D(2028, 2, 29),
        id="29 Feb + 4 years = 29 Feb",
    ),
    pytest.param(
        D(2025, 3, 15), 1, Unit.YEARS, "DE", True, D(2026, 3, 16),
        id="1 year ends Sunday 15 Mar 2026 -> Monday 16 Mar",
    ),
    pytest.param(
        D(2026, 1, 3), 0, Unit.WORKING_DAYS, "RS", False, D(2026, 1, 3),
        id="0 working days is the start date, even a Saturday",
    ),
    pytest.param(
        D(2026, 1, 3), 0, Unit.CALENDAR_DAYS, "RS", True, D(2026, 1, 3),
        id="0 calendar days is the start date",
    ),
    pytest.param(
        D(2026, 1, 31), 0, Unit.MONTHS, None, False, D(2026, 1, 31),
        id="0 months is the start date",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("start", "amount", "unit", "country", "roll", "expected"), PERIODS)
def test_add_period_table(
    start: datetime.date,
    amount: int,
    unit: Unit,
    country: str | None,
    roll: bool,
    expected: datetime.date,
) -> None:
    assert (
        add_period(start=start, amount=amount, unit=unit, country=country, roll_forward=roll)
        == expected
    )


def test_unit_may_be_given_as_its_string_value_and_country_in_lower_case() -> None:
    assert add_period(start=D(2026, 1, 2), amount=2, unit="working_days", country="rs") == D(
        2026, 1, 6
    )
    assert add_period(start=D(2026, 1, 31), amount=1, unit="months") == D(2026, 2, 28)


# --------------------------------------------------------------------------------------
# Calendar queries
# --------------------------------------------------------------------------------------


def test_weekends_of_countries_with_a_different_rest_day() -> None:
    assert weekend_days("DE") == frozenset({SAT, SUN})
    assert weekend_days("sa") == frozenset({FRI, SAT})
    assert weekend_days("IR") == frozenset({FRI})
    # The UAE moved to a Saturday-Sunday weekend in 2022.
    assert weekend_days("AE") == frozenset({SAT, SUN})


def test_weekend_in_force_on_the_date_is_used() -> None:
    # UAE: Friday 2021-12-24 was weekend (Fri-Sat until 2021), Friday 2022-01-14 is not.
    assert not is_working_day("AE", D(2021, 12, 24))
    assert is_working_day("AE", D(2021, 12, 26))  # a Sunday, worked in 2021
    assert is_working_day("AE", D(2022, 1, 14))
    assert not is_working_day("AE", D(2022, 1, 16))


def test_is_working_day_on_holidays_weekends_and_ordinary_days() -> None:
    assert not is_working_day("DE", D(2026, 12, 25))  # Christmas, a Friday
    assert not is_working_day("DE", D(2026, 3, 14))  # Saturday
    assert is_working_day("DE", D(2026, 1, 7))
    assert not is_working_day("RS", D(2026, 1, 7))  # Orthodox Christmas, a Wednesday
    assert is_working_day("SA", D(2026, 6, 7))  # Sunday
    assert not is_working_day("SA", D(2026, 6, 5))  # Friday


def test_next_working_day() -> None:
    assert next_working_day("DE", D(2026, 3, 12)) == D(2026, 3, 12)
    assert next_working_day("DE", D(2026, 12, 25)) == D(2026, 12, 28)
    assert next_working_day("RS", D(2026, 1, 1)) == D(2026, 1, 5)


def test_public_holidays_are_national_public_ones_in_english() -> None:
    de = public_holidays("de", 2026)
    assert de[D(2026, 12, 25)] == "Christmas Day"
    assert de[D(2026, 10, 3)] == "German Unity Day"
    # Regional holidays (Reformation Day, Epiphany in some Länder) are not national.
    assert D(2026, 10, 31) not in de
    assert D(2026, 1, 6) not in de
    assert all(day.year == 2026 for day in public_holidays("RS", 2026))
    # The caller gets a copy: changing it does not change later answers.
    de.clear()
    assert D(2026, 12, 25) in public_holidays("DE", 2026)


def test_working_days_between_counts_the_days_left() -> None:
    # From Friday 2 Jan 2026 in Serbia: Mon 5 and Tue 6 are worked, Wed 7 is Christmas.
    assert working_days_between("RS", D(2026, 1, 2), D(2026, 1, 6)) == 2
    assert working_days_between("RS", D(2026, 1, 2), D(2026, 1, 7)) == 2
    assert working_days_between("RS", D(2026, 1, 2), D(2026, 1, 8)) == 3
    assert working_days_between("RS", D(2026, 1, 2), D(2026, 1, 2)) == 0
    # Overdue: the deadline is behind us.
    assert working_days_between("RS", D(2026, 1, 8), D(2026, 1, 2)) == -3


def test_has_calendar() -> None:
    assert has_calendar("RS")
    assert has_calendar("pk")
    assert has_calendar("XK")  # Kosovo's user-assigned code is supported
    assert not has_calendar("XX")
    assert not has_calendar("SRB")  # alpha-3 is not accepted
    assert not has_calendar("")


# --------------------------------------------------------------------------------------
# Errors: plain messages, one family
# --------------------------------------------------------------------------------------


def test_unknown_country_is_reported_in_plain_words() -> None:
    with pytest.raises(UnknownCountryCalendar) as excinfo:
        add_period(start=D(2026, 1, 2), amount=2, unit=Unit.WORKING_DAYS, country="xx")
    assert str(excinfo.value) == "No working-day calendar is available for country 'XX'."
    assert isinstance(excinfo.value, CalendarError)
    assert isinstance(excinfo.value, ValueError)
    for call in (
        lambda: weekend_days("XX"),
        lambda: public_holidays("XX", 2026),
        lambda: is_working_day("XX", D(2026, 1, 2)),
        lambda: next_working_day("XX", D(2026, 1, 2)),
        lambda: working_days_between("XX", D(2026, 1, 2), D(2026, 1, 9)),
        lambda: add_period(start=D(2026, 1, 2), amount=1, unit="calendar_days", country="XX"),
    ):
        with pytest.raises(UnknownCountryCalendar, match="'XX'"):
            call()


def test_year_outside_the_package_data_raises_instead_of_counting_no_holidays() -> None:
    # holidays 0.109 has Sri Lanka's gazetted holidays up to 2026 only.
    assert len(public_holidays("LK", 2026)) > 20
    with pytest.raises(UnknownCountryCalendar, match=r"'LK' in 2027.*2026"):
        public_holidays("LK", 2027)
    with pytest.raises(UnknownCountryCalendar, match="'LK' in 2027"):
        add_period(start=D(2026, 12, 20), amount=10, unit="working_days", country="LK")


def test_negative_amount_is_invalid() -> None:
    with pytest.raises(InvalidPeriod, match="negative"):
        add_period(start=D(2026, 1, 2), amount=-1, unit=Unit.CALENDAR_DAYS)


@pytest.mark.parametrize("amount", [1.5, "3", True, None])
def test_non_integer_amount_is_invalid(amount: object) -> None:
    with pytest.raises(InvalidPeriod, match="whole number"):
        add_period(start=D(2026, 1, 2), amount=amount, unit=Unit.CALENDAR_DAYS)  # type: ignore[arg-type]


@pytest.mark.parametrize("unit", ["weeks", "days", "", 3])
def test_unknown_unit_is_invalid_and_lists_the_known_ones(unit: object) -> None:
    with pytest.raises(InvalidPeriod, match="calendar_days, working_days, months, years"):
        add_period(start=D(2026, 1, 2), amount=1, unit=unit, country="DE")  # type: ignore[arg-type]


def test_working_days_without_a_country_is_an_error() -> None:
    with pytest.raises(InvalidPeriod, match="country"):
        add_period(start=D(2026, 1, 2), amount=2, unit=Unit.WORKING_DAYS, country=None)
    # Even for zero: the period is ill-defined, not trivially satisfied.
    with pytest.raises(InvalidPeriod, match="country"):
        add_period(start=D(2026, 1, 2), amount=0, unit=Unit.WORKING_DAYS)


def test_roll_forward_without_a_country_is_an_error() -> None:
    with pytest.raises(InvalidPeriod, match="country"):
        add_period(start=D(2026, 3, 4), amount=10, unit=Unit.CALENDAR_DAYS, roll_forward=True)


def test_end_beyond_representable_dates_is_a_calendar_error() -> None:
    with pytest.raises(InvalidPeriod):
        add_period(start=D(9999, 12, 1), amount=60, unit=Unit.CALENDAR_DAYS)
    with pytest.raises(InvalidPeriod):
        add_period(start=D(9999, 12, 1), amount=1, unit=Unit.YEARS)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

# Countries with different weekends (Sat-Sun, Fri-Sat, Fri only), weekend-day swaps (RU,
# AZ), Orthodox and Islamic holidays. Years stay inside every one's data range.
COUNTRIES = st.sampled_from(["RS", "DE", "SA", "IR", "AZ", "RU", "PK", "GE", "AE", "AF"])
DATES = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 6, 30))
WORKING_AMOUNTS = st.integers(min_value=0, max_value=45)
DAY_AMOUNTS = st.integers(min_value=0, max_value=400)
FAST = settings(max_examples=60, deadline=None, database=None)


@FAST
@given(country=COUNTRIES, start=DATES, amount=st.integers(min_value=1, max_value=45))
def test_result_is_after_start_for_any_positive_amount(
    country: str, start: datetime.date, amount: int
) -> None:
    for unit in Unit:
        assert add_period(start=start, amount=amount, unit=unit, country=country) > start
        assert (
            add_period(start=start, amount=amount, unit=unit, country=country, roll_forward=True)
            > start
        )


@FAST
@given(country=COUNTRIES, start=DATES, amount=st.integers(min_value=1, max_value=45))
def test_working_day_result_is_a_working_day_and_counts_back_to_the_amount(
    country: str, start: datetime.date, amount: int
) -> None:
    end = add_period(start=start, amount=amount, unit=Unit.WORKING_DAYS, country=country)
    assert is_working_day(country, end)
    assert working_days_between(country, start, end) == amount
    assert working_days_between(country, end, start) == -amount
    # It is the first such day: the day before holds one working day fewer.
    assert working_days_between(country, start, end - datetime.timedelta(days=1)) == amount - 1


@FAST
@given(country=COUNTRIES, start=DATES, a=WORKING_AMOUNTS, b=WORKING_AMOUNTS)
def test_working_days_split(country: str, start: datetime.date, a: int, b: int) -> None:
    def add(day: datetime.date, n: int) -> datetime.date:
        return add_period(start=day, amount=n, unit=Unit.WORKING_DAYS, country=country)

    assert add(add(start, a), b) == add(start, a + b)


@FAST
@given(
    country=COUNTRIES,
    start=DATES,
    a=DAY_AMOUNTS,
    extra=st.integers(min_value=1, max_value=30),
    unit=st.sampled_from(list(Unit)),
    roll=st.booleans(),
)
def test_monotonic_in_amount(
    country: str, start: datetime.date, a: int, extra: int, unit: Unit, roll: bool
) -> None:
    if unit in (Unit.MONTHS, Unit.YEARS):
        a = a % 36 if unit is Unit.MONTHS else a % 3
    if unit is Unit.WORKING_DAYS:
        a = a % 46

    def add(n: int) -> datetime.date:
        return add_period(start=start, amount=n, unit=unit, country=country, roll_forward=roll)

    shorter, longer = add(a), add(a + extra)
    if roll:
        assert shorter <= longer
    else:
        assert shorter < longer


@FAST
@given(start=DATES, amount=DAY_AMOUNTS)
def test_calendar_days_without_roll_forward_is_plain_date_arithmetic(
    start: datetime.date, amount: int
) -> None:
    assert add_period(start=start, amount=amount, unit=Unit.CALENDAR_DAYS) == (
        start + datetime.timedelta(days=amount)
    )


@FAST
@given(
    country=COUNTRIES,
    start=DATES,
    amount=st.integers(min_value=1, max_value=400),
    unit=st.sampled_from([Unit.CALENDAR_DAYS, Unit.MONTHS]),
)
def test_roll_forward_lands_on_the_first_working_day_from_the_unrolled_end(
    country: str, start: datetime.date, amount: int, unit: Unit
) -> None:
    if unit is Unit.MONTHS:
        amount %= 60
        amount += 1
    plain = add_period(start=start, amount=amount, unit=unit, country=country)
    rolled = add_period(start=start, amount=amount, unit=unit, country=country, roll_forward=True)
    assert is_working_day(country, rolled)
    assert plain <= rolled < plain + datetime.timedelta(days=20)
    # Every day skipped is a non-working day.
    skipped = plain
    while skipped < rolled:
        assert not is_working_day(country, skipped)
        skipped += datetime.timedelta(days=1)


@FAST
@given(country=COUNTRIES, day=DATES)
def test_is_working_day_agrees_with_the_holidays_package(country: str, day: datetime.date) -> None:
    # The package's own verdict, from one multi-year object (so swaps recorded in a
    # neighbouring year are seen), public holidays only.
    calendar = holidays.country_holidays(
        country, years=range(day.year - 1, day.year + 2), categories=("public",)
    )
    assert is_working_day(country, day) == calendar.is_working_day(day)
