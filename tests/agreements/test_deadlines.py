"""The deadline engine: Reg. 1182/71 periods over the registry's rules.

Expected dates in the tables were worked out by hand from the national calendars (the
holiday snapshot in tests/fixtures/holidays), and are noted per case. The registry-wide
table checks every configured reply and transfer rule against an independent oracle built
on the `holidays` package directly, not on readmit.core.calendar.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import json
from collections.abc import Callable

import holidays
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from readmit.agreements.deadlines import (
    Deadline,
    Extension,
    Pause,
    RuleValue,
    compute_deadlines,
    deadline_extend,
    deadline_pause,
    deadline_recompute,
    period_deadline,
)
from readmit.agreements.models import Agreement
from readmit.agreements.selectors import agreement_deadlines, agreement_get, rules_on
from readmit.agreements.services import REGISTRY_FILE
from readmit.core.calendar import InvalidPeriod, is_working_day, working_days_between

D = dt.date


def rule(key: str, value: int | bool, unit: str, clock_start: str = "receipt") -> RuleValue:
    """A synthetic rule for engine tests (not a legal value)."""
    return RuleValue(
        key=key,
        value=value,
        unit=unit,
        clock_start="" if unit == "boolean" else clock_start,
        valid_from=D(2000, 1, 1),
        source="synthetic test rule",
        confidence="verified",
    )


# --------------------------------------------------------------------------------------
# Hand-worked dates under the registry's configured rules
# --------------------------------------------------------------------------------------


def deadlines(code: str, received: D, **kwargs: object) -> dict[str, object]:
    report = agreement_deadlines(viewer=None, code=code, received=received, **kwargs)  # type: ignore[arg-type]
    return report.as_json()


HAND_WORKED = [
    pytest.param(
        "EU-RS", D(2026, 3, 2), {}, "reply_due", "2026-03-12",
        id="EU-RS normal: Mon 2 Mar + 10 CD = Thu 12 Mar",
    ),
    pytest.param(
        "EU-RS", D(2026, 3, 2), {}, "reply_due_extended", "2026-03-18",
        id="EU-RS extended: 12 Mar + 6 CD = Wed 18 Mar",
    ),
    pytest.param(
        "EU-RS", D(2026, 2, 5), {}, "reply_due", "2026-02-18",
        id="EU-RS normal: 15 Feb Sun and Statehood Day, 16-17 Feb holidays, rolls to Wed 18 Feb",
    ),
    pytest.param(
        "EU-RS", D(2026, 4, 3), {}, "reply_due", "2026-04-14",
        id="EU-RS normal: 13 Apr is Orthodox Easter Monday, rolls to Tue 14 Apr",
    ),
    pytest.param(
        "EU-RS", D(2026, 3, 2), {"procedure": "accelerated"}, "reply_due", "2026-03-04",
        id="EU-RS accelerated: 2 WD from Mon 2 Mar = Wed 4 Mar",
    ),
    pytest.param(
        "EU-RS", D(2026, 1, 2), {"procedure": "accelerated"}, "reply_due", "2026-01-06",
        id="EU-RS accelerated: 3-4 Jan weekend, 5-6 Jan worked",
    ),
    pytest.param(
        "EU-RS", D(2026, 2, 13), {"procedure": "accelerated"}, "reply_due", "2026-02-19",
        id="EU-RS accelerated: weekend, 16-17 Feb Statehood Day, then 18 and 19 Feb",
    ),
    pytest.param(
        "EU-RS", D(2026, 4, 9), {"procedure": "accelerated"}, "reply_due", "2026-04-15",
        id="EU-RS accelerated: Good Friday to Easter Monday, then 14 and 15 Apr",
    ),
    pytest.param(
        "EU-RS", D(2026, 1, 10), {"accepted": D(2026, 1, 31)}, "transfer_due", "2026-04-30",
        id="EU-RS transfer: 31 Jan + 3 months = 30 Apr (last day of April)",
    ),
    pytest.param(
        "EU-RS", D(2026, 3, 2), {"accepted": D(2026, 3, 14)}, "transfer_due", "2026-06-15",
        id="EU-RS transfer: 14 Jun is a Sunday, rolls to Mon 15 Jun",
    ),
    pytest.param(
        "EU-RS", D(2026, 11, 2), {"accepted": D(2026, 11, 30)}, "transfer_due", "2027-03-01",
        id="EU-RS transfer: 30 Nov + 3 months = Sun 28 Feb 2027, rolls to Mon 1 Mar",
    ),
    pytest.param(
        "CH-AZ", D(2026, 3, 2), {"acknowledged": D(2026, 3, 10)}, "reply_due", "2026-04-06",
        id="CH-AZ: 25 CD from the acknowledgement (Tue 10 Mar) = Sat 4 Apr, rolls to Mon 6 Apr",
    ),
    pytest.param(
        "CH-AZ", D(2026, 3, 2), {"acknowledged": D(2026, 3, 10)}, "reply_due_extended", "2026-04-29",
        id="CH-AZ extended: 4 Apr + 25 CD = Wed 29 Apr",
    ),
    pytest.param(
        "CH-AZ", D(2026, 3, 2), {}, "reply_due", "2026-03-31",
        id="CH-AZ without acknowledgement: 27 Mar holiday, weekend, 30 Mar holiday, Tue 31 Mar",
    ),
    pytest.param(
        "CH-AZ", D(2026, 3, 18), {"acknowledged": D(2026, 3, 19), "procedure": "accelerated"},
        "reply_due", "2026-04-01",
        id="CH-AZ accelerated: Novruz and Eid 20-30 Mar in AZ, then 31 Mar and 1 Apr",
    ),
    pytest.param(
        "CH-AZ", D(2026, 3, 2), {"accepted": D(2026, 4, 30)}, "transfer_due", "2026-07-30",
        id="CH-AZ transfer: 30 Apr + 3 months = Thu 30 Jul",
    ),
    pytest.param(
        "EU-AZ", D(2026, 3, 2), {"accepted": D(2026, 3, 15)}, "transfer_due", "2026-06-16",
        id="EU-AZ transfer: 15 Jun is National Liberation Day in AZ, rolls to 16 Jun",
    ),
    pytest.param(
        "EU-AZ", D(2026, 5, 20), {"accepted": D(2026, 5, 25)}, "td_issue_due", "2026-06-04",
        id="EU-AZ TD: 5 WD from Mon 25 May, 27-29 May Eid al-Adha, weekend: Thu 4 Jun",
    ),
    pytest.param(
        "EU-GE", D(2026, 3, 2), {"procedure": "accelerated"}, "reply_due", "2026-03-05",
        id="EU-GE accelerated: 3 Mar is Mother's Day in Georgia, so 4 and 5 Mar",
    ),
    pytest.param(
        "EU-PK", D(2026, 3, 2), {}, "reply_due", "2026-04-01",
        id="EU-PK: 2 Mar + 30 CD = Wed 1 Apr",
    ),
    pytest.param(
        "EU-PK", D(2026, 3, 2), {}, "reply_due_extended", "2026-06-01",
        id="EU-PK: 1 Apr + 60 CD = Sun 31 May, rolls to Mon 1 Jun (the configured reading)",
    ),
    pytest.param(
        "NO-PK", D(2026, 3, 2), {}, "reply_due", "2026-04-16",
        id="NO-PK: 2 Mar + 45 CD = Thu 16 Apr",
    ),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "received", "extra", "output", "expected"), HAND_WORKED)
def test_hand_worked_deadlines(
    code: str, received: D, extra: dict[str, object], output: str, expected: str
) -> None:
    assert deadlines(code, received, **extra)[output] == expected


@pytest.mark.django_db
def test_eu_serbia_example_of_the_issue() -> None:
    result = deadlines("EU-RS", D(2026, 3, 2))
    assert result["agreement"] == "EU-RS"
    assert result["procedure"] == "normal"
    assert result["received"] == "2026-03-02"
    assert result["reply_due"] == "2026-03-12"
    assert result["tacit_acceptance"] is True
    assert result["transfer_due"] is None
    assert result["calendar"] == "RS"
    assert "1.7(2)" in result["sources"]["reply_due"]
    assert result["confidence"]["reply_due"] == "secondary"
    assert result["clock_start"]["reply_due"] == {"event": "receipt", "date": "2026-03-02"}


@pytest.mark.django_db
def test_ch_az_says_the_clock_starts_at_the_acknowledgement() -> None:
    with_ack = deadlines("CH-AZ", D(2026, 3, 2), acknowledged=D(2026, 3, 10))
    assert with_ack["clock_start"]["reply_due"] == {
        "event": "acknowledgement",
        "date": "2026-03-10",
    }
    assert not any("acknowledgement date was given" in w for w in with_ack["warnings"])
    without = deadlines("CH-AZ", D(2026, 3, 2))
    assert without["clock_start"]["reply_due"]["event"] == "acknowledgement"
    assert any("No acknowledgement date was given" in w for w in without["warnings"])
    # CH-AZ Art. 8: no tacit-acceptance clause was found, so on expiry the case is overdue.
    assert without["tacit_acceptance"] is False


@pytest.mark.django_db
def test_pakistan_shows_the_ambiguous_extension_as_configured() -> None:
    result = deadlines("EU-PK", D(2026, 3, 2))
    extension = result["rules"]["reply_extension_max"]
    assert extension["value"] == 60
    assert extension["confidence"] == "secondary"
    assert "AMBIGUOUS" in extension["note"]
    assert result["confidence"]["reply_due_extended"] == "secondary"
    assert result["tacit_acceptance"] is True
    assert any("extended reply deadline (Secondary source)" in w for w in result["warnings"])


@pytest.mark.django_db
def test_unconfigured_values_are_null_with_a_reason() -> None:
    result = deadlines("EU-AZ", D(2026, 3, 2))
    assert result["reply_due"] == "2026-03-17"  # 15 CD (secondary); 17 Mar is a Tuesday
    assert result["reply_due_extended"] is None
    assert result["tacit_acceptance"] is None
    assert "not configured" in result["why_null"]["tacit_acceptance"]
    assert "extension" in result["why_null"]["reply_due_extended"]
    nothing = deadlines("EU-CV", D(2026, 3, 2), accepted=D(2026, 3, 20))
    for output in ("reply_due", "reply_due_extended", "tacit_acceptance", "transfer_due"):
        assert nothing[output] is None
        assert nothing["sources"][output] is None
        assert output in nothing["why_null"]


@pytest.mark.django_db
def test_the_extension_is_not_applied_to_the_accelerated_procedure() -> None:
    result = deadlines("EU-RS", D(2026, 3, 2), procedure="accelerated")
    assert result["reply_due"] == "2026-03-04"
    assert result["reply_due_extended"] is None
    assert "accelerated" in result["why_null"]["reply_due_extended"]


@pytest.mark.django_db
def test_a_partner_requesting_from_a_member_state_counts_in_the_member_states_calendar() -> None:
    # 2 WD from Wed 30 Dec 2026 in Germany: 31 Dec worked, 1 Jan holiday, weekend, Mon 4 Jan.
    result = deadlines(
        "EU-RS",
        D(2026, 12, 30),
        procedure="accelerated",
        requesting_state="RS",
        requested_state="DE",
    )
    assert result["calendar"] == "DE"
    assert result["reply_due"] == "2027-01-04"


@pytest.mark.django_db
def test_a_member_state_protocol_adds_its_overrides() -> None:
    with_at = agreement_get(viewer=None, code="EU-GE")
    rules = rules_on(with_at, on=D(2026, 3, 2), member_state="AT")
    assert rules["transfer_notice_lead_time"].value == 5
    assert rules["transfer_notice_lead_time"].origin == "EU-GE protocol AT"
    assert rules["reply_period_normal"].origin == "EU-GE"
    assert "transfer_notice_lead_time" not in rules_on(with_at, on=D(2026, 3, 2), member_state="DE")
    result = deadlines("EU-GE", D(2026, 3, 2), requesting_state="AT")
    assert result["protocol"] == "EU-GE protocol AT"


# --------------------------------------------------------------------------------------
# Every configured reply and transfer rule, against an independent oracle
# --------------------------------------------------------------------------------------


def _non_working(country: str) -> Callable[[D], bool]:
    table = holidays.country_holidays(country, years=range(2025, 2028), categories=("public",))
    weekend = table.weekend

    def check(day: D) -> bool:
        return day in table or (day.weekday() in weekend and day not in table.weekend_workdays)

    return check


def _oracle(start: D, amount: int, unit: str, country: str) -> D:
    closed = _non_working(country)
    if unit == "working_days":
        day, left = start, amount
        while left:
            day += dt.timedelta(days=1)
            if not closed(day):
                left -= 1
        return day
    if unit == "calendar_days":
        end = start + dt.timedelta(days=amount)
    else:
        months = amount * (12 if unit == "years" else 1)
        index = start.year * 12 + start.month - 1 + months
        year, month = divmod(index, 12)
        last = stdlib_calendar.monthrange(year, month + 1)[1]
        end = D(year, month + 1, min(start.day, last))
    while closed(end):
        end += dt.timedelta(days=1)
    return end


RECEIVED = D(2026, 3, 2)
ACCEPTED = D(2026, 3, 12)
CASES = [
    ("reply_period_normal", "normal", "reply_due"),
    ("reply_period_accelerated", "accelerated", "reply_due"),
    ("transfer_period", "normal", "transfer_due"),
]


def _configured_cases() -> list[tuple[str, str, str, str]]:
    # Read straight from the seed file at collection time (no database yet).
    document = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    cases = []
    for agreement in document["agreements"]:
        keys = {r["rule"] for r in agreement["rules"]}
        for key, procedure, output in CASES:
            if key in keys:
                cases.append((agreement["code"], key, procedure, output))
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "key", "procedure", "output"), _configured_cases())
def test_every_configured_reply_and_transfer_rule(
    code: str, key: str, procedure: str, output: str
) -> None:
    agreement = Agreement.objects.get(code=code)
    rules = rules_on(agreement, on=RECEIVED)
    configured = rules[key]
    country = agreement.partner_id
    result = deadlines(code, RECEIVED, procedure=procedure, accepted=ACCEPTED)
    start = ACCEPTED if key == "transfer_period" else RECEIVED
    expected = _oracle(start, int(configured.value), configured.unit, country)
    assert result[output] == expected.isoformat()
    assert result["sources"][output] == configured.source
    assert result["confidence"][output] == configured.confidence


def test_the_registry_has_reply_and_transfer_rules_to_check() -> None:
    codes = {code for code, *_ in _configured_cases()}
    assert {"EU-RS", "EU-PK", "CH-AZ", "EU-AZ", "EU-GE", "NO-PK"} <= codes


# --------------------------------------------------------------------------------------
# Extensions and pauses: events that recompute the stored deadline
# --------------------------------------------------------------------------------------


def test_an_extension_is_added_before_the_roll_forward() -> None:
    # Wed 4 Mar + 10 CD = Sat 14 Mar, due Mon 16 Mar in Germany; + 6 CD counts from the 14th.
    deadline = period_deadline(start=D(2026, 3, 4), amount=10, unit="calendar_days", country="DE")
    assert (deadline.end, deadline.due) == (D(2026, 3, 14), D(2026, 3, 16))
    extended = deadline_extend(deadline, amount=6, unit="calendar_days")
    assert (extended.end, extended.due) == (D(2026, 3, 20), D(2026, 3, 20))


def test_an_extension_beyond_the_configured_maximum_is_refused() -> None:
    deadline = period_deadline(start=D(2026, 3, 2), amount=10, unit="calendar_days", country="RS")
    maximum = rule("reply_extension_max", 6, "calendar_days")
    assert deadline_extend(deadline, amount=6, unit="calendar_days", maximum=maximum).due == D(
        2026, 3, 18
    )
    with pytest.raises(InvalidPeriod, match="more than the agreement allows"):
        deadline_extend(deadline, amount=7, unit="calendar_days", maximum=maximum)
    with pytest.raises(InvalidPeriod, match=r"in working days but .* in calendar days"):
        deadline_extend(deadline, amount=2, unit="working_days", maximum=maximum)


def test_a_pause_gives_back_the_calendar_days_that_were_left() -> None:
    # Period 2 Mar → 12 Mar; paused on 5 Mar (7 days left), resumed on 20 Mar → 27 Mar (Fri).
    deadline = period_deadline(start=D(2026, 3, 2), amount=10, unit="calendar_days", country="RS")
    paused = deadline_pause(deadline, paused_on=D(2026, 3, 5), resumed_on=D(2026, 3, 20))
    assert paused.end == D(2026, 3, 27)
    assert paused.due == D(2026, 3, 27)


def test_a_pause_of_a_working_day_period_counts_working_days() -> None:
    # RS, 2 WD from Fri 13 Feb: due Thu 19 Feb. Paused on Wed 18 Feb (1 WD left: the 19th),
    # resumed Mon 13 Apr (Easter Monday): the next working day is Tue 14 Apr.
    deadline = period_deadline(start=D(2026, 2, 13), amount=2, unit="working_days", country="RS")
    assert deadline.due == D(2026, 2, 19)
    paused = deadline_pause(deadline, paused_on=D(2026, 2, 18), resumed_on=D(2026, 4, 13))
    assert paused.due == D(2026, 4, 14)


def test_a_pause_on_or_after_the_last_day_changes_nothing() -> None:
    deadline = period_deadline(start=D(2026, 3, 2), amount=10, unit="calendar_days", country="RS")
    assert deadline_pause(deadline, paused_on=D(2026, 3, 12), resumed_on=D(2026, 4, 1)) == deadline


def test_bad_pauses_are_refused_in_plain_words() -> None:
    deadline = period_deadline(start=D(2026, 3, 2), amount=10, unit="calendar_days", country="RS")
    with pytest.raises(InvalidPeriod, match="before the period started"):
        deadline_pause(deadline, paused_on=D(2026, 3, 1), resumed_on=D(2026, 3, 3))
    with pytest.raises(InvalidPeriod, match="before it was paused"):
        deadline_pause(deadline, paused_on=D(2026, 3, 5), resumed_on=D(2026, 3, 4))


def test_recompute_applies_events_in_date_order_and_waits_for_an_open_pause() -> None:
    deadline = period_deadline(start=D(2026, 3, 2), amount=10, unit="calendar_days", country="RS")
    events: list[Extension | Pause] = [
        Extension(on=D(2026, 3, 10), amount=6, unit="calendar_days"),
        Pause(paused_on=D(2026, 3, 5), resumed_on=D(2026, 3, 20)),
    ]
    # Pause first: 7 days left from 20 Mar = 27 Mar; then + 6 CD = Thu 2 Apr.
    assert deadline_recompute(deadline, events) == Deadline(
        start=D(2026, 3, 2),
        end=D(2026, 4, 2),
        due=D(2026, 4, 2),
        unit="calendar_days",
        country="RS",
        roll_forward=True,
    )
    assert deadline_recompute(deadline, [Pause(paused_on=D(2026, 3, 5))]) is None
    assert deadline_recompute(deadline, []) == deadline


def test_a_roll_forward_rule_can_switch_the_roll_off() -> None:
    rules = {
        "reply_period_normal": rule("reply_period_normal", 10, "calendar_days"),
        "roll_forward": rule("roll_forward", False, "boolean"),
    }
    # Wed 4 Mar + 10 CD = Sat 14 Mar, left on the Saturday.
    report = compute_deadlines(agreement="TEST", rules=rules, received=D(2026, 3, 4), country="DE")
    assert report.reply_due == D(2026, 3, 14)
    assert report.roll_forward is False
    assert report.sources["roll_forward"] == "synthetic test rule"
    rules.pop("roll_forward")
    report = compute_deadlines(agreement="TEST", rules=rules, received=D(2026, 3, 4), country="DE")
    assert report.reply_due == D(2026, 3, 16)
    assert "1182/71" in str(report.sources["roll_forward"])


def test_inconsistent_event_dates_are_refused() -> None:
    rules = {"reply_period_normal": rule("reply_period_normal", 10, "calendar_days")}
    with pytest.raises(InvalidPeriod, match="acknowledgement"):
        compute_deadlines(
            agreement="TEST",
            rules=rules,
            received=D(2026, 3, 4),
            acknowledged=D(2026, 3, 3),
            country="DE",
        )
    with pytest.raises(InvalidPeriod, match="acceptance"):
        compute_deadlines(
            agreement="TEST",
            rules=rules,
            received=D(2026, 3, 4),
            accepted=D(2026, 3, 1),
            country="DE",
        )
    with pytest.raises(InvalidPeriod, match="procedure"):
        compute_deadlines(
            agreement="TEST", rules=rules, received=D(2026, 3, 4), procedure="fast", country="DE"
        )


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

COUNTRIES = st.sampled_from(["RS", "AZ", "PK", "GE", "TR", "DE", "AF"])
DAYS = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 6, 30))
CD = st.integers(min_value=1, max_value=90)
WD = st.integers(min_value=1, max_value=20)


@settings(max_examples=150, deadline=None)
@given(start=DAYS, amount=CD, country=COUNTRIES)
def test_a_rolled_due_date_is_the_first_working_day_from_the_end(
    start: D, amount: int, country: str
) -> None:
    deadline = period_deadline(start=start, amount=amount, unit="calendar_days", country=country)
    assert deadline.end == start + dt.timedelta(days=amount)
    assert deadline.due >= deadline.end
    assert is_working_day(country, deadline.due)
    day = deadline.end
    while day < deadline.due:
        assert not is_working_day(country, day)
        day += dt.timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(start=DAYS, first=CD, second=CD, country=COUNTRIES)
def test_two_extensions_equal_one_of_their_sum(
    start: D, first: int, second: int, country: str
) -> None:
    deadline = period_deadline(start=start, amount=10, unit="calendar_days", country=country)
    twice = deadline_extend(
        deadline_extend(deadline, amount=first, unit="calendar_days"),
        amount=second,
        unit="calendar_days",
    )
    once = deadline_extend(deadline, amount=first + second, unit="calendar_days")
    assert twice == once
    assert once.due >= deadline.due


@settings(max_examples=150, deadline=None)
@given(start=DAYS, amount=CD, into=st.integers(0, 89), length=st.integers(0, 60), country=COUNTRIES)
def test_a_calendar_day_pause_moves_the_end_by_its_length(
    start: D, amount: int, into: int, length: int, country: str
) -> None:
    deadline = period_deadline(start=start, amount=amount, unit="calendar_days", country=country)
    paused_on = start + dt.timedelta(days=min(into, amount - 1))
    resumed_on = paused_on + dt.timedelta(days=length)
    paused = deadline_pause(deadline, paused_on=paused_on, resumed_on=resumed_on)
    assert paused.end == deadline.end + dt.timedelta(days=length)


@settings(max_examples=100, deadline=None)
@given(start=DAYS, amount=WD, into=st.integers(0, 40), length=st.integers(0, 40), country=COUNTRIES)
def test_a_working_day_pause_keeps_the_working_days_that_were_left(
    start: D, amount: int, into: int, length: int, country: str
) -> None:
    deadline = period_deadline(start=start, amount=amount, unit="working_days", country=country)
    paused_on = min(start + dt.timedelta(days=into), deadline.end - dt.timedelta(days=1))
    resumed_on = paused_on + dt.timedelta(days=length)
    paused = deadline_pause(deadline, paused_on=paused_on, resumed_on=resumed_on)
    left = working_days_between(country, paused_on, deadline.end)
    assert working_days_between(country, resumed_on, paused.end) == left
    assert is_working_day(country, paused.due)


@settings(max_examples=100, deadline=None)
@given(received=DAYS, reply=CD, extension=CD, transfer=st.integers(1, 12), country=COUNTRIES)
def test_computed_deadlines_are_ordered(
    received: D, reply: int, extension: int, transfer: int, country: str
) -> None:
    rules = {
        "reply_period_normal": rule("reply_period_normal", reply, "calendar_days"),
        "reply_extension_max": rule("reply_extension_max", extension, "calendar_days"),
        "transfer_period": rule("transfer_period", transfer, "months", "acceptance"),
        "tacit_acceptance": rule("tacit_acceptance", True, "boolean"),
    }
    report = compute_deadlines(
        agreement="TEST", rules=rules, received=received, country=country, accepted=received
    )
    assert report.reply_due is not None and report.reply_due_extended is not None
    assert received < report.reply_due <= report.reply_due_extended
    assert report.transfer_due is not None and report.transfer_due > received
    assert report.tacit_acceptance is True
    assert report.missing == {
        "td_issue_due": "No “Travel-document issuance period” rule is configured for TEST."
    }


def test_reasons_and_refusals_are_written_in_the_active_language() -> None:
    with translation.override("fr"):
        report = compute_deadlines(agreement="TEST", rules={}, received=D(2026, 3, 2), country="RS")
        assert report.missing["reply_due"] == (
            "Aucun délai de réponse en procédure normale n’est configuré pour TEST au 2 mars 2026."
        )
        with pytest.raises(InvalidPeriod) as refused:
            compute_deadlines(
                agreement="TEST",
                rules={},
                received=D(2026, 3, 2),
                country="RS",
                acknowledged=D(2026, 3, 1),
            )
    assert str(refused.value) == (
        "L’accusé de réception (1 mars 2026) ne peut pas précéder la réception (2 mars 2026)."
    )


@pytest.mark.django_db
def test_a_date_counted_over_an_estimated_lunar_holiday_says_it_may_move() -> None:
    # 30 calendar days from 8 Feb 2027 end on 10 Mar, Eid al-Fitr as the data estimates it
    # (the day is fixed by sighting): the date rolls forward over it, and may move with it.
    result = deadlines("EU-PK", D(2027, 2, 8))
    assert result["reply_due"] != "2027-03-10"
    estimated = [w for w in result["warnings"] if "estimated" in w]
    assert len(estimated) >= 1 and "Eid al-Fitr" in estimated[0]
    assert estimated[0].startswith("The reply deadline counts over holidays")
    # A calendar without lunar holidays (Serbia's) carries no such warning.
    quiet = deadlines("EU-RS", D(2027, 6, 1))
    assert not [w for w in quiet["warnings"] if "estimated" in w]
