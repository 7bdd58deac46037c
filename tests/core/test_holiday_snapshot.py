"""Pin the holiday calendars to the snapshot taken from `holidays` 0.109.

Deadlines are computed with the installed `holidays` package. If an upgrade adds, drops,
renames or moves a public holiday of a partner country, these tests fail and list every
difference, so the change is reviewed (and stored deadlines checked) before the fixture is
regenerated. See tests/fixtures/holidays/README.md.
"""

from __future__ import annotations

import csv
import datetime
from collections import Counter, defaultdict
from importlib.metadata import version
from pathlib import Path

import holidays
import pytest

from readmit.core.calendar import public_holidays

SNAPSHOT = (
    Path(__file__).parents[1] / "fixtures" / "holidays" / "holidays_0.109_public_2024_2026.csv"
)
SNAPSHOT_VERSION = "0.109"
YEARS = (2024, 2025, 2026)

Key = tuple[str, int]  # (country, year)


def _load() -> dict[Key, dict[datetime.date, tuple[str, bool]]]:
    table: dict[Key, dict[datetime.date, tuple[str, bool]]] = defaultdict(dict)
    with SNAPSHOT.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["country", "year", "date", "name", "is_estimated"]
        for row in reader:
            day = datetime.date.fromisoformat(row["date"])
            year = int(row["year"])
            assert day.year == year, row
            assert row["is_estimated"] in ("True", "False"), row
            key = (row["country"], year)
            assert day not in table[key], f"duplicate row {row}"
            table[key][day] = (row["name"], row["is_estimated"] == "True")
    return dict(table)


SNAPSHOT_ROWS = _load()
COUNTRIES = sorted({country for country, _ in SNAPSHOT_ROWS})


def test_snapshot_is_complete() -> None:
    # Guards against a truncated or emptied fixture turning the comparison into a no-op.
    assert len(COUNTRIES) == 43
    assert set(SNAPSHOT_ROWS) == {(c, y) for c in COUNTRIES for y in YEARS}
    assert all(len(days) >= 5 for days in SNAPSHOT_ROWS.values())
    assert sum(len(days) for days in SNAPSHOT_ROWS.values()) == 1963


def test_estimated_flag_matches_the_name() -> None:
    # The package labels Islamic-calendar dates it computes (rather than takes from an
    # official announcement) "(estimated)"; the snapshot's flag records the same fact.
    # These are the dates most likely to move in an upgrade when the real dates are
    # announced. A move is still a failure of the tests below: someone must look at it.
    for (country, year), days in SNAPSHOT_ROWS.items():
        for day, (name, estimated) in days.items():
            assert ("estimated)" in name) == estimated, (country, year, day, name)


def _installed(country: str, year: int) -> dict[datetime.date, str]:
    # Public category, national level, observed days included, English names (the
    # snapshot's), independent of the machine's LANG (the package's default names follow
    # the locale).
    calendar = holidays.country_holidays(
        country, years=year, language="en_US", categories=("public",)
    )
    return {day: str(name) for day, name in calendar.items() if day.year == year}


def _differences(
    expected: dict[datetime.date, tuple[str, bool]], actual: dict[datetime.date, str]
) -> list[str]:
    lines = []
    for day in sorted(expected.keys() | actual.keys()):
        want = expected[day][0] if day in expected else None
        got = actual.get(day)
        if want != got:
            lines.append(f"  {day}: snapshot {want!r}, installed {got!r}")
    return lines


@pytest.mark.parametrize("country", COUNTRIES)
def test_installed_package_matches_snapshot(country: str) -> None:
    problems = []
    for year in YEARS:
        expected = SNAPSHOT_ROWS[(country, year)]
        actual = _installed(country, year)
        if len(actual) != len(expected):
            problems.append(
                f" {year}: {len(actual)} holidays installed, {len(expected)} in the snapshot"
            )
        problems += [f" {year}:{line}" for line in _differences(expected, actual)]
    assert not problems, (
        f"holidays {version('holidays')} disagrees with the {SNAPSHOT_VERSION} snapshot "
        f"for {country}:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("country", COUNTRIES)
def test_engine_uses_the_snapshot_calendar(country: str) -> None:
    # What the deadline engine itself sees, names included (it pins English names).
    for year in YEARS:
        expected = SNAPSHOT_ROWS[(country, year)]
        assert public_holidays(country, year) == {day: name for day, (name, _) in expected.items()}


def test_snapshot_has_holidays_on_weekdays_that_matter() -> None:
    # A sanity check on the fixture's content against known dates (not from the package).
    serbia = SNAPSHOT_ROWS[("RS", 2026)]
    assert datetime.date(2026, 1, 7) in serbia  # Orthodox Christmas
    germany = SNAPSHOT_ROWS[("DE", 2026)]
    assert germany[datetime.date(2026, 10, 3)][0] == "German Unity Day"
    assert Counter(day.month for day in SNAPSHOT_ROWS[("AZ", 2026)])[3] >= 5  # Novruz week
