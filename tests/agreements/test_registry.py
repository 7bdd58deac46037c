"""The registry: completeness of the seed, JSON export and import, the reference loader."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from readmit.agreements.models import Agreement, AgreementRule, EvidenceType
from readmit.agreements.registry_io import FORMAT, registry_export, registry_parse
from readmit.agreements.services import REGISTRY_FILE, agreements_load, registry_import
from readmit.audit.models import AuditEntry
from readmit.core.errors import ValidationFailed

D = dt.date

EU_AGREEMENTS = {
    "EU-HK", "EU-MO", "EU-LK", "EU-AL", "EU-RU", "EU-UA", "EU-MK", "EU-BA", "EU-ME", "EU-RS",
    "EU-MD", "EU-PK", "EU-GE", "EU-AM", "EU-AZ", "EU-TR", "EU-CV", "EU-BY",
}  # fmt: skip
EU_ARRANGEMENTS = {"EU-AF", "EU-GN", "EU-BD", "EU-ET", "EU-GM", "EU-CI"}
BILATERAL = {"CH-AZ", "NO-AZ", "ME-AZ", "NO-PK"}

# (signature, entry into force) as DOMAIN.md §1.1/§1.19 and seed 001 give them; None where
# only a year or a month is known (the registry does not invent a day).
DATES = {
    "EU-AZ": (D(2014, 2, 28), D(2014, 9, 1)),
    "EU-TR": (D(2013, 12, 16), D(2014, 10, 1)),
    "EU-BY": (D(2020, 1, 8), D(2020, 7, 1)),
    "EU-AM": (D(2013, 4, 19), D(2014, 1, 1)),
    "EU-GE": (None, D(2011, 3, 1)),
    "EU-PK": (D(2009, 10, 26), None),
    **{
        code: (None, D(2008, 1, 1))
        for code in ("EU-UA", "EU-MK", "EU-BA", "EU-ME", "EU-RS", "EU-MD")
    },
    **dict.fromkeys(("EU-HK", "EU-MO", "EU-LK", "EU-AL", "EU-RU", "EU-CV"), (None, None)),
    "CH-AZ": (D(2016, 10, 10), D(2017, 4, 1)),
    "NO-AZ": (D(2014, 12, 3), D(2015, 6, 1)),
    "ME-AZ": (D(2017, 4, 27), D(2017, 12, 15)),
    "NO-PK": (D(2017, 1, 25), None),
}


@pytest.mark.django_db
def test_the_registry_holds_every_instrument_of_the_issue() -> None:
    kinds = dict(Agreement.objects.values_list("code", "kind"))
    assert {c for c, k in kinds.items() if k == "eu_agreement"} == EU_AGREEMENTS
    assert {c for c, k in kinds.items() if k == "eu_arrangement"} == EU_ARRANGEMENTS
    assert {c for c, k in kinds.items() if k == "bilateral"} == BILATERAL
    assert len(kinds) == 28


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(DATES))
def test_the_dates_are_those_of_domain_and_the_seed_document(code: str) -> None:
    agreement = Agreement.objects.get(code=code)
    assert (agreement.signed, agreement.entry_into_force) == DATES[code]
    assert agreement.dates_source


@pytest.mark.django_db
def test_phased_clauses_and_the_danish_exclusion_are_data() -> None:
    phases = {
        (p.agreement.code, p.clause): p.applies_from
        for p in Agreement.objects.get(code="EU-TR").phases.select_related("agreement")
    }
    assert phases == {("EU-TR", "third_country_nationals"): D(2017, 10, 1)}
    assert Agreement.objects.get(code="EU-BY").phases.get().applies_from == D(2022, 7, 1)
    assert Agreement.objects.get(code="CH-AZ").phases.get().applies_from == D(2020, 4, 1)
    excluded = set(
        Agreement.objects.filter(exclusions__state_id="DK").values_list("code", flat=True)
    )
    assert excluded == EU_AGREEMENTS


@pytest.mark.django_db
def test_every_value_carries_its_source_and_confidence() -> None:
    for rule in AgreementRule.objects.all():
        assert "DOMAIN.md" in rule.source, rule
        assert rule.confidence in ("verified", "secondary", "unverified")
    for item in EvidenceType.objects.all():
        assert item.source and item.confidence
    # Pakistan's Annex 2 only starts the verification of nationality (DOMAIN.md §1.6).
    pakistan = EvidenceType.objects.filter(agreement__code="EU-PK")
    assert pakistan.filter(evidence_class="verification_trigger").count() == 17
    assert not pakistan.filter(evidence_class="prima_facie").exists()


@pytest.mark.django_db
def test_the_seed_file_is_an_export_of_itself() -> None:
    assert registry_export() == REGISTRY_FILE.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_export_import_export_is_byte_identical() -> None:
    AgreementRule.objects.filter(agreement__code="EU-RS", key="reply_period_normal").update(
        note="Edited note with ünïcödé, Azərbaycan and “quotes”."
    )
    first = registry_export()
    Agreement.objects.filter(code="EU-RS").delete()
    result = registry_import(actor=None, text=first.encode("utf-8"))
    assert result.created == ["EU-RS"]
    assert len(result.unchanged) == 27
    assert registry_export() == first
    assert first.endswith("}\n") and json.loads(first)["format"] == FORMAT


@pytest.mark.django_db
def test_loading_the_reference_registry_twice_changes_nothing() -> None:
    before = AuditEntry.objects.count()
    result = agreements_load()
    assert len(result.unchanged) == 28
    assert not result.created and not result.updated
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_an_import_that_changes_an_agreement_is_audited() -> None:
    document = json.loads(registry_export())
    serbia = next(a for a in document["agreements"] if a["code"] == "EU-RS")
    serbia["notes"] = "Changed by the test."
    serbia["rules"] = [r for r in serbia["rules"] if r["rule"] != "reply_extension_max"]
    result = registry_import(actor=None, text=json.dumps(document), source_name="test.json")
    assert result.updated == ["EU-RS"]
    entry = AuditEntry.objects.filter(action="agreements.agreement.updated").latest("seq")
    assert entry.changes["code"] == "EU-RS"
    assert entry.changes["rules"]["removed"] == ["reply_extension_max@2008-01-01"]
    assert entry.changes["notes"][1] == "Changed by the test."
    assert "test.json" in entry.reason
    assert AuditEntry.objects.filter(action="agreements.registry.imported").exists()
    assert not AgreementRule.objects.filter(
        agreement__code="EU-RS", key="reply_extension_max"
    ).exists()


def _broken_document() -> str:
    document = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    serbia = next(a for a in document["agreements"] if a["code"] == "EU-RS")
    serbia["notes"] = "This change must not be saved."
    serbia["rules"][0]["unit"] = "weeks"
    serbia["rules"][1]["value"] = -2
    serbia["rules"][2]["source"] = ""
    azerbaijan = next(a for a in document["agreements"] if a["code"] == "EU-AZ")
    azerbaijan["signed"] = "2015-01-01"  # after the entry into force 2014-09-01
    azerbaijan["entry_into_force"] = "2014-09-01"
    turkey = next(a for a in document["agreements"] if a["code"] == "EU-TR")
    turkey["parties"] = ["EU", "XX"]
    georgia = next(a for a in document["agreements"] if a["code"] == "EU-GE")
    georgia["end"] = "1 March 2030"
    return json.dumps(document, ensure_ascii=False)


@pytest.mark.django_db
def test_an_invalid_file_saves_nothing_and_lists_every_problem() -> None:
    before = registry_export()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        registry_import(actor=None, text=_broken_document())
    problems = caught.value.fields["file"]
    assert "nothing was changed" in caught.value.message.lower()
    text = "\n".join(problems)
    assert "Unit 'weeks' is not one of" in text
    assert "A period must be positive (got -2)" in text
    assert "Every legal value needs its source" in text
    assert "Entry into force (2014-09-01) cannot be before the signature (2015-01-01)" in text
    assert "unknown state 'XX'" in text
    assert "end must be a date YYYY-MM-DD or null, not '1 March 2030'" in text
    assert all(p.startswith("agreements[") for p in problems)
    assert registry_export() == before
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_a_value_the_database_cannot_hold_is_a_problem_of_the_file() -> None:
    document = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    serbia = next(a for a in document["agreements"] if a["code"] == "EU-RS")
    serbia["rules"][0]["value"] = 2_147_483_648
    before = registry_export()
    with pytest.raises(ValidationFailed) as caught:
        registry_import(actor=None, text=json.dumps(document))
    [problem] = caught.value.fields["file"]
    assert problem.endswith(
        f"EU-RS rules[0] ({serbia['rules'][0]['rule']}): A period can be at most 2147483647, "
        "the largest number the database can store (got 2147483648)."
    )
    assert registry_export() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"\xff\xfe not utf-8 \xff", "not UTF-8"),
        ("{not json", "not valid JSON"),
        ("[]", "one JSON object"),
        ('{"format": "something-else/9", "agreements": []}', "Unknown format"),
        ('{"format": "readmit-agreements/2", "agreements": {}}', "must be a list"),
    ],
)
@pytest.mark.django_db
def test_files_that_are_not_a_registry_are_refused_in_plain_words(
    text: str | bytes, message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        registry_parse(text)
    assert message in "\n".join(caught.value.fields["file"])


@pytest.mark.django_db
def test_the_first_format_is_still_read() -> None:
    document = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    document["format"] = "readmit-agreements/1"
    for agreement in document["agreements"]:
        del agreement["excluded_member_states"], agreement["protocols"]
    parsed = registry_parse(json.dumps(document))
    assert len(parsed) == 28
    assert parsed[0]["excluded_member_states"] == [] and parsed[0]["protocols"] == []


@pytest.mark.django_db
def test_unknown_and_duplicate_keys_are_reported() -> None:
    document = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    serbia = next(a for a in document["agreements"] if a["code"] == "EU-RS")
    serbia["rules"].append(dict(serbia["rules"][0]))
    serbia["colour"] = "blue"
    document["agreements"].append(dict(serbia))
    with pytest.raises(ValidationFailed) as caught:
        registry_parse(json.dumps(document))
    text = "\n".join(caught.value.fields["file"])
    assert "unknown key colour" in text
    assert "Rule version ('reply_extension_max', '2008-01-01') appears twice" in text
    assert "Agreement code 'EU-RS' appears twice" in text
