"""The return decision (Return Directive Art. 6) with its voluntary-departure period (Art. 7),
removal order (Art. 8) and entry ban (Art. 11)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.core.errors import Conflict
from readmit.core.i18n import local_date
from readmit.core.timeutil import today as local_today
from readmit.returns.choices import PolicyKey, PolicyUnit, VoluntaryDepartureReason
from readmit.returns.models import ReturnCase, ReturnDecision
from readmit.returns.policy import period_end_or_none
from readmit.returns.selectors import case_policy, current_decision
from readmit.returns.services._base import Errors, locked_case, record_change

if TYPE_CHECKING:
    from readmit.accounts.models import User

# --- The return decision -------------------------------------------------------------------------

# The entry ban's length column (PositiveSmallIntegerField) holds at most this on every
# supported database: a technical limit, not a legal one.
ENTRY_BAN_LENGTH_MAX = 32767


def _vd_length_errors(
    errors: Errors, case: ReturnCase, start: dt.date, end: dt.date, on: dt.date
) -> None:
    """Return Directive Art. 7(1): a period between the configured shortest and longest.

    The day the period starts from is not counted (Reg. 1182/71 Art. 3(1)): a period of 30
    days from 1 March ends on 31 March.

    A bound that would fall after the last date the calendar can hold is later than any
    `end`: the period is then shorter than the shortest, and never longer than the longest.
    """
    shortest = case_policy(case, PolicyKey.VOLUNTARY_DEPARTURE_MIN, on=on)
    longest = case_policy(case, PolicyKey.VOLUNTARY_DEPARTURE_MAX, on=on)
    earliest_end = (
        period_end_or_none(start, shortest.value, shortest.unit) if shortest is not None else None
    )
    latest_end = (
        period_end_or_none(start, longest.value, longest.unit) if longest is not None else None
    )
    if shortest is not None and (earliest_end is None or end < earliest_end):
        errors.add(
            "vd_end",
            _(
                "The period must be at least %(n)d %(unit)s (%(source)s); to grant less, record a shortening with its reason."
            )
            % {
                "n": shortest.value,
                "unit": PolicyUnit(shortest.unit).label,
                "source": shortest.source,
            },
        )
    if longest is not None and latest_end is not None and end > latest_end:
        errors.add(
            "vd_end",
            _(
                "The period can be at most %(n)d %(unit)s (%(source)s); to allow more, record an extension with its reason."
            )
            % {
                "n": longest.value,
                "unit": PolicyUnit(longest.unit).label,
                "source": longest.source,
            },
        )


def _entry_ban_errors(
    errors: Errors,
    case: ReturnCase,
    *,
    imposed: bool,
    length: int | None,
    unit: str,
    longer_reason: str,
    on: dt.date,
) -> None:
    if not imposed:
        return
    if not length or length < 1:
        errors.add("entry_ban_length", _("Enter the length of the entry ban."))
    if unit not in (PolicyUnit.MONTHS, PolicyUnit.YEARS):
        errors.add("entry_ban_unit", _("Choose months or years."))
    if "entry_ban_length" in errors or "entry_ban_unit" in errors:
        return
    assert length is not None
    if length > ENTRY_BAN_LENGTH_MAX:
        errors.add(
            "entry_ban_length",
            _("The system can store a length of at most %(n)d.") % {"n": ENTRY_BAN_LENGTH_MAX},
        )
        return
    # The ban runs from the departure, which comes after the decision: a ban whose end from
    # the decision day (or the departure, once recorded) is beyond the calendar can never be
    # given an end date.
    ban_end = period_end_or_none(on, length, unit)
    departure = case.actual_departure
    if ban_end is None or (
        departure is not None
        and departure > on
        and period_end_or_none(departure, length, unit) is None
    ):
        errors.add(
            "entry_ban_length",
            _(
                "An entry ban this long would end after %(day)s, the last date the system can represent."
            )
            % {"day": local_date(dt.date.max)},
        )
        return
    longest = case_policy(case, PolicyKey.ENTRY_BAN_MAX, on=on)
    longest_end = (
        period_end_or_none(on, longest.value, longest.unit) if longest is not None else None
    )
    # Art. 11(2): in principle not beyond the maximum; longer only for a serious threat to
    # public policy, public security or national security.
    if (
        longest is not None
        and longest_end is not None
        and ban_end > longest_end
        and not longer_reason.strip()
    ):
        errors.add(
            "entry_ban_longer_reason",
            _(
                "A ban longer than %(n)d %(unit)s needs a serious threat to public policy or security: describe it."
            )
            % {"n": longest.value, "unit": PolicyUnit(longest.unit).label},
        )


@transaction.atomic
def decision_record(
    *,
    actor: User,
    case_id: int,
    issuing_authority: str,
    decided_on: dt.date | None,
    vd_granted: bool,
    reference: str = "",
    notified_on: dt.date | None = None,
    vd_start: dt.date | None = None,
    vd_end: dt.date | None = None,
    vd_refusal_reason: str = "",
    vd_refusal_note: str = "",
    removal_order_on: dt.date | None = None,
    entry_ban_imposed: bool = False,
    entry_ban_length: int | None = None,
    entry_ban_unit: str = "",
    entry_ban_longer_reason: str = "",
    replacement_reason: str = "",
) -> ReturnDecision:
    """Record the return decision (Art. 6) with its voluntary-departure period (Art. 7),
    removal order (Art. 8) and entry ban (Art. 11). A case has one current decision; a new
    one replaces it only with a reason."""
    case = locked_case(actor, case_id)
    today = local_today()
    issuing_authority = issuing_authority.strip()
    errors = Errors()
    errors.required(
        "issuing_authority", issuing_authority, _("Enter the authority that issued the decision.")
    )
    errors.too_long(ReturnDecision, "issuing_authority", issuing_authority)
    errors.too_long(ReturnDecision, "reference", reference.strip())
    errors.required("decided_on", decided_on, _("Enter the date of the decision."))
    errors.not_future("decided_on", decided_on, today)
    errors.not_future("notified_on", notified_on, today)
    errors.not_before("notified_on", notified_on, decided_on, _("the decision date"))
    errors.not_future("removal_order_on", removal_order_on, today)
    errors.not_before("removal_order_on", removal_order_on, decided_on, _("the decision date"))
    if vd_granted:
        errors.required("vd_start", vd_start, _("Enter the day the period starts from."))
        errors.required("vd_end", vd_end, _("Enter the last day of the period."))
        errors.not_before("vd_end", vd_end, vd_start, _("the start of the period"))
        if vd_refusal_reason:
            errors.add("vd_refusal_reason", _("Leave this empty when a period is granted."))
        if vd_start and vd_end and "vd_end" not in errors:
            _vd_length_errors(errors, case, vd_start, vd_end, decided_on or today)
    else:
        # Art. 7(4): no period, or a shorter one, only for these reasons.
        errors.choice(
            "vd_refusal_reason",
            vd_refusal_reason,
            VoluntaryDepartureReason.values,
            _("Choose why no period for voluntary departure was granted."),
        )
    _entry_ban_errors(
        errors,
        case,
        imposed=entry_ban_imposed,
        length=entry_ban_length,
        unit=entry_ban_unit,
        longer_reason=entry_ban_longer_reason,
        on=decided_on or today,
    )
    current = current_decision(case)
    if current is not None and not replacement_reason.strip():
        errors.add(
            "replacement_reason",
            _("A return decision is already recorded: say why this one replaces it."),
        )
    errors.raise_if_any(_("The return decision was not recorded."))
    assert decided_on is not None
    now = timezone.now()
    if current is not None:
        current.replaced_at = now
        current.replacement_reason = replacement_reason.strip()
        current.save(update_fields=["replaced_at", "replacement_reason"])
        record_change(
            actor=actor,
            case=case,
            action="decision.replaced",
            obj=current,
            changes={"decision": current.pk},
            reason=replacement_reason.strip(),
            at=now,
        )
    decision = ReturnDecision.objects.create(
        case=case,
        issuing_authority=issuing_authority,
        reference=reference.strip(),
        decided_on=decided_on,
        notified_on=notified_on,
        vd_granted=vd_granted,
        vd_start=vd_start if vd_granted else None,
        vd_end=vd_end if vd_granted else None,
        vd_refusal_reason="" if vd_granted else vd_refusal_reason,
        vd_refusal_note="" if vd_granted else vd_refusal_note.strip(),
        removal_order_on=removal_order_on,
        entry_ban_imposed=entry_ban_imposed,
        entry_ban_length=entry_ban_length if entry_ban_imposed else None,
        entry_ban_unit=entry_ban_unit if entry_ban_imposed else "",
        entry_ban_longer_reason=entry_ban_longer_reason.strip() if entry_ban_imposed else "",
        recorded_by=actor,
    )
    record_change(
        actor=actor,
        case=case,
        action="decision.recorded",
        obj=decision,
        changes={
            "issuing_authority": issuing_authority,
            "reference": decision.reference,
            "decided_on": decided_on,
            "notified_on": notified_on,
            "vd_granted": vd_granted,
            "vd_start": decision.vd_start,
            "vd_end": decision.vd_end,
            "reason_code": decision.vd_refusal_reason,
            "removal_order_on": removal_order_on,
            "imposed": entry_ban_imposed,
            "length": decision.entry_ban_length,
            "unit": decision.entry_ban_unit,
        },
        at=now,
    )
    return decision


def _current_decision_or_error(case: ReturnCase) -> ReturnDecision:
    decision = current_decision(case)
    if decision is None:
        raise Conflict(_("Record the return decision first."), code="no_decision")
    return decision


@transaction.atomic
def vd_extend(*, actor: User, case_id: int, until: dt.date | None, reason: str) -> ReturnDecision:
    """Art. 7(2): extend the period (length of stay, children at school, family and social
    links, ...). The extension may go beyond the longest period."""
    case = locked_case(actor, case_id)
    decision = _current_decision_or_error(case)
    if not decision.vd_granted:
        raise Conflict(_("No period for voluntary departure was granted."), code="vd_not_granted")
    reason = reason.strip()
    errors = Errors()
    errors.required("until", until, _("Enter the new last day."))
    errors.required("reason", reason, _("Give the reason for the extension."))
    end = decision.vd_effective_end
    if until is not None and end is not None and until <= end:
        errors.add("until", _("The new last day must be after the current one."))
    errors.raise_if_any(_("The period was not extended."))
    decision.vd_extended_until = until
    decision.vd_extension_reason = reason
    # An extension replaces any earlier shortening: the period now ends on `until`.
    decision.vd_shortened_until = None
    decision.vd_shortening_reason = ""
    decision.vd_shortening_note = ""
    decision.save()
    record_change(
        actor=actor,
        case=case,
        action="decision.vd_extended",
        obj=decision,
        changes={"until": until, "reason": reason},
    )
    return decision


@transaction.atomic
def vd_shorten(
    *, actor: User, case_id: int, until: dt.date | None, reason: str, note: str = ""
) -> ReturnDecision:
    """Art. 7(4): shorten the period, even below the shortest, for a risk of absconding, a
    manifestly unfounded or fraudulent application, or a risk to public policy or security."""
    case = locked_case(actor, case_id)
    decision = _current_decision_or_error(case)
    if not decision.vd_granted:
        raise Conflict(_("No period for voluntary departure was granted."), code="vd_not_granted")
    errors = Errors()
    errors.required("until", until, _("Enter the new last day."))
    errors.choice(
        "reason", reason, VoluntaryDepartureReason.values, _("Choose the reason for shortening.")
    )
    end = decision.vd_effective_end
    if until is not None and end is not None and until >= end:
        errors.add("until", _("The new last day must be before the current one."))
    errors.not_before("until", until, decision.vd_start, _("the start of the period"))
    errors.raise_if_any(_("The period was not shortened."))
    decision.vd_shortened_until = until
    decision.vd_shortening_reason = reason
    decision.vd_shortening_note = note.strip()
    decision.save()
    record_change(
        actor=actor,
        case=case,
        action="decision.vd_shortened",
        obj=decision,
        changes={"until": until, "reason_code": reason, "note": note.strip()},
    )
    return decision


@transaction.atomic
def vd_refuse(*, actor: User, case_id: int, reason: str, note: str = "") -> ReturnDecision:
    """Art. 7(4): no period for voluntary departure (withdrawn if one was granted)."""
    case = locked_case(actor, case_id)
    decision = _current_decision_or_error(case)
    errors = Errors()
    errors.choice(
        "reason", reason, VoluntaryDepartureReason.values, _("Choose the reason for refusing.")
    )
    errors.raise_if_any(_("The refusal was not recorded."))
    decision.vd_granted = False
    decision.vd_refusal_reason = reason
    decision.vd_refusal_note = note.strip()
    decision.save()
    record_change(
        actor=actor,
        case=case,
        action="decision.vd_refused",
        obj=decision,
        changes={"reason_code": reason, "note": note.strip()},
    )
    return decision


@transaction.atomic
def entry_ban_set(
    *,
    actor: User,
    case_id: int,
    imposed: bool,
    length: int | None = None,
    unit: str = "",
    longer_reason: str = "",
) -> ReturnDecision:
    """Art. 11: the entry ban of the current decision. It runs from the actual departure."""
    case = locked_case(actor, case_id)
    decision = _current_decision_or_error(case)
    errors = Errors()
    # Field names as in the decision form, so a web form can place the messages.
    _entry_ban_errors(
        errors, case, imposed=imposed, length=length, unit=unit,
        longer_reason=longer_reason, on=decision.decided_on,
    )  # fmt: skip
    errors.raise_if_any(_("The entry ban was not recorded."))
    decision.entry_ban_imposed = imposed
    decision.entry_ban_length = length if imposed else None
    decision.entry_ban_unit = unit if imposed else ""
    decision.entry_ban_longer_reason = longer_reason.strip() if imposed else ""
    decision.save()
    record_change(
        actor=actor,
        case=case,
        action="decision.entry_ban_set",
        obj=decision,
        changes={
            "imposed": imposed,
            "length": decision.entry_ban_length,
            "unit": decision.entry_ban_unit,
        },
    )
    return decision
