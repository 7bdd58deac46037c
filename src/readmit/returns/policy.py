"""Return policy as configuration: the legal numbers of the Return Directive, with sources.

DOMAIN.md §3 (design note): keep RD and entry-ban durations and detention caps as policy
configuration; they will change when the 2025 Return Regulation applies. Code reads them
with `policy_rule`; a missing rule is "not configured", never a guessed default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from readmit.accounts.models import State
from readmit.audit.services import audit_record
from readmit.core.calendar import InvalidPeriod, add_period
from readmit.returns.choices import Confidence, PolicyKey, PolicyUnit
from readmit.returns.models import PolicyRule

_DIRECTIVE = "Return Directive 2008/115/EC (OJ L 348, 24.12.2008, p. 98)"
# The day the seeded EU-wide rules are valid from: the Official Journal publication date that
# DOMAIN.md §3 gives. Entry into force and national transposition came later; a state whose
# own rule differs gets its own row.
DIRECTIVE_PUBLISHED = dt.date(2008, 12, 24)


@dataclass(frozen=True)
class PolicySeed:
    key: str
    value: int
    unit: str
    source: str
    confidence: str
    note: str = ""


# Only the values DOMAIN.md §3 gives, with its confidence tags.
SEEDS: tuple[PolicySeed, ...] = (
    PolicySeed(
        PolicyKey.VOLUNTARY_DEPARTURE_MIN, 7, PolicyUnit.DAYS,
        f"{_DIRECTIVE}, Art. 7(1); DOMAIN.md §3", Confidence.VERIFIED,
        "May be shorter, or refused, under Art. 7(4).",
    ),
    PolicySeed(
        PolicyKey.VOLUNTARY_DEPARTURE_MAX, 30, PolicyUnit.DAYS,
        f"{_DIRECTIVE}, Art. 7(1); DOMAIN.md §3", Confidence.VERIFIED,
        "May be extended under Art. 7(2).",
    ),
    PolicySeed(
        PolicyKey.DETENTION_INITIAL_MAX, 6, PolicyUnit.MONTHS,
        f"{_DIRECTIVE}, Art. 15(5); DOMAIN.md §3", Confidence.UNVERIFIED,
        "DOMAIN.md §3 marks the values of Art. 15(5)-(6) as not checked verbatim.",
    ),
    PolicySeed(
        PolicyKey.DETENTION_EXTENSION_MAX, 12, PolicyUnit.MONTHS,
        f"{_DIRECTIVE}, Art. 15(6); DOMAIN.md §3", Confidence.UNVERIFIED,
        "Further period on lack of cooperation or delays in obtaining documents from third "
        "countries. DOMAIN.md §3 marks the values of Art. 15(5)-(6) as not checked verbatim.",
    ),
    PolicySeed(
        PolicyKey.ENTRY_BAN_MAX, 5, PolicyUnit.YEARS,
        f"{_DIRECTIVE}, Art. 11; DOMAIN.md §3", Confidence.VERIFIED,
        "In principle; longer if there is a serious threat to public policy or security.",
    ),
)  # fmt: skip


@transaction.atomic
def policy_load() -> tuple[int, int]:
    """Create or correct the EU-wide default rules. Idempotent. Returns (created, updated)."""
    created = updated = 0
    for seed in SEEDS:
        values = {
            "value": seed.value,
            "unit": seed.unit,
            "source": seed.source,
            "confidence": seed.confidence,
            "note": seed.note,
        }
        rule = PolicyRule.objects.filter(
            key=seed.key, state__isnull=True, valid_from=DIRECTIVE_PUBLISHED
        ).first()
        if rule is None:
            PolicyRule.objects.create(
                key=seed.key, state=None, valid_from=DIRECTIVE_PUBLISHED, **values
            )
            created += 1
            continue
        changed = [f for f, v in values.items() if getattr(rule, f) != v]
        if changed:
            for field in changed:
                setattr(rule, field, values[field])
            rule.save(update_fields=changed)
            updated += 1
    if created or updated:
        audit_record(
            actor=None,
            action="returns.policy.loaded",
            object_type="returns.policyrule",
            changes={"created": created, "updated": updated},
        )
    return created, updated


def policy_rule(key: str, *, on: dt.date, state: State | str | None = None) -> PolicyRule | None:
    """The rule in force on `on`: the state's own if it has one, else the EU-wide default;
    None when not configured."""
    state_code = state.code if isinstance(state, State) else state
    rules = PolicyRule.objects.filter(key=key, valid_from__lte=on)
    if state_code:
        own = rules.filter(state_id=state_code).order_by("-valid_from").first()
        if own is not None:
            return own
    return rules.filter(Q(state__isnull=True)).order_by("-valid_from").first()


_UNITS = {
    PolicyUnit.DAYS.value: "calendar_days",
    PolicyUnit.MONTHS.value: "months",
    PolicyUnit.YEARS.value: "years",
}


def period_end(start: dt.date, amount: int, unit: str) -> dt.date:
    """The day a period of `amount` `unit` from `start` ends (Reg. 1182/71 Art. 3 reckoning,
    via `readmit.core.calendar`)."""
    return add_period(start=start, amount=amount, unit=_UNITS[unit])


def period_end_or_none(start: dt.date, amount: int, unit: str) -> dt.date | None:
    """`period_end`, or None when that day would fall after the last date the calendar can
    hold (31 December 9999, a technical limit of the system, not a legal one). `amount` and
    `unit` must already be valid: a positive whole number of days, months or years."""
    try:
        return period_end(start, amount, unit)
    except InvalidPeriod:
        return None


def rule_in_days(rule: PolicyRule, *, anchor: dt.date) -> int:
    """A rule's length in days, counted from `anchor` (months and years are calendar months)."""
    return (period_end(anchor, rule.value, rule.unit) - anchor).days


def rule_text(rule: PolicyRule | None) -> str:
    if rule is None:
        return _("not configured")
    return f"{rule.value} {PolicyUnit(rule.unit).label}"
