"""Reads of the agreements registry: lists, rules in force, agreement selection, deadlines.

`viewer=None` is the operator at the server's command line (`readmit deadlines`), like
`actor=None` in the services; everyone else reads through `visible_to`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from readmit.accounts.models import State
from readmit.agreements.choices import EU_KINDS, AgreementKind, Category, RuleKey
from readmit.agreements.deadlines import DeadlineReport, Procedure, RuleValue, compute_deadlines
from readmit.agreements.models import Agreement, ImplementingProtocol, RuleFields
from readmit.agreements.registry_io import with_children
from readmit.core.calendar import CalendarError
from readmit.core.errors import NotFound, ValidationFailed
from readmit.core.scoping import get_visible

if TYPE_CHECKING:
    from readmit.accounts.models import User


def _scoped(viewer: User | None) -> QuerySet[Agreement]:
    return Agreement.objects.all() if viewer is None else Agreement.objects.visible_to(viewer)


def agreement_list(*, viewer: User | None, kind: str = "") -> QuerySet[Agreement]:
    agreements = _scoped(viewer).select_related("first_party", "partner").order_by("code")
    if kind:
        agreements = agreements.filter(kind=kind)
    return agreements


def agreement_get(*, viewer: User | None, code: str) -> Agreement:
    """The agreement with its rules, phases, evidence and protocols, or NotFound."""
    try:
        return get_visible(
            with_children(_scoped(viewer).select_related("first_party", "partner")),
            code=code.strip().upper(),
        )
    except NotFound:
        raise NotFound(_("No agreement has the code %(code)s.") % {"code": code}) from None


# --------------------------------------------------------------------------------------
# Rules in force on a day
# --------------------------------------------------------------------------------------


def _in_force_protocol(
    agreement: Agreement, member_state: str | None, on: dt.date
) -> ImplementingProtocol | None:
    if member_state is None:
        return None
    for protocol in agreement.protocols.all():
        if protocol.member_state_id == member_state and protocol.in_force_on(on):
            return protocol
    return None


def _latest(rules: Iterable[RuleFields], on: dt.date) -> dict[str, RuleFields]:
    """Per key, the version with the latest valid_from not after `on`."""
    chosen: dict[str, RuleFields] = {}
    for rule in sorted(rules, key=lambda r: r.valid_from):
        if rule.valid_from <= on:
            chosen[rule.key] = rule
    return chosen


def _value(rule: RuleFields, origin: str) -> RuleValue:
    return RuleValue(
        key=rule.key,
        value=rule.typed_value,
        unit=rule.unit,
        clock_start=rule.clock_start,
        valid_from=rule.valid_from,
        source=rule.source,
        confidence=rule.confidence,
        note=rule.note,
        origin=origin,
    )


def rules_on(
    agreement: Agreement, *, on: dt.date, member_state: str | None = None
) -> dict[str, RuleValue]:
    """Every rule in force on `on`: a Member State's protocol override wins over the agreement.

    Within the agreement (and within a protocol), the version with the latest `valid_from`
    on or before `on` applies. A protocol overrides only while it is in force, and only the
    keys it configures.
    """
    values = {
        key: _value(rule, agreement.code)
        for key, rule in _latest(agreement.rules.all(), on).items()
    }
    protocol = _in_force_protocol(agreement, member_state, on)
    if protocol is not None:
        origin = f"{agreement.code} protocol {protocol.member_state_id}"
        for key, rule in _latest(protocol.rules.all(), on).items():
            values[key] = _value(rule, origin)
    return values


def rule_for(
    agreement: Agreement, key: str, *, on: dt.date, member_state: str | None = None
) -> RuleValue | None:
    """The rule `key` as it applies on `on` (None: not configured)."""
    if key not in RuleKey.values:
        raise ValidationFailed(_("Unknown rule %(key)s.") % {"key": key})
    return rules_on(agreement, on=on, member_state=member_state).get(key)


# --------------------------------------------------------------------------------------
# Which instrument applies
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The applicable instrument, or None, with the reasons in plain words."""

    agreement: Agreement | None
    reason: str
    binding: bool = False
    warnings: tuple[str, ...] = ()
    not_applicable: tuple[tuple[str, str], ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        return {
            "agreement": self.agreement.code if self.agreement else None,
            "binding": self.binding,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "not_applicable": [{"agreement": c, "reason": r} for c, r in self.not_applicable],
        }


def _state(code: str, role: str) -> State:
    state = State.objects.filter(code=code.strip().upper()).first()
    if state is None:
        raise ValidationFailed(
            _("Unknown %(role)s %(code)r: use an ISO 3166-1 alpha-2 code.")
            % {"role": role, "code": code},
            fields={role.replace(" ", "_"): [_("Unknown state.")]},
        )
    return state


def _in_force(agreement: Agreement, on: dt.date) -> tuple[str, list[str]]:
    """Why the agreement does not apply on `on` (empty when it does), and caveats."""
    day = on.isoformat()
    if agreement.end is not None and on >= agreement.end:
        return _("%(code)s ceased to apply on %(end)s.") % {
            "code": agreement.code,
            "end": agreement.end.isoformat(),
        }, []
    if agreement.entry_into_force is not None:
        if on < agreement.entry_into_force:
            return _("%(code)s entered into force only on %(date)s (asked about %(day)s).") % {
                "code": agreement.code,
                "date": agreement.entry_into_force.isoformat(),
                "day": day,
            }, []
        return "", []
    if agreement.signed is not None and on < agreement.signed:
        return _("%(code)s was signed only on %(date)s (asked about %(day)s).") % {
            "code": agreement.code,
            "date": agreement.signed.isoformat(),
            "day": day,
        }, []
    if agreement.kind == AgreementKind.EU_ARRANGEMENT:
        return "", []
    return "", [
        _(
            "The registry has no entry-into-force date for %(code)s (%(source)s): check that it "
            "applied on %(day)s."
        )
        % {"code": agreement.code, "source": agreement.dates_source or _("no source"), "day": day}
    ]


def _covers(agreement: Agreement, category: str, on: dt.date) -> str:
    label = Category(category).label
    if not agreement.covers(category):
        return _("%(code)s does not cover %(category)s.") % {
            "code": agreement.code,
            "category": str(label).lower(),
        }
    for phase in agreement.phases.all():
        if phase.clause == category and on < phase.applies_from:
            return _(
                "%(code)s applies to %(category)s only from %(date)s (%(source)s). %(note)s"
            ) % {
                "code": agreement.code,
                "category": str(label).lower(),
                "date": phase.applies_from.isoformat(),
                "source": phase.source,
                "note": phase.note,
            }
    return ""


def agreement_select(
    *,
    requesting_state: str,
    requested_state: str,
    category: str,
    on: dt.date,
    viewer: User | None = None,
) -> Selection:
    """The instrument that governs an application, following DOMAIN.md §1.1.

    An EU readmission agreement applies between a partner and an EU Member State at the date
    (either way round: it is reciprocal), unless the Member State is excluded from it
    (Denmark). It takes precedence over a Member State's bilateral agreement with the same
    partner; a bilateral agreement applies where no EU agreement does for that category and
    date (for Schengen associates such as Switzerland or Norway, always their own). A
    non-binding arrangement is offered only when no binding agreement applies.
    """
    if category not in Category.values:
        raise ValidationFailed(
            _("Unknown category %(category)r: use one of %(choices)s.")
            % {"category": category, "choices": ", ".join(Category.values)},
            fields={"category": [_("Unknown category.")]},
        )
    requesting = _state(requesting_state, "requesting state")
    requested = _state(requested_state, "requested state")
    if requesting.code == requested.code:
        raise ValidationFailed(_("The requesting and the requested state must differ."))
    pair = {requesting.code, requested.code}
    candidates = (
        _scoped(viewer)
        .filter(Q(partner__in=pair) | Q(first_party__in=pair))
        .prefetch_related("phases", "exclusions")
        .order_by("code")
    )
    applicable: dict[str, list[Agreement]] = {kind: [] for kind in AgreementKind.values}
    not_applicable: list[tuple[str, str]] = []
    caveats: dict[str, tuple[str, ...]] = {}
    for agreement in candidates:
        if agreement.kind in EU_KINDS:
            if agreement.partner_id not in pair:
                continue
            member = requested if agreement.partner_id == requesting.code else requesting
            if not member.is_eu_member_on(on):
                not_applicable.append(
                    (
                        agreement.code,
                        _("%(state)s is not an EU Member State on %(day)s.")
                        % {"state": member.name, "day": on.isoformat()},
                    )
                )
                continue
            exclusion = next(
                (e for e in agreement.exclusions.all() if e.state_id == member.code), None
            )
            if exclusion is not None:
                not_applicable.append(
                    (
                        agreement.code,
                        _("%(state)s does not take part in %(code)s (%(source)s).")
                        % {
                            "state": member.name,
                            "code": agreement.code,
                            "source": exclusion.source,
                        },
                    )
                )
                continue
        elif {agreement.first_party_id, agreement.partner_id} != pair:
            continue
        why, notes = _in_force(agreement, on)
        why = why or _covers(agreement, category, on)
        if why:
            not_applicable.append((agreement.code, why))
            continue
        applicable[agreement.kind].append(agreement)
        caveats[agreement.code] = tuple(notes)

    context = {
        "requesting": requesting.name,
        "requested": requested.name,
        "category": str(Category(category).label).lower(),
        "day": on.isoformat(),
    }
    eu = applicable[AgreementKind.EU_AGREEMENT]
    bilateral = applicable[AgreementKind.BILATERAL]
    arrangements = applicable[AgreementKind.EU_ARRANGEMENT]
    if eu:
        chosen = eu[0]
        reason = _(
            "%(code)s applies: the EU readmission agreement between the EU and %(partner)s "
            "governs %(category)s between %(requesting)s and %(requested)s on %(day)s."
        ) % {**context, "code": chosen.code, "partner": chosen.partner.name}
        if bilateral:
            reason += " " + _(
                "It takes precedence over the bilateral agreement %(codes)s, which stays "
                "applicable only where compatible with it."
            ) % {"codes": ", ".join(a.code for a in bilateral)}
        return Selection(chosen, reason, True, caveats[chosen.code], tuple(not_applicable))
    if bilateral:
        chosen = bilateral[0]
        reason = _(
            "%(code)s applies: the bilateral agreement between %(requesting)s and %(requested)s "
            "governs %(category)s on %(day)s."
        ) % {**context, "code": chosen.code}
        if not_applicable:
            reason += " " + _("No EU agreement applies: %(why)s") % {
                "why": " ".join(r for _c, r in not_applicable)
            }
        return Selection(chosen, reason, True, caveats[chosen.code], tuple(not_applicable))
    if arrangements:
        chosen = arrangements[0]
        reason = _(
            "No binding agreement applies between %(requesting)s and %(requested)s for "
            "%(category)s on %(day)s. %(code)s is a legally non-binding arrangement: "
            "cooperation rests on it, not on a legal obligation, and its time limits are "
            "not enforceable."
        ) % {**context, "code": chosen.code}
        return Selection(chosen, reason, False, caveats[chosen.code], tuple(not_applicable))
    if not_applicable:
        reason = _(
            "No agreement applies between %(requesting)s and %(requested)s for %(category)s on "
            "%(day)s: %(why)s"
        ) % {**context, "why": " ".join(r for _c, r in not_applicable)}
    else:
        reason = (
            _(
                "No readmission agreement or arrangement between %(requesting)s and %(requested)s "
                "is registered."
            )
            % context
        )
    return Selection(None, reason, False, (), tuple(not_applicable))


# --------------------------------------------------------------------------------------
# Deadlines of an application under an agreement
# --------------------------------------------------------------------------------------


def _requested_state(
    agreement: Agreement,
    requested: str | None,
    requesting: str | None,
    on: dt.date,
) -> tuple[str, str | None, list[str]]:
    """The requested state (whose calendar counts), the Member State for protocol overrides,
    and notes on the defaults used."""
    notes: list[str] = []
    requested_code = requested.strip().upper() if requested else None
    requesting_code = requesting.strip().upper() if requesting else None
    if requested_code is not None:
        _state(requested_code, "requested state")
    if requesting_code is not None:
        _state(requesting_code, "requesting state")
    if requesting_code is not None and requesting_code == requested_code:
        raise ValidationFailed(_("The requesting and the requested state must differ."))
    if agreement.is_eu:
        partner = agreement.partner_id
        if requested_code is None:
            if requesting_code == partner:
                raise ValidationFailed(
                    _(
                        "%(partner)s is the requesting state: give the requested Member State, "
                        "whose calendar counts."
                    )
                    % {"partner": partner},
                    fields={"requested_state": [_("Required when the partner requests.")]},
                )
            requested_code = partner
            notes.append(
                _("Requested state not given: %(partner)s, the partner of %(code)s, is assumed.")
                % {"partner": partner, "code": agreement.code}
            )
        members = [c for c in (requested_code, requesting_code) if c and c != partner]
        if requested_code != partner and requesting_code not in (None, partner):
            raise ValidationFailed(
                _("Under %(code)s one side is %(partner)s: %(a)s and %(b)s are both other states.")
                % {
                    "code": agreement.code,
                    "partner": partner,
                    "a": requesting_code,
                    "b": requested_code,
                }
            )
        for code in members:
            state = State.objects.get(code=code)
            if not state.is_eu_member_on(on):
                raise ValidationFailed(
                    _("%(state)s is not an EU Member State on %(day)s: %(code)s does not bind it.")
                    % {"state": state.name, "day": on.isoformat(), "code": agreement.code}
                )
            if agreement.exclusions.filter(state_id=code).exists():
                raise ValidationFailed(
                    _("%(state)s does not take part in %(code)s.")
                    % {"state": state.name, "code": agreement.code}
                )
        return requested_code, (members[0] if members else None), notes
    parties = list(agreement.party_codes)
    if requested_code is None:
        requested_code = parties[1]
        notes.append(
            _("Requested state not given: %(state)s, the second party of %(code)s, is assumed.")
            % {"state": requested_code, "code": agreement.code}
        )
    for given in (requested_code, requesting_code):
        if given is not None and given not in parties:
            raise ValidationFailed(
                _("%(state)s is not a party to %(code)s (%(parties)s).")
                % {"state": given, "code": agreement.code, "parties": " and ".join(parties)}
            )
    if requesting_code == requested_code:
        raise ValidationFailed(_("The requesting and the requested state must differ."))
    # A bilateral agreement's implementing protocol is recorded under its first party.
    return requested_code, parties[0], notes


def agreement_deadlines(
    *,
    viewer: User | None,
    code: str,
    received: dt.date,
    procedure: str = Procedure.NORMAL,
    acknowledged: dt.date | None = None,
    accepted: dt.date | None = None,
    requested_state: str | None = None,
    requesting_state: str | None = None,
) -> DeadlineReport:
    """The deadlines of an application received on `received` under the agreement `code`.

    The rules are those in force on the day of receipt, with the protocol of the Member
    State involved overriding them. Working days and the roll-forward follow the calendar of
    the requested state. Bad input raises `ValidationFailed`; an unknown code `NotFound`.
    """
    agreement = agreement_get(viewer=viewer, code=code)
    if procedure not in Procedure.ALL:
        raise ValidationFailed(
            _("Unknown procedure %(procedure)r: use normal or accelerated.")
            % {"procedure": procedure},
            fields={"procedure": [_("Use normal or accelerated.")]},
        )
    country, member_state, notes = _requested_state(
        agreement, requested_state, requesting_state, received
    )
    rules = rules_on(agreement, on=received, member_state=member_state)
    try:
        report = compute_deadlines(
            agreement=agreement.code,
            rules=rules,
            received=received,
            country=country,
            procedure=procedure,
            acknowledged=acknowledged,
            accepted=accepted,
        )
    except CalendarError as exc:
        raise ValidationFailed(str(exc), code="calendar_error") from None
    protocol = _in_force_protocol(agreement, member_state, received)
    report.context = {
        "requested_state": country,
        "requesting_state": requesting_state.strip().upper() if requesting_state else None,
        "protocol": (f"{agreement.code} protocol {protocol.member_state_id}" if protocol else None),
    }
    why, caveats = _in_force(agreement, received)
    if why:
        report.warnings.insert(0, why)
    report.warnings[0:0] = [*caveats, *notes]
    if not agreement.is_binding:
        report.warnings.insert(
            0,
            _("%(code)s is a legally non-binding arrangement: its time limits are not enforceable.")
            % {"code": agreement.code},
        )
    return report
