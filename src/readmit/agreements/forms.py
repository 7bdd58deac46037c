from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from readmit.agreements.choices import (
    ClockStart,
    Confidence,
    Establishes,
    EvidenceClass,
    RuleKey,
    RuleUnit,
)
from readmit.agreements.deadlines import Procedure

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    signed = forms.DateField(label=_("Signature"), required=False, widget=_DATE)
    entry_into_force = forms.DateField(label=_("Entry into force"), required=False, widget=_DATE)
    end = forms.DateField(
        label=_("End"),
        required=False,
        widget=_DATE,
        help_text=_("The first day on which the agreement no longer applies."),
    )
    legal_reference = forms.CharField(label=_("Legal reference"), max_length=300, required=False)
    dates_source = forms.CharField(
        label=_("Source of the dates"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    dates_confidence = forms.ChoiceField(
        label=_("Confidence of the dates"), choices=Confidence.choices
    )
    covers_own_nationals = forms.BooleanField(label=_("Covers own nationals"), required=False)
    covers_third_country_nationals = forms.BooleanField(
        label=_("Covers third-country nationals"), required=False
    )
    covers_stateless_persons = forms.BooleanField(
        label=_("Covers stateless persons"), required=False
    )
    covers_transit = forms.BooleanField(label=_("Covers transit"), required=False)
    languages = forms.CharField(
        label=_("Languages of the forms"),
        required=False,
        help_text=_("ISO 639 codes separated by commas, e.g. az, en."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data.get("languages") or ""
        return [code.strip().lower() for code in raw.split(",") if code.strip()]


class RuleForm(forms.Form):
    key = forms.ChoiceField(label=_("Rule"), choices=RuleKey.choices)
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=_DATE,
        help_text=_("A new date adds a version; the date of an existing version changes it."),
    )
    value = forms.CharField(
        label=_("Value"),
        max_length=10,
        help_text=_("A whole number of the unit, or yes / no for a yes/no rule."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=RuleUnit.choices)
    clock_start = forms.ChoiceField(
        label=_("Clock starts at"),
        required=False,
        choices=[("", _("- (yes/no rule)")), *ClockStart.choices],
    )
    source = forms.CharField(
        label=_("Source (act and article)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    confidence = forms.ChoiceField(label=_("Confidence"), choices=Confidence.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_value(self) -> int | bool:
        raw = self.cleaned_data["value"].strip().lower()
        if raw in ("yes", "true"):
            return True
        if raw in ("no", "false"):
            return False
        try:
            return int(raw)
        except ValueError:
            raise forms.ValidationError(_("Enter a whole number, or yes / no.")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # "1"/"0" typed for a yes/no rule mean yes/no.
        if data.get("unit") == RuleUnit.BOOLEAN and data.get("value") in (0, 1):
            data["value"] = bool(data["value"])
        return data


class EvidenceForm(forms.Form):
    evidence_code = forms.SlugField(label=_("Code"), max_length=60)
    label = forms.CharField(label=_("Label"), max_length=300)
    evidence_class = forms.ChoiceField(label=_("Class"), choices=EvidenceClass.choices)
    establishes = forms.ChoiceField(label=_("Establishes"), choices=Establishes.choices)
    expired_counts = forms.BooleanField(label=_("An expired document counts"), required=False)
    copy_counts = forms.BooleanField(label=_("A copy counts"), required=False)
    copy_must_be_authenticated = forms.BooleanField(
        label=_("A copy must be authenticated"), required=False
    )
    source = forms.CharField(label=_("Source (annex)"), widget=forms.Textarea(attrs={"rows": 2}))
    confidence = forms.ChoiceField(label=_("Confidence"), choices=Confidence.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Registry file (JSON)"),
        help_text=_("A file exported from Readmit. Nothing is saved if any part of it is wrong."),
    )


class DeadlineForm(forms.Form):
    received = forms.DateField(label=_("Application received on"), widget=_DATE)
    procedure = forms.ChoiceField(
        label=_("Procedure"),
        required=False,
        choices=[(Procedure.NORMAL, _("Normal")), (Procedure.ACCELERATED, _("Accelerated"))],
    )
    acknowledged = forms.DateField(
        label=_("Receipt acknowledged on"),
        required=False,
        widget=_DATE,
        help_text=_("For agreements whose reply period runs from the acknowledgement."),
    )
    accepted = forms.DateField(label=_("Accepted on"), required=False, widget=_DATE)
    requested_state = forms.CharField(
        label=_("Requested state"),
        required=False,
        max_length=2,
        help_text=_("ISO code; empty: the partner (EU agreements) or the second party."),
    )
    requesting_state = forms.CharField(
        label=_("Requesting state"),
        required=False,
        max_length=2,
        help_text=_("ISO code; picks a Member State's implementing protocol."),
    )
