"""Forms for the person screens. They only parse: every rule is in `readmit.persons.services`,
whose refusals the views place next to the fields (`apply_domain_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from readmit.accounts.models import State
from readmit.persons.models import (
    CivilStatus,
    FamilyRelation,
    IdentifierKind,
    NameKind,
    NationalityStatus,
    Sex,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _states(label: Any, *, required: bool = False) -> forms.ModelChoiceField[State]:
    return forms.ModelChoiceField(
        label=label,
        queryset=State.objects.order_by("name"),
        to_field_name="code",
        required=required,
        empty_label="-",
    )


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "-"), *choices]


class ServiceForm(forms.Form):
    """A form whose cleaned data are the keyword arguments of one service."""

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PersonForm(ServiceForm):
    surname_latin = forms.CharField(
        label=_("Surname (Latin script)"), max_length=200, required=False
    )
    given_names_latin = forms.CharField(
        label=_("Given names (Latin script)"), max_length=200, required=False
    )
    surname_original = forms.CharField(
        label=_("Surname (original script)"), max_length=200, required=False
    )
    given_names_original = forms.CharField(
        label=_("Given names (original script)"), max_length=200, required=False
    )
    original_script = forms.CharField(
        label=_("Original script"),
        max_length=4,
        required=False,
        help_text=_("ISO 15924 code, e.g. Cyrl, Arab, Geor, Armn."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices), required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    birth_month = forms.IntegerField(
        label=_("Month of birth"), required=False, help_text=_("Leave empty if not known.")
    )
    birth_day = forms.IntegerField(
        label=_("Day of birth"), required=False, help_text=_("Leave empty if not known.")
    )
    place_of_birth = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    birth_country = _states(_("Country of birth"))
    civil_status = forms.ChoiceField(
        # Empty first: a status nobody chose is recorded as unknown, not as "single".
        label=_("Civil status"),
        choices=[("", "—"), *CivilStatus.choices],
        required=False,
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("ISO 639 codes separated by commas, e.g. az, ru."),
    )
    father_name = forms.CharField(label=_("Father's name"), max_length=200, required=False)
    mother_name = forms.CharField(label=_("Mother's name"), max_length=200, required=False)
    last_address = forms.CharField(
        label=_("Last address in the requested state"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    last_address_country = _states(_("Country of the last address"))
    height_cm = forms.IntegerField(label=_("Height (cm)"), required=False)
    eye_colour = forms.CharField(label=_("Eye colour"), max_length=50, required=False)
    distinguishing_marks = forms.CharField(
        label=_("Distinguishing marks"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class IdentifierForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("Kind of document"), choices=_blank(IdentifierKind.choices), required=False
    )
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issuing_state = _states(_("Issuing state"))
    issuing_authority = forms.CharField(
        label=_("Issuing authority"), max_length=200, required=False
    )
    place_of_issue = forms.CharField(label=_("Place of issue"), max_length=200, required=False)
    issue_date = forms.DateField(label=_("Date of issue"), widget=DATE, required=False)
    expiry_date = forms.DateField(
        label=_("Expiry date"),
        widget=DATE,
        required=False,
        help_text=_("An expired document still counts as evidence."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class IdentifierRemoveForm(ServiceForm):
    identifier_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why is it removed?"), max_length=500, required=False)


class NationalityForm(ServiceForm):
    state = _states(_("State"))
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(NationalityStatus.choices), required=False
    )
    current = forms.BooleanField(label=_("Current nationality"), required=False, initial=True)
    source_note = forms.CharField(
        label=_("Source"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class NameForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind of name"), choices=NameKind.choices, required=False)
    surname_latin = forms.CharField(
        label=_("Surname (Latin script)"), max_length=200, required=False
    )
    given_names_latin = forms.CharField(
        label=_("Given names (Latin script)"), max_length=200, required=False
    )
    surname_original = forms.CharField(
        label=_("Surname (original script)"), max_length=200, required=False
    )
    given_names_original = forms.CharField(
        label=_("Given names (original script)"), max_length=200, required=False
    )


class FamilyLinkForm(ServiceForm):
    relation = forms.ChoiceField(
        label=_("Relation"), choices=_blank(FamilyRelation.choices), required=False
    )
    relative_id = forms.IntegerField(
        label=_("Record number of the relative"),
        help_text=_("The relative must be registered by your authority (see the person's page)."),
    )


class PhotoForm(ServiceForm):
    photo = forms.FileField(label=_("Photo (JPEG or PNG, at most 5 MB)"))

    def service_kwargs(self) -> dict[str, Any]:
        return {"file": self.cleaned_data["photo"]}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or document number"), required=False, max_length=200)
