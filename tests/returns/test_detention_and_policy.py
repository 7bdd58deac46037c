"""Detention counted over all episodes against the configured caps; the policy rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.core.errors import Conflict, ValidationFailed
from readmit.core.timeutil import today
from readmit.returns.choices import PolicyKey
from readmit.returns.models import PolicyRule, ReturnCase
from readmit.returns.policy import SEEDS, policy_load, policy_rule, rule_in_days
from readmit.returns.selectors import detention_total
from readmit.returns.services import detention_end, detention_extend, detention_start
from tests.returns.dates import days_ago

pytestmark = pytest.mark.django_db


def _episode(officer: User, case: ReturnCase, start: dt.date, end: dt.date | None = None) -> int:
    episode = detention_start(actor=officer, case_id=case.pk, start=start, ground="risk_of_absconding",
                              ordered_on=start)  # fmt: skip
    if end is not None:
        detention_end(actor=officer, case_id=case.pk, episode_id=episode.pk, end=end)
    return episode.pk


def test_the_seeded_rules_carry_their_sources_and_confidence() -> None:
    on = today()
    vd_min = policy_rule(PolicyKey.VOLUNTARY_DEPARTURE_MIN, on=on)
    assert vd_min is not None and vd_min.unit == "days" and vd_min.confidence == "verified"
    assert "Art. 7" in vd_min.source
    for key in (PolicyKey.DETENTION_INITIAL_MAX, PolicyKey.DETENTION_EXTENSION_MAX):
        rule = policy_rule(key, on=on)
        assert rule is not None and rule.confidence == "unverified", "DOMAIN.md §3: U-verbatim"
        assert "Art. 15" in rule.source
    assert policy_rule(PolicyKey.ENTRY_BAN_MAX, on=on) is not None
    assert policy_rule(PolicyKey.ENTRY_BAN_MAX, on=dt.date(2000, 1, 1)) is None, (
        "not before it applies"
    )


def test_loading_the_rules_is_idempotent_and_audited() -> None:
    assert policy_load() == (0, 0)
    PolicyRule.objects.filter(key=PolicyKey.ENTRY_BAN_MAX).update(value=99)
    assert policy_load() == (0, 1)
    assert PolicyRule.objects.filter(state__isnull=True).count() == len(SEEDS)
    assert AuditEntry.objects.filter(action="returns.policy.loaded").exists()


def test_a_state_rule_takes_precedence_over_the_eu_default() -> None:
    PolicyRule.objects.create(key=PolicyKey.ENTRY_BAN_MAX, value=3, unit="years", state_id="DE",
                              valid_from=dt.date(2020, 1, 1), source="test", confidence="unverified")  # fmt: skip
    de = policy_rule(PolicyKey.ENTRY_BAN_MAX, on=today(), state="DE")
    nl = policy_rule(PolicyKey.ENTRY_BAN_MAX, on=today(), state="NL")
    assert de is not None and de.value == 3
    assert nl is not None and nl.state_id is None


def test_all_episodes_count(make_case: Callable[..., ReturnCase], officer: User) -> None:
    case = make_case()
    _episode(officer, case, days_ago(40), days_ago(31))  # 10 days
    _episode(officer, case, days_ago(20), days_ago(16))  # 5 days
    _episode(officer, case, days_ago(4))  # ongoing: 5 days up to today
    total = detention_total(case, today())
    assert total.days == 20
    assert total.ongoing
    first = days_ago(40)
    initial = policy_rule(PolicyKey.DETENTION_INITIAL_MAX, on=today())
    assert initial is not None
    assert total.initial_cap_days == rule_in_days(initial, anchor=first)
    assert total.text == f"20 of {total.initial_cap_days} days"
    assert detention_total(case, days_ago(18)).days == 13, "counted up to the day asked"


def test_episodes_of_the_persons_earlier_case_count_too(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    from readmit.returns.services import case_cancel, case_create

    case = make_case()
    _episode(officer, case, days_ago(30), days_ago(21))
    case_cancel(actor=officer, case_id=case.pk, reason="Opened by mistake")
    later = case_create(actor=officer, person_id=case.person_id)
    assert detention_total(later, today()).days == 10


def test_an_extension_beyond_the_configured_caps_is_refused(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    earlier = days_ago(60)
    _episode(officer, case, earlier, earlier + dt.timedelta(days=9))  # 10 days
    start = days_ago(5)
    episode = _episode(officer, case, start)
    total = detention_total(case, today())
    assert total.total_cap_days is not None and total.initial_cap_days is not None
    assert total.total_cap_days > total.initial_cap_days
    # The last day that keeps the whole detention within the configured maximum:
    last_allowed = start + dt.timedelta(days=total.total_cap_days - 10 - 1)
    with pytest.raises(ValidationFailed) as caught:
        detention_extend(actor=officer, case_id=case.pk, episode_id=episode, until=last_allowed + dt.timedelta(days=1),
                         reason="delays_obtaining_documents", decided_on=today())  # fmt: skip
    message = caught.value.fields["until"][0]
    assert (
        f"{total.total_cap_days + 1} days" in message
        and f"maximum of {total.total_cap_days} days" in message
    )
    assert not AuditEntry.objects.filter(action="returns.detention.extended").exists()
    detention_extend(actor=officer, case_id=case.pk, episode_id=episode, until=last_allowed,
                     reason="lack_of_cooperation", decided_on=today())  # fmt: skip
    after = detention_total(case, today())
    assert after.extended and after.cap_days == after.total_cap_days
    assert AuditEntry.objects.filter(action="returns.detention.extended").exists()


def test_an_extension_needs_an_article_15_6_reason(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    episode = _episode(officer, case, days_ago(5))
    with pytest.raises(ValidationFailed) as caught:
        detention_extend(actor=officer, case_id=case.pk, episode_id=episode, until=today(),
                         reason="convenience", decided_on=None)  # fmt: skip
    assert {"reason", "decided_on"} <= set(caught.value.fields)


def test_without_configured_caps_the_extension_is_recorded_and_said_so(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    PolicyRule.objects.filter(
        key__in=[PolicyKey.DETENTION_INITIAL_MAX, PolicyKey.DETENTION_EXTENSION_MAX]
    ).delete()
    case = make_case()
    episode = _episode(officer, case, days_ago(5))
    detention_extend(actor=officer, case_id=case.pk, episode_id=episode, until=today() + dt.timedelta(days=3000),
                     reason="lack_of_cooperation", decided_on=today())  # fmt: skip
    total = detention_total(case, today())
    assert total.cap_days is None
    assert total.text == "6 days (cap not configured)"


def test_a_new_episode_is_refused_once_the_cap_is_reached(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    initial = policy_rule(PolicyKey.DETENTION_INITIAL_MAX, on=today())
    assert initial is not None
    # Long enough ago that one episode of exactly the initial maximum ended before today.
    start = days_ago(400)
    cap = rule_in_days(initial, anchor=start)
    _episode(officer, case, start, start + dt.timedelta(days=cap - 1))
    assert detention_total(case, today()).days == cap
    with pytest.raises(ValidationFailed) as caught:
        _episode(officer, case, days_ago(1))
    assert f"the configured maximum ({cap} days)" in caught.value.fields["start"][0]


def test_episodes_cannot_overlap_or_run_twice(
    make_case: Callable[..., ReturnCase], officer: User
) -> None:
    case = make_case()
    episode = _episode(officer, case, days_ago(10))
    with pytest.raises(ValidationFailed):
        _episode(officer, case, days_ago(2))
    detention_end(actor=officer, case_id=case.pk, episode_id=episode, end=days_ago(5))
    with pytest.raises(Conflict):
        detention_end(actor=officer, case_id=case.pk, episode_id=episode, end=days_ago(4))
    with pytest.raises(ValidationFailed) as caught:
        _episode(officer, case, days_ago(6))
    assert "overlaps" in caught.value.fields["start"][0]
    with pytest.raises(ValidationFailed) as caught:
        detention_start(actor=officer, case_id=case.pk, start=today() + dt.timedelta(days=1),
                        ground="boredom", ordered_on=None)  # fmt: skip
    assert {"start", "ground", "ordered_on"} <= set(caught.value.fields)
