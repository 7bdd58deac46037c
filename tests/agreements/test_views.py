"""Web pages of the registry: reading for everyone, editing for platform administrators."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from readmit.agreements.models import Agreement, AgreementRule, EvidenceType
from readmit.agreements.registry_io import registry_export
from readmit.audit.models import AuditEntry

ClientAs = Callable[[str], Client]


def _rows(html: str, key: str) -> list[str]:
    """The table rows of one rule key: the agreement's first, then the protocols'."""
    rows = re.findall(rf'<tr[^>]*data-rule="{key}"[^>]*>(.*?)</tr>', html, re.S)
    assert rows, f"no row for {key}"
    return rows


def _row(html: str, key: str) -> str:
    return _rows(html, key)[0]


@pytest.mark.django_db
def test_the_nav_links_to_the_registry(client_as: ClientAs) -> None:
    body = client_as("az-consul").get(reverse("web:home")).content.decode()
    assert reverse("agreements:agreement_list") in body


@pytest.mark.django_db
def test_the_list_shows_every_instrument(client_as: ClientAs) -> None:
    body = client_as("de-officer").get(reverse("agreements:agreement_list")).content.decode()
    for code in ("EU-RS", "EU-AF", "CH-AZ", "NO-PK", "ME-AZ"):
        assert f">{code}</a>" in body
    assert "Export JSON" not in body
    arrangements = client_as("de-officer").get(
        reverse("agreements:agreement_list"), {"kind": "eu_arrangement"}
    )
    assert ">EU-AF</a>" in arrangements.content.decode()
    assert ">EU-RS</a>" not in arrangements.content.decode()


@pytest.mark.django_db
def test_the_agreement_page_shows_each_rule_with_its_source_and_confidence(
    client_as: ClientAs,
) -> None:
    body = (
        client_as("de-officer")
        .get(reverse("agreements:agreement_detail", args=["EU-RS"]))
        .content.decode()
    )
    reply = _row(body, "reply_period_normal")
    assert "10 calendar days" in reply
    assert "receipt of the application" in reply
    assert "DOMAIN.md §1.7(2)" in reply
    assert "Secondary source" in reply
    assert "Not configured" in _row(body, "td_issue_period")
    assert "Not configured" in _row(body, "roll_forward")
    assert "Regulation 1182/71 Art. 3(4)" in _row(body, "roll_forward")
    assert "Edit the agreement" not in body
    assert "Denmark" in body or "DK" in body


@pytest.mark.django_db
def test_the_agreement_page_shows_evidence_phases_and_protocols(client_as: ClientAs) -> None:
    pakistan = (
        client_as("pk-consul")
        .get(reverse("agreements:agreement_detail", args=["EU-PK"]))
        .content.decode()
    )
    assert "Verification trigger only" in pakistan
    turkey = (
        client_as("pk-consul")
        .get(reverse("agreements:agreement_detail", args=["EU-TR"]))
        .content.decode()
    )
    assert "1 October 2017" in turkey  # the phased third-country-national clause
    georgia = (
        client_as("ge-officer")
        .get(reverse("agreements:agreement_detail", args=["EU-GE"]))
        .content.decode()
    )
    assert "Austria" in georgia
    agreement_row, protocol_row = _rows(georgia, "transfer_notice_lead_time")
    assert "Not configured" in agreement_row
    assert "implementing protocol of AT" in agreement_row
    assert "5 working days" in protocol_row
    moldova = (
        client_as("ge-officer")
        .get(reverse("agreements:agreement_detail", args=["EU-MD"]))
        .content.decode()
    )
    assert "Chişinău airport" in moldova
    empty = (
        client_as("ge-officer")
        .get(reverse("agreements:agreement_detail", args=["NO-AZ"]))
        .content.decode()
    )
    assert "the registry has no evidence catalogue" in empty
    assert "No implementing protocol is registered." in empty


@pytest.mark.django_db
def test_an_unknown_code_is_404(client_as: ClientAs) -> None:
    response = client_as("de-officer").get(reverse("agreements:agreement_detail", args=["EU-XX"]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_deadline_page_computes_from_the_registry(client_as: ClientAs) -> None:
    response = client_as("de-officer").get(
        reverse("agreements:deadlines", args=["EU-RS"]), {"received": "2026-03-02"}
    )
    body = response.content.decode()
    assert "2026-03-12" in body and "2026-03-18" in body
    assert "Give the date of acceptance" in body
    pakistan = client_as("pk-officer").get(
        reverse("agreements:deadlines", args=["EU-PK"]), {"received": "2026-03-02"}
    )
    assert "AMBIGUOUS" in pakistan.content.decode()  # the configured note, shown as is
    bad = client_as("de-officer").get(
        reverse("agreements:deadlines", args=["EU-RS"]),
        {"received": "2026-03-02", "requested_state": "XX"},
    )
    assert "Unknown requested state" in bad.content.decode()


@pytest.mark.django_db
def test_the_deadline_page_says_why_a_date_is_missing_in_the_users_language(
    client_as: ClientAs,
) -> None:
    client = client_as("de-officer")
    client.post(reverse("accounts:language"), {"language": "fr", "next": "/"})
    body = client.get(
        reverse("agreements:deadlines", args=["EU-RS"]), {"received": "2026-03-02"}
    ).content.decode()
    assert "Indiquez la date d’acceptation pour le calculer." in body
    assert "Give the date of acceptance" not in body


# --------------------------------------------------------------------------------------
# Editing (platform administrators)
# --------------------------------------------------------------------------------------


def _agreement_form(code: str, **changes: object) -> dict[str, object]:
    agreement = Agreement.objects.get(code=code)
    data: dict[str, object] = {
        "title": agreement.title,
        "signed": agreement.signed.isoformat() if agreement.signed else "",
        "entry_into_force": agreement.entry_into_force.isoformat()
        if agreement.entry_into_force
        else "",
        "end": "",
        "legal_reference": agreement.legal_reference,
        "dates_source": agreement.dates_source,
        "dates_confidence": agreement.dates_confidence,
        "languages": ", ".join(agreement.languages),
        "notes": agreement.notes,
        "covers_own_nationals": "on",
        "covers_third_country_nationals": "on",
        "covers_stateless_persons": "on",
        "covers_transit": "on",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_signature_after_entry_into_force_is_refused(client_as: ClientAs) -> None:
    url = reverse("agreements:agreement_edit", args=["EU-AZ"])
    response = client_as("platform-admin").post(url, _agreement_form("EU-AZ", signed="2014-10-01"))
    assert response.status_code == 200
    assert "cannot be before the signature (2014-10-01)" in response.content.decode()
    assert Agreement.objects.get(code="EU-AZ").signed == dt.date(2014, 2, 28)
    assert not AuditEntry.objects.filter(action="agreements.agreement.updated").exists()


@pytest.mark.django_db
def test_an_edit_is_saved_and_audited(client_as: ClientAs) -> None:
    url = reverse("agreements:agreement_edit", args=["EU-AZ"])
    response = client_as("platform-admin").post(
        url, _agreement_form("EU-AZ", languages="az, en, ru", covers_transit="")
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(code="EU-AZ")
    assert agreement.languages == ["az", "en", "ru"]
    assert agreement.covers_transit is False
    entry = AuditEntry.objects.filter(action="agreements.agreement.updated").latest("seq")
    assert entry.actor_username == "platform-admin"
    assert entry.changes["languages"] == [["az", "en"], ["az", "en", "ru"]]
    assert entry.changes["covers_transit"] == [True, False]


def _rule_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "key": "td_issue_period",
        "valid_from": "2008-01-01",
        "value": "5",
        "unit": "working_days",
        "clock_start": "acceptance",
        "source": "synthetic test source",
        "confidence": "unverified",
        "note": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "-3"}, "A period must be positive (got -3)."),
        ({"value": "0"}, "A period must be positive (got 0)."),
        (
            {"value": "9999999999"},
            "A period can be at most 2147483647, the largest number the "
            "database can store (got 9999999999).",
        ),
        ({"unit": "weeks"}, "Select a valid choice. weeks is not one of the available choices."),
        ({"unit": "boolean"}, "its unit must be one of"),
        ({"key": "tacit_acceptance", "value": "yes"}, "its unit must be boolean"),
        ({"source": " "}, "This field is required."),
        ({"value": "ten"}, "Enter a whole number, or yes / no."),
    ],
)
def test_bad_rules_are_refused(
    client_as: ClientAs, changes: dict[str, object], message: str
) -> None:
    url = reverse("agreements:rule_set", args=["EU-RS"])
    before = registry_export()
    response = client_as("platform-admin").post(url, _rule_form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert registry_export() == before
    assert not AuditEntry.objects.filter(action__startswith="agreements.rule.").exists()


@pytest.mark.django_db
def test_a_rule_is_added_changed_and_removed_with_an_audit_entry_each(client_as: ClientAs) -> None:
    admin = client_as("platform-admin")
    url = reverse("agreements:rule_set", args=["EU-RS"])
    assert admin.post(url, _rule_form()).status_code == 302
    rule = AgreementRule.objects.get(agreement__code="EU-RS", key="td_issue_period")
    assert (rule.value, rule.unit, rule.clock_start) == (5, "working_days", "acceptance")
    edit_page = admin.get(url, {"key": "td_issue_period", "valid_from": "2008-01-01"})
    assert "synthetic test source" in edit_page.content.decode()
    assert admin.post(url, _rule_form(value="4")).status_code == 302
    assert AgreementRule.objects.get(pk=rule.pk).value == 4
    remove = reverse("agreements:rule_remove", args=["EU-RS", "td_issue_period", "2008-01-01"])
    assert admin.post(remove).status_code == 302
    assert not AgreementRule.objects.filter(pk=rule.pk).exists()
    actions = list(
        AuditEntry.objects.filter(action__startswith="agreements.rule.").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "agreements.rule.created",
        "agreements.rule.updated",
        "agreements.rule.removed",
    ]
    updated = AuditEntry.objects.get(action="agreements.rule.updated")
    assert updated.changes["value"] == [5, 4]
    assert updated.changes["code"] == "EU-RS"


@pytest.mark.django_db
def test_a_yes_no_rule_takes_yes_or_no(client_as: ClientAs) -> None:
    url = reverse("agreements:rule_set", args=["EU-RS"])
    response = client_as("platform-admin").post(
        url,
        _rule_form(key="roll_forward", value="no", unit="boolean", clock_start=""),
    )
    assert response.status_code == 302
    rule = AgreementRule.objects.get(agreement__code="EU-RS", key="roll_forward")
    assert rule.typed_value is False


@pytest.mark.django_db
def test_evidence_is_edited_and_audited(client_as: ClientAs) -> None:
    admin = client_as("platform-admin")
    url = reverse("agreements:evidence_set", args=["NO-AZ"])
    data = {
        "evidence_code": "passport",
        "label": "Passports (test)",
        "evidence_class": "proof",
        "establishes": "nationality",
        "expired_counts": "on",
        "copy_must_be_authenticated": "on",
        "source": "synthetic test source",
        "confidence": "unverified",
    }
    refused = admin.post(url, data)
    assert "A copy cannot need authentication when copies do not count." in refused.content.decode()
    data["copy_counts"] = "on"
    assert admin.post(url, data).status_code == 302
    assert EvidenceType.objects.get(agreement__code="NO-AZ", code="passport").copy_counts
    remove = reverse("agreements:evidence_remove", args=["NO-AZ", "passport"])
    assert admin.post(remove).status_code == 302
    assert list(
        AuditEntry.objects.filter(action__startswith="agreements.evidence.").values_list(
            "action", flat=True
        )
    ) == ["agreements.evidence.created", "agreements.evidence.removed"]


@pytest.mark.django_db
def test_the_export_download_is_the_registry(client_as: ClientAs) -> None:
    response = client_as("platform-admin").get(reverse("agreements:registry_export"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode() == registry_export()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-1, "A period must be positive (got -1)."),
        # Beyond the column: refused in the file's report, not a database error.
        (9999999999, "the largest number the database can store (got 9999999999)."),
    ],
)
def test_an_invalid_upload_lists_the_problems_and_saves_nothing(
    client_as: ClientAs, value: int, problem: str
) -> None:
    document = json.loads(registry_export())
    document["agreements"][0]["rules"][0]["value"] = value
    document["agreements"][1]["notes"] = "must not be saved"
    upload = SimpleUploadedFile("registry.json", json.dumps(document).encode(), "application/json")
    before = registry_export()
    response = client_as("platform-admin").post(
        reverse("agreements:registry_import"), {"file": upload}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The registry file was not imported: 1 problem found. Nothing was changed." in body
    assert problem in body
    assert registry_export() == before


@pytest.mark.django_db
def test_a_valid_upload_is_imported(client_as: ClientAs) -> None:
    document = json.loads(registry_export())
    document["agreements"][0]["notes"] = "Imported through the web."
    upload = SimpleUploadedFile("registry.json", json.dumps(document).encode(), "application/json")
    response = client_as("platform-admin").post(
        reverse("agreements:registry_import"), {"file": upload}, follow=True
    )
    assert "1 updated, 27 unchanged" in response.content.decode()
    code = document["agreements"][0]["code"]
    assert Agreement.objects.get(code=code).notes == "Imported through the web."
    entry = AuditEntry.objects.filter(action="agreements.agreement.updated").latest("seq")
    assert entry.actor_username == "platform-admin"
    assert "registry.json" in entry.reason
