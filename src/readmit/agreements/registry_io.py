"""The registry as one JSON document: export, and the validation half of the import.

Format `readmit-agreements/2` (docs/deadlines.md describes every key):

    {"format": "readmit-agreements/2", "agreements": [{agreement}, ...]}

The export is deterministic (agreements by code, rules by key and valid-from date, evidence
and other lists by their identifying key, a fixed key order, 2-space indent, a trailing
newline), so export → import → export is byte-identical and the packaged seed file
`data/registry.json` is itself an export.

`registry_parse` checks a whole document against the database's states and authorities
and returns it in the export's canonical shape, or raises `ValidationFailed` listing every
problem; it writes nothing (the writing is `services.registry_import`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import ngettext

from readmit.accounts.models import Authority, State
from readmit.agreements.choices import (
    EU_KINDS,
    AgreementKind,
    AuthorityFunction,
    Category,
    CrossingKind,
    Establishes,
    EvidenceClass,
)
from readmit.agreements.models import (
    CODE_PATTERN,
    Agreement,
    AgreementRule,
    ImplementingProtocol,
    ProtocolAuthority,
)
from readmit.agreements.validation import (
    check_confidence,
    check_dates,
    check_languages,
    check_rule,
)
from readmit.core.errors import ValidationFailed

FORMAT = "readmit-agreements/2"
# Format 1 (the first seed file) is format 2 without excluded_member_states and protocols.
FORMAT_1 = "readmit-agreements/1"
MAX_PROBLEMS = 200

_CODE_RE = re.compile(CODE_PATTERN)
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")

AGREEMENT_KEYS = (
    "code", "title", "kind", "parties", "excluded_member_states", "signed", "entry_into_force",
    "end", "legal_reference", "dates_source", "dates_confidence", "scope", "phases", "languages",
    "rules", "evidence", "protocols", "notes",
)  # fmt: skip
FORMAT_2_ONLY = ("excluded_member_states", "protocols")
RULE_KEYS = ("rule", "value", "unit", "clock_start", "valid_from", "source", "confidence", "note")
EVIDENCE_KEYS = (
    "code", "label", "class", "establishes", "expired_counts", "copy_counts",
    "copy_must_be_authenticated", "source", "confidence",
)  # fmt: skip
PHASE_KEYS = ("clause", "applies_from", "note", "source", "confidence")
EXCLUSION_KEYS = ("state", "source", "confidence", "note")
PROTOCOL_KEYS = (
    "member_state", "title", "signed", "entry_into_force", "end", "legal_reference", "source",
    "confidence", "languages", "rules", "authorities", "border_crossing_points", "notes",
)  # fmt: skip
AUTHORITY_KEYS = ("authority", "function", "note")
CROSSING_KEYS = ("name", "state", "kind", "source", "confidence", "note")
SCOPE_KEYS = tuple(c.value for c in Category)


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _rule_dict(rule: Any) -> dict[str, Any]:
    return {
        "rule": rule.key,
        "value": rule.typed_value,
        "unit": rule.unit,
        "clock_start": rule.clock_start or None,
        "valid_from": rule.valid_from.isoformat(),
        "source": rule.source,
        "confidence": rule.confidence,
        "note": rule.note,
    }


def _sorted_rules(rules: Iterable[Any]) -> list[dict[str, Any]]:
    return [_rule_dict(r) for r in sorted(rules, key=lambda r: (r.key, r.valid_from))]


def _protocol_dict(protocol: ImplementingProtocol) -> dict[str, Any]:
    return {
        "member_state": protocol.member_state_id,
        "title": protocol.title,
        "signed": _iso(protocol.signed),
        "entry_into_force": _iso(protocol.entry_into_force),
        "end": _iso(protocol.end),
        "legal_reference": protocol.legal_reference,
        "source": protocol.source,
        "confidence": protocol.confidence,
        "languages": list(protocol.languages),
        "rules": _sorted_rules(protocol.rules.all()),
        "authorities": [
            {"authority": pa.authority.code, "function": pa.function, "note": pa.note}
            for pa in sorted(
                protocol.authorities.all(), key=lambda pa: (pa.function, pa.authority.code)
            )
        ],
        "border_crossing_points": [
            {
                "name": bcp.name,
                "state": bcp.state_id,
                "kind": bcp.kind,
                "source": bcp.source,
                "confidence": bcp.confidence,
                "note": bcp.note,
            }
            for bcp in sorted(protocol.crossing_points.all(), key=lambda b: b.name)
        ],
        "notes": protocol.notes,
    }


def agreement_to_dict(agreement: Agreement) -> dict[str, Any]:
    """One agreement in the export's canonical shape (expects `with_children` prefetches)."""
    return {
        "code": agreement.code,
        "title": agreement.title,
        "kind": agreement.kind,
        "parties": list(agreement.party_codes),
        "excluded_member_states": [
            {"state": e.state_id, "source": e.source, "confidence": e.confidence, "note": e.note}
            for e in sorted(agreement.exclusions.all(), key=lambda e: e.state_id)
        ],
        "signed": _iso(agreement.signed),
        "entry_into_force": _iso(agreement.entry_into_force),
        "end": _iso(agreement.end),
        "legal_reference": agreement.legal_reference,
        "dates_source": agreement.dates_source,
        "dates_confidence": agreement.dates_confidence,
        "scope": agreement.scope,
        "phases": [
            {
                "clause": p.clause,
                "applies_from": p.applies_from.isoformat(),
                "note": p.note,
                "source": p.source,
                "confidence": p.confidence,
            }
            for p in sorted(agreement.phases.all(), key=lambda p: p.clause)
        ],
        "languages": list(agreement.languages),
        "rules": _sorted_rules(agreement.rules.all()),
        "evidence": [
            {
                "code": e.code,
                "label": e.label,
                "class": e.evidence_class,
                "establishes": e.establishes,
                "expired_counts": e.expired_counts,
                "copy_counts": e.copy_counts,
                "copy_must_be_authenticated": e.copy_must_be_authenticated,
                "source": e.source,
                "confidence": e.confidence,
            }
            for e in sorted(agreement.evidence.all(), key=lambda e: e.code)
        ],
        "protocols": [
            _protocol_dict(p)
            for p in sorted(agreement.protocols.all(), key=lambda p: p.member_state_id)
        ],
        "notes": agreement.notes,
    }


def with_children(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return queryset.prefetch_related(
        "exclusions",
        "phases",
        Prefetch("rules", queryset=AgreementRule.objects.order_by("key", "valid_from")),
        "evidence",
        Prefetch(
            "protocols",
            queryset=ImplementingProtocol.objects.select_related("member_state").prefetch_related(
                "rules",
                "crossing_points",
                Prefetch(
                    "authorities", queryset=ProtocolAuthority.objects.select_related("authority")
                ),
            ),
        ),
    )


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def registry_export(queryset: QuerySet[Agreement] | None = None) -> str:
    agreements = with_children(queryset if queryset is not None else Agreement.objects.all())
    return dump(
        {
            "format": FORMAT,
            "agreements": [agreement_to_dict(a) for a in agreements.order_by("code")],
        }
    )


# --------------------------------------------------------------------------------------
# Import: parse and validate, write nothing
# --------------------------------------------------------------------------------------


class _Checker:
    """Walks a document, collecting problems with their place ("EU-RS rules[2]: ...")."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        states = State.objects.values_list("code", "eu_accession")
        self.states = dict(states)
        self.authorities = set(Authority.objects.values_list("code", flat=True))

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def fields(self, where: str, obj: object, keys: tuple[str, ...]) -> bool:
        if not isinstance(obj, dict):
            self.add(where, "must be a JSON object.")
            return False
        missing = [k for k in keys if k not in obj]
        unknown = sorted(set(obj) - set(keys))
        if missing:
            self.add(where, f"missing {', '.join(missing)}.")
        if unknown:
            self.add(where, f"unknown key {', '.join(unknown)}.")
        return not missing

    def text(self, where: str, obj: dict[str, Any], key: str, *, required: bool = False) -> None:
        value = obj.get(key)
        if not isinstance(value, str):
            self.add(where, f"{key} must be text.")
        elif required and not value.strip():
            self.add(where, f"{key} must not be empty.")

    def date(
        self, where: str, obj: dict[str, Any], key: str, *, required: bool = False
    ) -> dt.date | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        if isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and len(value) == 10:
                return parsed
        self.add(
            where,
            f"{key} must be a date YYYY-MM-DD{'' if required else ' or null'}, not {value!r}.",
        )
        return None

    def flag(self, where: str, obj: dict[str, Any], key: str) -> None:
        if not isinstance(obj.get(key), bool):
            self.add(where, f"{key} must be true or false.")

    def choice(self, where: str, obj: dict[str, Any], key: str, choices: Any) -> None:
        if obj.get(key) not in choices.values:
            self.add(where, f"{key} {obj.get(key)!r} is not one of {', '.join(choices.values)}.")

    def confidence(self, where: str, obj: dict[str, Any], key: str = "confidence") -> None:
        for message in check_confidence(obj.get(key)):
            self.add(where, message)

    def state(self, where: str, code: object) -> bool:
        if not isinstance(code, str) or code not in self.states:
            self.add(where, f"unknown state {code!r} (ISO 3166-1 alpha-2).")
            return False
        return True

    def items(self, where: str, obj: dict[str, Any], key: str) -> list[Any]:
        value = obj.get(key)
        if not isinstance(value, list):
            self.add(where, f"{key} must be a list.")
            return []
        return value

    def unique(self, where: str, values: list[Any], what: str) -> None:
        seen: set[Any] = set()
        for value in values:
            if value in seen:
                self.add(where, f"{what} {value!r} appears twice.")
            seen.add(value)

    # --- the parts of an agreement --------------------------------------------------

    def rules(self, where: str, rules: list[Any]) -> None:
        versions = []
        for i, rule in enumerate(rules):
            at = f"{where} rules[{i}]"
            if not self.fields(at, rule, RULE_KEYS):
                continue
            problems = check_rule(
                key=rule["rule"],
                value=rule["value"],
                unit=rule["unit"],
                clock_start=rule["clock_start"],
                source=rule["source"],
                confidence=rule["confidence"],
            )
            for messages in problems.values():
                for message in messages:
                    self.add(f"{at} ({rule.get('rule')})", message)
            if rule["clock_start"] == "":
                self.add(at, "clock_start must be null rather than empty.")
            self.date(at, rule, "valid_from", required=True)
            self.text(at, rule, "note")
            versions.append((rule["rule"], rule["valid_from"]))
        self.unique(where, versions, "Rule version")

    def agreement(self, where: str, a: dict[str, Any], format_: str) -> None:
        keys = (
            AGREEMENT_KEYS
            if format_ == FORMAT
            else tuple(k for k in AGREEMENT_KEYS if k not in FORMAT_2_ONLY)
        )
        if not self.fields(where, a, keys):
            return
        code, kind = a["code"], a["kind"]
        if not isinstance(code, str) or not _CODE_RE.match(code):
            self.add(where, f"code {code!r} must look like EU-XX or XX-YY.")
        self.choice(where, a, "kind", AgreementKind)
        self.text(where, a, "title", required=True)
        for key in ("legal_reference", "dates_source", "notes"):
            self.text(where, a, key)
        self.confidence(where, a, "dates_confidence")
        parties = a["parties"]
        is_eu = kind in EU_KINDS
        if not (isinstance(parties, list) and len(parties) == 2):
            self.add(where, "parties must be a list of two codes.")
        elif is_eu:
            if parties[0] != "EU":
                self.add(where, "the first party of an EU instrument is 'EU'.")
            if self.state(where, parties[1]):
                if self.states[parties[1]] is not None:
                    self.add(where, f"the partner {parties[1]} is an EU Member State.")
                if isinstance(code, str) and code != f"EU-{parties[1]}":
                    self.add(where, f"code {code!r} should be EU-{parties[1]} for these parties.")
        else:
            if parties[0] == parties[1]:
                self.add(where, "the two parties must differ.")
            if all(self.state(where, p) for p in parties) and code != f"{parties[0]}-{parties[1]}":
                self.add(where, f"code {code!r} should be {parties[0]}-{parties[1]}.")
        signed = self.date(where, a, "signed")
        in_force = self.date(where, a, "entry_into_force")
        end = self.date(where, a, "end")
        for messages in check_dates(signed=signed, entry_into_force=in_force, end=end).values():
            for message in messages:
                self.add(where, message)
        scope = a["scope"]
        if self.fields(f"{where} scope", scope, SCOPE_KEYS):
            for key in SCOPE_KEYS:
                self.flag(f"{where} scope", scope, key)
        for message in check_languages(a["languages"]):
            self.add(where, message)

        phases = self.items(where, a, "phases")
        for i, phase in enumerate(phases):
            at = f"{where} phases[{i}]"
            if self.fields(at, phase, PHASE_KEYS):
                self.choice(at, phase, "clause", Category)
                self.date(at, phase, "applies_from", required=True)
                self.text(at, phase, "source", required=True)
                self.text(at, phase, "note")
                self.confidence(at, phase)
        self.unique(where, [p.get("clause") for p in phases if isinstance(p, dict)], "Phase")

        self.rules(where, self.items(where, a, "rules"))

        evidence = self.items(where, a, "evidence")
        for i, item in enumerate(evidence):
            at = f"{where} evidence[{i}]"
            if not self.fields(at, item, EVIDENCE_KEYS):
                continue
            if not isinstance(item["code"], str) or not _SLUG_RE.match(item["code"]):
                self.add(at, f"code {item['code']!r} must be letters, digits, - or _.")
            self.text(at, item, "label", required=True)
            self.text(at, item, "source", required=True)
            self.choice(at, item, "class", EvidenceClass)
            self.choice(at, item, "establishes", Establishes)
            for key in ("expired_counts", "copy_counts", "copy_must_be_authenticated"):
                self.flag(at, item, key)
            if item["copy_must_be_authenticated"] is True and item["copy_counts"] is not True:
                self.add(at, "a copy cannot need authentication when copies do not count.")
            self.confidence(at, item)
        self.unique(where, [e.get("code") for e in evidence if isinstance(e, dict)], "Evidence")

        if format_ != FORMAT:
            return
        exclusions = self.items(where, a, "excluded_member_states")
        if exclusions and not is_eu:
            self.add(where, "only an EU instrument can exclude Member States.")
        for i, item in enumerate(exclusions):
            at = f"{where} excluded_member_states[{i}]"
            if self.fields(at, item, EXCLUSION_KEYS) and self.state(at, item["state"]):
                if self.states[item["state"]] is None:
                    self.add(at, f"{item['state']} has never been an EU Member State.")
                self.text(at, item, "source", required=True)
                self.text(at, item, "note")
                self.confidence(at, item)
        self.unique(
            where, [e.get("state") for e in exclusions if isinstance(e, dict)], "Excluded state"
        )

        protocols = self.items(where, a, "protocols")
        for i, protocol in enumerate(protocols):
            self.protocol(f"{where} protocols[{i}]", protocol, parties if not is_eu else None)
        self.unique(
            where,
            [p.get("member_state") for p in protocols if isinstance(p, dict)],
            "Protocol of",
        )

    def protocol(self, at: str, p: object, bilateral_parties: list[Any] | None) -> None:
        if not self.fields(at, p, PROTOCOL_KEYS):
            return
        assert isinstance(p, dict)
        state = p["member_state"]
        if self.state(at, state):
            if bilateral_parties is None and self.states[state] is None:
                self.add(at, f"{state} has never been an EU Member State.")
            if bilateral_parties is not None and state != bilateral_parties[0]:
                self.add(at, "a bilateral agreement's protocol is recorded under its first party.")
        self.text(at, p, "title", required=True)
        self.text(at, p, "source", required=True)
        for key in ("legal_reference", "notes"):
            self.text(at, p, key)
        self.confidence(at, p)
        signed = self.date(at, p, "signed")
        in_force = self.date(at, p, "entry_into_force")
        end = self.date(at, p, "end")
        for messages in check_dates(signed=signed, entry_into_force=in_force, end=end).values():
            for message in messages:
                self.add(at, message)
        for message in check_languages(p["languages"]):
            self.add(at, message)
        self.rules(at, self.items(at, p, "rules"))
        authorities = self.items(at, p, "authorities")
        for i, item in enumerate(authorities):
            where = f"{at} authorities[{i}]"
            if self.fields(where, item, AUTHORITY_KEYS):
                if item["authority"] not in self.authorities:
                    self.add(where, f"unknown authority {item['authority']!r}.")
                self.choice(where, item, "function", AuthorityFunction)
                self.text(where, item, "note")
        self.unique(
            at,
            [(x.get("authority"), x.get("function")) for x in authorities if isinstance(x, dict)],
            "Authority and function",
        )
        points = self.items(at, p, "border_crossing_points")
        for i, item in enumerate(points):
            where = f"{at} border_crossing_points[{i}]"
            if self.fields(where, item, CROSSING_KEYS):
                self.text(where, item, "name", required=True)
                self.state(where, item["state"])
                self.choice(where, item, "kind", CrossingKind)
                self.text(where, item, "source", required=True)
                self.text(where, item, "note")
                self.confidence(where, item)
        self.unique(
            at, [x.get("name") for x in points if isinstance(x, dict)], "Border crossing point"
        )


def _canonical(a: dict[str, Any]) -> dict[str, Any]:
    """The agreement in the export's key order with its lists sorted as the export sorts them."""

    def rules(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {k: r[k] for k in RULE_KEYS}
            for r in sorted(items, key=lambda r: (r["rule"], r["valid_from"]))
        ]

    out: dict[str, Any] = {}
    for key in AGREEMENT_KEYS:
        value = a.get(key, [])
        if key == "rules":
            value = rules(value)
        elif key == "phases":
            value = [
                {k: p[k] for k in PHASE_KEYS} for p in sorted(value, key=lambda p: p["clause"])
            ]
        elif key == "evidence":
            value = [
                {k: e[k] for k in EVIDENCE_KEYS} for e in sorted(value, key=lambda e: e["code"])
            ]
        elif key == "excluded_member_states":
            value = [
                {k: e[k] for k in EXCLUSION_KEYS} for e in sorted(value, key=lambda e: e["state"])
            ]
        elif key == "scope":
            value = {k: value[k] for k in SCOPE_KEYS}
        elif key == "protocols":
            value = [
                {
                    **{k: p[k] for k in PROTOCOL_KEYS},
                    "rules": rules(p["rules"]),
                    "authorities": [
                        {k: x[k] for k in AUTHORITY_KEYS}
                        for x in sorted(
                            p["authorities"], key=lambda x: (x["function"], x["authority"])
                        )
                    ],
                    "border_crossing_points": [
                        {k: x[k] for k in CROSSING_KEYS}
                        for x in sorted(p["border_crossing_points"], key=lambda x: x["name"])
                    ],
                }
                for p in sorted(value, key=lambda p: p["member_state"])
            ]
        out[key] = value
    return out


def registry_parse(text: str | bytes) -> list[dict[str, Any]]:
    """The agreements of a registry document, validated and in canonical shape.

    Raises `ValidationFailed` with every problem found (up to MAX_PROBLEMS) in
    `fields["file"]`; nothing is written either way.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refused(["The file is not UTF-8 text."]) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refused(
            [f"The file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."]
        ) from None
    if not isinstance(document, dict):
        raise _refused(["The file must hold one JSON object with 'format' and 'agreements'."])
    format_ = document.get("format")
    if format_ not in (FORMAT, FORMAT_1):
        raise _refused(
            [f"Unknown format {format_!r}: this version of Readmit reads {FORMAT} and {FORMAT_1}."]
        )
    checker = _Checker()
    checker.fields("", document, ("format", "agreements"))
    agreements = document.get("agreements")
    if not isinstance(agreements, list):
        raise _refused([*checker.problems, "'agreements' must be a list."])
    for i, agreement in enumerate(agreements):
        label = agreement.get("code") if isinstance(agreement, dict) else None
        checker.agreement(
            f"agreements[{i}]{f' {label}' if isinstance(label, str) else ''}", agreement, format_
        )
    checker.unique(
        "agreements", [a.get("code") for a in agreements if isinstance(a, dict)], "Agreement code"
    )
    if checker.problems:
        raise _refused(checker.problems)
    return [_canonical(a) for a in sorted(agreements, key=lambda a: a["code"])]


def _refused(problems: list[str]) -> ValidationFailed:
    shown = problems[:MAX_PROBLEMS]
    more = len(problems) - MAX_PROBLEMS
    if more > 0:
        shown.append(
            ngettext("… and %(n)d more problem.", "… and %(n)d more problems.", more) % {"n": more}
        )
    count = len(problems)
    return ValidationFailed(
        ngettext(
            "The registry file was not imported: %(n)d problem found. Nothing was changed.",
            "The registry file was not imported: %(n)d problems found. Nothing was changed.",
            count,
        )
        % {"n": count},
        code="registry_invalid",
        fields={"file": shown},
    )
