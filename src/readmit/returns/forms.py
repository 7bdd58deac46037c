"""Forms for the return-case page. They only parse: the rules are in
`readmit.returns.services`, whose refusals the views place next to the fields. Each form's
field names are the keyword arguments of its service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from readmit.returns.choices import (
    AppealStatus,
    AsylumStatus,
    Availability,
    CaseStatus,
    DetentionExtensionReason,
    DetentionGround,
    PolicyUnit,
    PostponementReason,
    VoluntaryDepartureReason,
)
from readmit.returns.models import ReturnCase

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 2})


def _date(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=False, help_text=help_text)


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "-"), *choices]


class CaseForm(forms.Form):
    """A form of the case page; `case` fills choices that depend on the case."""

    def __init__(self, *args: Any, case: ReturnCase | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DecisionForm(CaseForm):
    issuing_authority = forms.CharField(
        label=_("Issuing authority"), max_length=200, required=False
    )
    reference = forms.CharField(label=_("Decision reference"), max_length=100, required=False)
    decided_on = _date(_("Decision date"))
    notified_on = _date(_("Notified to the person on"))
    vd_granted = forms.BooleanField(
        label=_("A period for voluntary departure is granted"), required=False
    )
    vd_start = _date(_("Voluntary departure: period runs from"))
    vd_end = _date(_("Voluntary departure: last day"))
    vd_refusal_reason = forms.ChoiceField(
        label=_("No period granted because of"),
        choices=_blank(VoluntaryDepartureReason.choices),
        required=False,
    )
    vd_refusal_note = forms.CharField(
        label=_("Details of the refusal"), widget=TEXT, required=False
    )
    removal_order_on = _date(_("Removal order of"))
    entry_ban_imposed = forms.BooleanField(label=_("An entry ban is imposed"), required=False)
    entry_ban_length = forms.IntegerField(label=_("Entry ban length"), required=False, min_value=1)
    entry_ban_unit = forms.ChoiceField(
        label=_("Entry ban unit"),
        choices=_blank(
            [
                (PolicyUnit.MONTHS, PolicyUnit.MONTHS.label),
                (PolicyUnit.YEARS, PolicyUnit.YEARS.label),
            ]
        ),
        required=False,
    )
    entry_ban_longer_reason = forms.CharField(
        label=_("Serious threat justifying a longer ban"), widget=TEXT, required=False
    )
    replacement_reason = forms.CharField(
        label=_("Why this decision replaces the recorded one"),
        widget=TEXT,
        required=False,
        help_text=_("Only when a decision is already recorded."),
    )


class VdExtendForm(CaseForm):
    until = _date(_("New last day"))
    reason = forms.CharField(label=_("Reason for the extension"), widget=TEXT, required=False)


class VdShortenForm(CaseForm):
    until = _date(_("New last day"))
    reason = forms.ChoiceField(
        label=_("Reason for shortening"),
        choices=_blank(VoluntaryDepartureReason.choices),
        required=False,
    )
    note = forms.CharField(label=_("Details"), widget=TEXT, required=False)


class AppealForm(CaseForm):
    lodged_on = _date(_("Lodged on"))
    body = forms.CharField(label=_("Court or appeal body"), max_length=200, required=False)
    suspensive_effect = forms.BooleanField(
        label=_("The appeal has suspensive effect"), required=False
    )


def _pending_choices(items: Any, label: str) -> list[tuple[int, str]]:
    return [(item.pk, f"{label} #{item.pk}, {item.lodged_on:%Y-%m-%d}") for item in items]


class AppealDecideForm(CaseForm):
    appeal_id = forms.TypedChoiceField(label=_("Appeal"), coerce=int, choices=[])
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=_blank(
            [
                (AppealStatus.DECIDED, AppealStatus.DECIDED.label),
                (AppealStatus.WITHDRAWN, AppealStatus.WITHDRAWN.label),
            ]
        ),
        required=False,
    )
    decided_on = _date(_("Date"))
    outcome = forms.CharField(label=_("Outcome in short"), widget=TEXT, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case is not None:
            pending = self.case.appeals.filter(status=AppealStatus.PENDING)
            self.fields["appeal_id"].choices = _pending_choices(pending, str(_("Appeal")))  # type: ignore[attr-defined]


class AsylumForm(CaseForm):
    lodged_on = _date(_("Lodged on"))


class AsylumDecideForm(CaseForm):
    application_id = forms.TypedChoiceField(label=_("Application"), coerce=int, choices=[])
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=_blank([(s.value, s.label) for s in AsylumStatus if s != AsylumStatus.PENDING]),
        required=False,
    )
    decided_on = _date(_("Date"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case is not None:
            pending = self.case.asylum_applications.filter(status=AsylumStatus.PENDING)
            self.fields["application_id"].choices = _pending_choices(  # type: ignore[attr-defined]
                pending, str(_("Asylum application"))
            )


class DetentionStartForm(CaseForm):
    start = _date(_("First day of detention"))
    ground = forms.ChoiceField(
        label=_("Ground"), choices=_blank(DetentionGround.choices), required=False
    )
    ordered_on = _date(_("Detention order of"))
    next_review_on = _date(_("Next review"))


def _ongoing(case: ReturnCase | None) -> list[tuple[int, str]]:
    if case is None:
        return []
    return [
        (e.pk, f"#{e.pk}, {e.start:%Y-%m-%d}") for e in case.detentions.filter(end__isnull=True)
    ]


class DetentionEndForm(CaseForm):
    episode_id = forms.TypedChoiceField(label=_("Detention"), coerce=int, choices=[])
    end = _date(_("Last day of detention"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episode_id"].choices = _ongoing(self.case)  # type: ignore[attr-defined]


class DetentionExtendForm(CaseForm):
    episode_id = forms.TypedChoiceField(label=_("Detention"), coerce=int, choices=[])
    until = _date(_("Extended until"))
    reason = forms.ChoiceField(
        label=_("Reason"), choices=_blank(DetentionExtensionReason.choices), required=False
    )
    decided_on = _date(_("Extension decided on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episode_id"].choices = _ongoing(self.case)  # type: ignore[attr-defined]


class PostponementForm(CaseForm):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=_blank(PostponementReason.choices), required=False
    )
    starts_on = _date(_("From"))
    until = _date(_("Until"), _("Leave empty while open-ended."))
    note = forms.CharField(label=_("Note"), widget=TEXT, required=False)


class PostponementEndForm(CaseForm):
    postponement_id = forms.TypedChoiceField(label=_("Postponement"), coerce=int, choices=[])
    ended_on = _date(_("No longer applies from"), _("Today if empty."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case is not None:
            rows = self.case.postponements.filter(ended_on__isnull=True)
            self.fields["postponement_id"].choices = [  # type: ignore[attr-defined]
                (p.pk, f"#{p.pk}, {p.get_reason_display()}, {p.starts_on:%Y-%m-%d}") for p in rows
            ]


class VulnerabilityForm(CaseForm):
    assessed_on = _date(_("Assessed on"))
    minor = forms.BooleanField(label=_("Minor"), required=False)
    unaccompanied_minor = forms.BooleanField(label=_("Unaccompanied minor"), required=False)
    disabled = forms.BooleanField(label=_("Disabled person"), required=False)
    elderly = forms.BooleanField(label=_("Elderly person"), required=False)
    pregnant = forms.BooleanField(label=_("Pregnant woman"), required=False)
    single_parent_with_minor_children = forms.BooleanField(
        label=_("Single parent with minor children"), required=False
    )
    torture_or_serious_violence_victim = forms.BooleanField(
        label=_("Subjected to torture, rape or other serious violence"), required=False
    )
    trafficking_victim = forms.BooleanField(label=_("Victim of trafficking"), required=False)
    serious_illness = forms.BooleanField(label=_("Serious illness"), required=False)
    guardian_recorded = forms.BooleanField(label=_("A guardian is recorded"), required=False)
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=200, required=False)
    guardian_body = forms.CharField(
        label=_("Guardian's body or organisation"), max_length=200, required=False
    )
    reception_arrangement_confirmed = forms.BooleanField(
        label=_(
            "Reception arrangement confirmed (family member, nominated guardian or reception facility)"
        ),
        required=False,
    )
    reception_description = forms.CharField(
        label=_("Reception arrangement"), widget=TEXT, required=False
    )
    health_notes = forms.CharField(label=_("Health notes"), widget=TEXT, required=False)


class RiskForm(CaseForm):
    risk = forms.BooleanField(label=_("There is a risk of absconding"), required=False)
    reason = forms.CharField(label=_("Objective criteria"), widget=TEXT, required=False)
    assessed_on = _date(_("Assessed on"))


class AvailabilityForm(CaseForm):
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    on = _date(_("Recorded on"), _("Today if empty."))


class TransitionForm(CaseForm):
    action = forms.CharField(widget=forms.HiddenInput)
    actual_departure = _date(_("Day of departure"))
    reason = forms.CharField(label=_("Reason"), widget=TEXT, required=False)


class OverrideForm(CaseForm):
    code = forms.ChoiceField(label=_("Safeguard stop"), choices=[])
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("At least a sentence. It is kept in the audit trail with your name."),
    )

    def __init__(
        self, *args: Any, codes: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = codes or []  # type: ignore[attr-defined]


class CaseFilterForm(forms.Form):
    query = forms.CharField(
        label=_("Reference, name or document number"), required=False, max_length=200
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(CaseStatus.choices), required=False
    )
