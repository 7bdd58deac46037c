"""Writes to the agreements registry: edits, the JSON import and the reference loader.

Every write checks `Capability.MANAGE_AGREEMENTS` (`actor=None` is the operator at the
server's command line), runs in one transaction and writes its audit entry
(`agreements.<entity>.<verb>`) in that transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import Authority, State
from readmit.agreements.choices import Category, Establishes, EvidenceClass
from readmit.agreements.models import (
    Agreement,
    AgreementExclusion,
    AgreementPhase,
    AgreementRule,
    BorderCrossingPoint,
    EvidenceType,
    ImplementingProtocol,
    ProtocolAuthority,
    ProtocolRule,
)
from readmit.agreements.registry_io import agreement_to_dict, registry_parse, with_children
from readmit.agreements.validation import check_confidence, check_dates, check_languages, check_rule
from readmit.audit.services import audit_record
from readmit.core.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from readmit.accounts.models import User

REGISTRY_FILE = Path(__file__).resolve().parent / "data" / "registry.json"


def _check_actor(actor: User | None) -> None:
    if actor is not None:
        require(actor, Capability.MANAGE_AGREEMENTS)


def _locked(code: str) -> Agreement:
    try:
        return Agreement.objects.select_for_update().get(code=code)
    except Agreement.DoesNotExist:
        raise NotFound(_("No agreement has the code %(code)s.") % {"code": code}) from None


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


# --------------------------------------------------------------------------------------
# Editing one agreement
# --------------------------------------------------------------------------------------

_EDITABLE = (
    "title", "signed", "entry_into_force", "end", "legal_reference", "dates_source",
    "dates_confidence", "covers_own_nationals", "covers_third_country_nationals",
    "covers_stateless_persons", "covers_transit", "languages", "notes",
)  # fmt: skip


@transaction.atomic
def agreement_update(*, actor: User | None, code: str, **values: Any) -> Agreement:
    """Change an agreement's own fields (not its code, kind or parties: those are its identity)."""
    _check_actor(actor)
    unknown = sorted(set(values) - set(_EDITABLE))
    if unknown:
        raise ValidationFailed(_("These fields cannot be edited: %s.") % ", ".join(unknown))
    agreement = _locked(code)
    merged = {name: values.get(name, getattr(agreement, name)) for name in _EDITABLE}
    problems: dict[str, list[str]] = dict(
        check_dates(
            signed=merged["signed"], entry_into_force=merged["entry_into_force"], end=merged["end"]
        )
    )
    if not str(merged["title"]).strip():
        problems["title"] = [_("Enter the title.")]
    if messages := check_confidence(merged["dates_confidence"]):
        problems["dates_confidence"] = messages
    if messages := check_languages(merged["languages"]):
        problems["languages"] = messages
    if problems:
        raise ValidationFailed(_("The agreement was not changed."), fields=problems)
    changes: dict[str, Any] = {}
    for name, value in merged.items():
        old = getattr(agreement, name)
        if old != value:
            changes[name] = [old, value]
            setattr(agreement, name, value)
    if not changes:
        return agreement
    agreement.save()
    audit_record(
        actor=actor,
        action="agreements.agreement.updated",
        obj=agreement,
        changes={"code": agreement.code, **changes},
    )
    return agreement


def _protocol(agreement: Agreement, member_state: str | None) -> ImplementingProtocol | None:
    if member_state is None:
        return None
    protocol = agreement.protocols.filter(member_state_id=member_state).first()
    if protocol is None:
        raise NotFound(
            _("%(code)s has no implementing protocol of %(state)s.")
            % {"code": agreement.code, "state": member_state}
        )
    return protocol


@transaction.atomic
def rule_set(
    *,
    actor: User | None,
    code: str,
    key: str,
    valid_from: dt.date,
    value: int | bool,
    unit: str,
    clock_start: str = "",
    source: str,
    confidence: str,
    note: str = "",
    member_state: str | None = None,
) -> AgreementRule | ProtocolRule:
    """Create or change the version of a rule that applies from `valid_from`.

    With `member_state`, the rule is that Member State's protocol override.
    """
    _check_actor(actor)
    agreement = _locked(code)
    protocol = _protocol(agreement, member_state)
    problems = check_rule(
        key=key,
        value=value,
        unit=unit,
        clock_start=clock_start,
        source=source,
        confidence=confidence,
    )
    if problems:
        raise ValidationFailed(_("The rule was not saved."), fields=problems)
    stored = int(value)
    owner: dict[str, Any] = {"protocol": protocol} if protocol else {"agreement": agreement}
    model: type[AgreementRule] | type[ProtocolRule] = ProtocolRule if protocol else AgreementRule
    rule = model.objects.filter(**owner, key=key, valid_from=valid_from).first()
    fields = {
        "value": stored,
        "unit": unit,
        "clock_start": clock_start or "",
        "source": source.strip(),
        "confidence": confidence,
        "note": note.strip(),
    }
    if rule is None:
        rule = model.objects.create(**owner, key=key, valid_from=valid_from, **fields)
        verb, changes = "created", dict(fields)
    else:
        changes = {k: [getattr(rule, k), v] for k, v in fields.items() if getattr(rule, k) != v}
        if not changes:
            return rule
        for name, value_ in fields.items():
            setattr(rule, name, value_)
        rule.save()
        verb = "updated"
    audit_record(
        actor=actor,
        action=f"agreements.rule.{verb}",
        obj=agreement,
        changes={
            "code": agreement.code,
            "member_state": member_state,
            "rule": key,
            "valid_from": valid_from,
            **changes,
        },
    )
    return rule


@transaction.atomic
def rule_remove(
    *,
    actor: User | None,
    code: str,
    key: str,
    valid_from: dt.date,
    member_state: str | None = None,
) -> None:
    _check_actor(actor)
    agreement = _locked(code)
    protocol = _protocol(agreement, member_state)
    rules = (protocol.rules if protocol else agreement.rules).filter(key=key, valid_from=valid_from)
    rule = rules.first()
    if rule is None:
        raise NotFound(
            _("%(code)s has no %(key)s rule valid from %(day)s.")
            % {"code": code, "key": key, "day": valid_from.isoformat()}
        )
    removed = {
        "value": rule.typed_value,
        "unit": rule.unit,
        "source": rule.source,
        "confidence": rule.confidence,
    }
    rule.delete()
    audit_record(
        actor=actor,
        action="agreements.rule.removed",
        obj=agreement,
        changes={
            "code": code,
            "member_state": member_state,
            "rule": key,
            "valid_from": valid_from,
            "removed": removed,
        },
    )


@transaction.atomic
def evidence_set(
    *,
    actor: User | None,
    code: str,
    evidence_code: str,
    label: str,
    evidence_class: str,
    establishes: str,
    expired_counts: bool,
    copy_counts: bool,
    copy_must_be_authenticated: bool,
    source: str,
    confidence: str,
) -> EvidenceType:
    """Create or change one means of evidence in the agreement's catalogue."""
    _check_actor(actor)
    agreement = _locked(code)
    problems: dict[str, list[str]] = {}
    if not evidence_code.strip():
        problems["evidence_code"] = [_("Enter a code.")]
    if not label.strip():
        problems["label"] = [_("Enter the label.")]
    if evidence_class not in EvidenceClass.values:
        problems["evidence_class"] = [
            _("Choose proof, prima facie evidence or verification trigger.")
        ]
    if establishes not in Establishes.values:
        problems["establishes"] = [_("Choose nationality or third-country-national conditions.")]
    if copy_must_be_authenticated and not copy_counts:
        problems["copy_must_be_authenticated"] = [
            _("A copy cannot need authentication when copies do not count.")
        ]
    if not source.strip():
        problems["source"] = [
            _("Every means of evidence needs its source (annex of the agreement).")
        ]
    if messages := check_confidence(confidence):
        problems["confidence"] = messages
    if problems:
        raise ValidationFailed(_("The means of evidence was not saved."), fields=problems)
    fields = {
        "label": label.strip(),
        "evidence_class": evidence_class,
        "establishes": establishes,
        "expired_counts": expired_counts,
        "copy_counts": copy_counts,
        "copy_must_be_authenticated": copy_must_be_authenticated,
        "source": source.strip(),
        "confidence": confidence,
    }
    item = agreement.evidence.filter(code=evidence_code.strip()).first()
    if item is None:
        item = EvidenceType.objects.create(
            agreement=agreement, code=evidence_code.strip(), **fields
        )
        verb, changes = "created", dict(fields)
    else:
        changes = {k: [getattr(item, k), v] for k, v in fields.items() if getattr(item, k) != v}
        if not changes:
            return item
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
        verb = "updated"
    audit_record(
        actor=actor,
        action=f"agreements.evidence.{verb}",
        obj=agreement,
        changes={"code": code, "evidence": item.code, **changes},
    )
    return item


@transaction.atomic
def evidence_remove(*, actor: User | None, code: str, evidence_code: str) -> None:
    _check_actor(actor)
    agreement = _locked(code)
    item = agreement.evidence.filter(code=evidence_code).first()
    if item is None:
        raise NotFound(
            _("%(code)s has no means of evidence %(evidence)s.")
            % {"code": code, "evidence": evidence_code}
        )
    item.delete()
    audit_record(
        actor=actor,
        action="agreements.evidence.removed",
        obj=agreement,
        changes={"code": code, "evidence": evidence_code, "label": item.label},
    )


# --------------------------------------------------------------------------------------
# The whole registry: import and the reference loader
# --------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{len(self.created)} agreements created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )
        if self.not_in_file:
            text += f" Not in the file (left as they are): {', '.join(self.not_in_file)}."
        return text


def _identity(key: str, item: Mapping[str, Any]) -> str:
    """How a list entry is named in the audit trail's summary of changes."""
    if key in ("rules",):
        return f"{item['rule']}@{item['valid_from']}"
    for name in ("code", "clause", "state", "member_state", "name", "authority"):
        if name in item:
            return str(item[name])
    return str(item)


def _is_records(value: object) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, value in new.items():
        before = old.get(key)
        if before == value:
            continue
        if _is_records(value) or _is_records(before):
            old_items = {_identity(key, x): x for x in before or []}
            new_items = {_identity(key, x): x for x in value or []}
            changes[key] = {
                "added": sorted(set(new_items) - set(old_items)),
                "removed": sorted(set(old_items) - set(new_items)),
                "changed": sorted(
                    k for k in set(old_items) & set(new_items) if old_items[k] != new_items[k]
                ),
            }
        else:
            changes[key] = [before, value]
    return changes


def _states(codes: set[str]) -> dict[str, State]:
    return {s.code: s for s in State.objects.filter(code__in=codes)}


def _write_rules(model: Any, owner: dict[str, Any], rules: list[dict[str, Any]]) -> None:
    model.objects.bulk_create(
        [
            model(
                **owner,
                key=r["rule"],
                valid_from=_day(r["valid_from"]),
                value=int(r["value"]),
                unit=r["unit"],
                clock_start=r["clock_start"] or "",
                source=r["source"],
                confidence=r["confidence"],
                note=r["note"],
            )
            for r in rules
        ]
    )


def _write(agreement: Agreement | None, data: dict[str, Any]) -> Agreement:
    """Create or overwrite one agreement and replace all its children with the file's."""
    parties = data["parties"]
    states = _states(
        {p for p in parties if p != "EU"}
        | {e["state"] for e in data["excluded_member_states"]}
        | {p["member_state"] for p in data["protocols"]}
        | {b["state"] for p in data["protocols"] for b in p["border_crossing_points"]}
    )
    fields = {
        "title": data["title"],
        "kind": data["kind"],
        "first_party": None if parties[0] == "EU" else states[parties[0]],
        "partner": states[parties[1]],
        "signed": _date(data["signed"]),
        "entry_into_force": _date(data["entry_into_force"]),
        "end": _date(data["end"]),
        "legal_reference": data["legal_reference"],
        "dates_source": data["dates_source"],
        "dates_confidence": data["dates_confidence"],
        "languages": list(data["languages"]),
        "notes": data["notes"],
        **{f"covers_{c.value}": data["scope"][c.value] for c in Category},
    }
    if agreement is None:
        agreement = Agreement.objects.create(code=data["code"], **fields)
    else:
        for name, value in fields.items():
            setattr(agreement, name, value)
        agreement.save()
        # Children are replaced wholesale: the file is the registry.
        agreement.exclusions.all().delete()
        agreement.phases.all().delete()
        agreement.rules.all().delete()
        agreement.evidence.all().delete()
        agreement.protocols.all().delete()
    AgreementExclusion.objects.bulk_create(
        [
            AgreementExclusion(
                agreement=agreement,
                state=states[e["state"]],
                source=e["source"],
                confidence=e["confidence"],
                note=e["note"],
            )
            for e in data["excluded_member_states"]
        ]
    )
    AgreementPhase.objects.bulk_create(
        [
            AgreementPhase(
                agreement=agreement,
                clause=p["clause"],
                applies_from=_day(p["applies_from"]),
                note=p["note"],
                source=p["source"],
                confidence=p["confidence"],
            )
            for p in data["phases"]
        ]
    )
    _write_rules(AgreementRule, {"agreement": agreement}, data["rules"])
    EvidenceType.objects.bulk_create(
        [
            EvidenceType(
                agreement=agreement,
                code=e["code"],
                label=e["label"],
                evidence_class=e["class"],
                establishes=e["establishes"],
                expired_counts=e["expired_counts"],
                copy_counts=e["copy_counts"],
                copy_must_be_authenticated=e["copy_must_be_authenticated"],
                source=e["source"],
                confidence=e["confidence"],
            )
            for e in data["evidence"]
        ]
    )
    authorities = {
        a.code: a
        for a in Authority.objects.filter(
            code__in={x["authority"] for p in data["protocols"] for x in p["authorities"]}
        )
    }
    for p in data["protocols"]:
        protocol = ImplementingProtocol.objects.create(
            agreement=agreement,
            member_state=states[p["member_state"]],
            title=p["title"],
            signed=_date(p["signed"]),
            entry_into_force=_date(p["entry_into_force"]),
            end=_date(p["end"]),
            legal_reference=p["legal_reference"],
            source=p["source"],
            confidence=p["confidence"],
            languages=list(p["languages"]),
            notes=p["notes"],
        )
        _write_rules(ProtocolRule, {"protocol": protocol}, p["rules"])
        ProtocolAuthority.objects.bulk_create(
            [
                ProtocolAuthority(
                    protocol=protocol,
                    authority=authorities[x["authority"]],
                    function=x["function"],
                    note=x["note"],
                )
                for x in p["authorities"]
            ]
        )
        BorderCrossingPoint.objects.bulk_create(
            [
                BorderCrossingPoint(
                    protocol=protocol,
                    name=b["name"],
                    state=states[b["state"]],
                    kind=b["kind"],
                    source=b["source"],
                    confidence=b["confidence"],
                    note=b["note"],
                )
                for b in p["border_crossing_points"]
            ]
        )
    return agreement


@transaction.atomic
def registry_import(
    *, actor: User | None, text: str | bytes, source_name: str = ""
) -> ImportResult:
    """Make the registry match a JSON document: every agreement in it is created or replaced.

    The whole document is validated first; on any problem nothing is saved and the error
    lists every problem. Agreements that are not in the file are left as they are (other
    records may refer to them) and named in the result. Unchanged agreements are not
    touched and not audited, so importing the same file twice changes nothing.
    """
    _check_actor(actor)
    incoming = registry_parse(text)
    existing = {
        a.code: a
        for a in with_children(
            Agreement.objects.select_for_update().filter(code__in=[d["code"] for d in incoming])
        )
    }
    result = ImportResult()
    for data in incoming:
        agreement = existing.get(data["code"])
        if agreement is None:
            agreement = _write(None, data)
            result.created.append(data["code"])
            changes: dict[str, Any] = {
                "code": data["code"],
                "rules": len(data["rules"]),
                "evidence": len(data["evidence"]),
                "protocols": len(data["protocols"]),
            }
            verb = "created"
        else:
            before = agreement_to_dict(agreement)
            if before == data:
                result.unchanged.append(data["code"])
                continue
            changes = {"code": data["code"], **_diff(before, data)}
            agreement = _write(agreement, data)
            result.updated.append(data["code"])
            verb = "updated"
        audit_record(
            actor=actor,
            action=f"agreements.agreement.{verb}",
            obj=agreement,
            changes=changes,
            reason=_("Imported from %(name)s.") % {"name": source_name or _("a registry file")},
        )
    result.not_in_file = sorted(
        Agreement.objects.exclude(code__in=[d["code"] for d in incoming]).values_list(
            "code", flat=True
        )
    )
    if result.created or result.updated:
        audit_record(
            actor=actor,
            action="agreements.registry.imported",
            object_type="agreements.registry",
            changes={
                "source": source_name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": len(result.unchanged),
            },
        )
    return result


def agreements_load(*, actor: User | None = None) -> ImportResult:
    """Load the reference registry shipped with Readmit (data/registry.json). Idempotent."""
    return registry_import(
        actor=actor,
        text=REGISTRY_FILE.read_bytes(),
        source_name="the reference registry (readmit/agreements/data/registry.json)",
    )
