"""The forms behind each workflow action, and the one service each of them calls.

A registry keeps the web views thin: the view looks up the action, validates its form and
calls its handler; the handler calls exactly one service. The same names are the actions of
the transition tables in `workflow`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readmit.accounts.models import User
from readmit.readmission import services
from readmit.readmission.models import Interview, RefusalReason, TravelDocumentKind

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EmptyForm(forms.Form):
    pass


class IdentificationForm(forms.Form):
    result = forms.CharField(label=_("Result of the registry check"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PersonChoiceForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, choices=[])

    def __init__(
        self, *args: Any, persons: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = persons or []  # type: ignore[attr-defined]


class InterviewRequestForm(PersonChoiceForm):
    scheduled_for = forms.DateTimeField(
        label=_("Date and time (optional)"),
        required=False,
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)


class InterviewRecordForm(forms.Form):
    interview = forms.TypedChoiceField(label=_("Interview"), coerce=int, choices=[])
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *Interview.Result.choices])
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, interviews: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interview"].choices = interviews or []  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Information needed"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Information"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    amount = forms.IntegerField(label=_("Extension (in the agreement's unit)"), min_value=1)
    reason = forms.CharField(
        label=_("Legal or factual obstacles"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReplyForm(PersonChoiceForm):
    decision = forms.ChoiceField(
        label=_("Reply"),
        choices=[("accept", _("Accept")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Reason for a refusal"), required=False, choices=[("", "—"), *RefusalReason.choices]
    )
    explanation = forms.CharField(
        label=_("Written reasons (for a refusal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TravelDocumentForm(PersonChoiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=TravelDocumentKind.choices)
    number = forms.CharField(label=_("Number"), max_length=40)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)


class TransferNoticeForm(forms.Form):
    persons = forms.TypedMultipleChoiceField(
        label=_("Persons"), coerce=int, choices=[], widget=forms.CheckboxSelectMultiple
    )
    planned_at = forms.DateTimeField(
        label=_("Date and time of the transfer"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    border_crossing_point = forms.CharField(label=_("Border crossing point"), max_length=200)
    flight = forms.CharField(label=_("Flight"), required=False, max_length=40)
    escorts = forms.CharField(
        label=_("Escorts"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    medical_needs = forms.CharField(
        label=_("Medical assistance needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, persons: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = persons or []  # type: ignore[attr-defined]


class TransferChoiceForm(forms.Form):
    transfer = forms.TypedChoiceField(label=_("Transfer"), coerce=int, choices=[])

    def __init__(
        self, *args: Any, transfers: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transfer"].choices = transfers or []  # type: ignore[attr-defined]


class PostponeForm(TransferChoiceForm):
    reason = forms.CharField(label=_("Obstacle"), widget=forms.Textarea(attrs={"rows": 2}))


class InErrorForm(PersonChoiceForm):
    explanation = forms.CharField(
        label=_("Why the conditions were not met"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(PersonChoiceForm):
    reason = forms.CharField(
        label=_("How the case ended (required after a readmission-in-error claim)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


@dataclass(frozen=True)
class Action:
    label: Any
    form: type[forms.Form]
    handler: Callable[[User, int, dict[str, Any]], Any]
    scope: str = "application"  # or "person" / "transfer": which choices the form needs
    danger: bool = False


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


ACTIONS: dict[str, Action] = {
    "submit": Action(
        _("Submit the application"),
        EmptyForm,
        lambda u, a, d: services.application_submit(actor=u, application_id=a),
    ),
    "acknowledge": Action(
        _("Acknowledge receipt"),
        EmptyForm,
        lambda u, a, d: services.application_acknowledge(actor=u, application_id=a),
    ),
    "record_identification": Action(
        _("Record a registry check"),
        IdentificationForm,
        lambda u, a, d: services.identification_record(actor=u, application_id=a, **d),
    ),
    "interview": Action(
        _("Request or schedule an interview"),
        InterviewRequestForm,
        lambda u, a, d: services.interview_request(
            actor=u,
            application_id=a,
            person_id=d["person"],
            scheduled_for=_aware(d["scheduled_for"]) if d.get("scheduled_for") else None,
            place=d.get("place", ""),
        ),
        scope="person",
    ),
    "interview_record": Action(
        _("Record an interview's result"),
        InterviewRecordForm,
        lambda u, a, d: services.interview_record(
            actor=u,
            application_id=a,
            interview_id=d["interview"],
            held_on=d["held_on"],
            result=d["result"],
            notes=d.get("notes", ""),
        ),
        scope="interview",
    ),
    "request_information": Action(
        _("Request more information"),
        QuestionForm,
        lambda u, a, d: services.information_request(actor=u, application_id=a, **d),
    ),
    "provide_information": Action(
        _("Provide the information"),
        AnswerForm,
        lambda u, a, d: services.information_provide(actor=u, application_id=a, **d),
    ),
    "extend": Action(
        _("Extend the reply period"),
        ExtendForm,
        lambda u, a, d: services.reply_period_extend(actor=u, application_id=a, **d),
    ),
    "reply": Action(
        _("Reply for a person"),
        ReplyForm,
        lambda u, a, d: services.person_reply(
            actor=u,
            application_id=a,
            person_id=d["person"],
            accept=d["decision"] == "accept",
            reason=d.get("reason", ""),
            explanation=d.get("explanation", ""),
        ),
        scope="person",
    ),
    "request_td": Action(
        _("Request the travel document"),
        PersonChoiceForm,
        lambda u, a, d: services.travel_document_request(
            actor=u, application_id=a, person_id=d["person"]
        ),
        scope="person",
    ),
    "issue_td": Action(
        _("Issue the travel document"),
        TravelDocumentForm,
        lambda u, a, d: services.travel_document_issue(
            actor=u,
            application_id=a,
            person_id=d["person"],
            kind=d["kind"],
            number=d["number"],
            issued_on=d["issued_on"],
            valid_until=d["valid_until"],
        ),
        scope="person",
    ),
    "notify_transfer": Action(
        _("Notify the transfer"),
        TransferNoticeForm,
        lambda u, a, d: services.transfer_notify(
            actor=u,
            application_id=a,
            person_ids=d["persons"],
            planned_at=_aware(d["planned_at"]),
            border_crossing_point=d["border_crossing_point"],
            flight=d.get("flight", ""),
            escorts=d.get("escorts", ""),
            medical_needs=d.get("medical_needs", ""),
        ),
        scope="persons",
    ),
    "confirm_transfer": Action(
        _("Confirm the transfer"),
        TransferChoiceForm,
        lambda u, a, d: services.transfer_confirm(
            actor=u, application_id=a, transfer_id=d["transfer"]
        ),
        scope="transfer",
    ),
    "postpone_transfer": Action(
        _("Postpone the transfer"),
        PostponeForm,
        lambda u, a, d: services.transfer_postpone(
            actor=u, application_id=a, transfer_id=d["transfer"], reason=d["reason"]
        ),
        scope="transfer",
    ),
    "carry_out_transfer": Action(
        _("Record the transfer as carried out"),
        TransferChoiceForm,
        lambda u, a, d: services.transfer_carry_out(
            actor=u, application_id=a, transfer_id=d["transfer"]
        ),
        scope="transfer",
    ),
    "confirm_handover": Action(
        _("Confirm the handover"),
        TransferChoiceForm,
        lambda u, a, d: services.handover_confirm(
            actor=u, application_id=a, transfer_id=d["transfer"]
        ),
        scope="transfer",
    ),
    "claim_in_error": Action(
        _("Claim readmission in error"),
        InErrorForm,
        lambda u, a, d: services.readmission_in_error_claim(
            actor=u, application_id=a, person_id=d["person"], explanation=d["explanation"]
        ),
        scope="person",
        danger=True,
    ),
    "close_case": Action(
        _("Close the person's case"),
        CloseForm,
        lambda u, a, d: services.person_close(
            actor=u, application_id=a, person_id=d["person"], reason=d.get("reason", "")
        ),
        scope="person",
    ),
    "withdraw": Action(
        _("Withdraw the application"),
        ReasonForm,
        lambda u, a, d: services.application_withdraw(
            actor=u, application_id=a, reason=d["reason"]
        ),
        danger=True,
    ),
}

# Person actions grouped under one application-level form ("reply" covers accept and refuse).
PERSON_ACTION_FORMS = {"accept": "reply", "refuse": "reply"}
