"""Postponements of removal (Art. 9), vulnerability assessments (Art. 3(9), Art. 10) and the
supervisors' safeguard overrides."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, require
from readmit.core.errors import Conflict, NotFound, ValidationFailed
from readmit.core.timeutil import today as local_today
from readmit.returns.choices import CheckPurpose, PostponementReason, StopCode
from readmit.returns.models import Postponement, SafeguardOverride, VulnerabilityAssessment
from readmit.returns.safeguards import safeguards_check
from readmit.returns.services._base import Errors, lock_case, locked_case, record_change

if TYPE_CHECKING:
    from readmit.accounts.models import User

# A reason must say something: at least a sentence, not "ok" or "see file".
OVERRIDE_REASON_MIN_LENGTH = 20


# --- Postponements and vulnerability -------------------------------------------------------------


@transaction.atomic
def postponement_add(
    *,
    actor: User,
    case_id: int,
    reason: str,
    starts_on: dt.date | None,
    until: dt.date | None = None,
    note: str = "",
) -> Postponement:
    """Art. 9: postpone removal. Non-refoulement and a suspensive appeal are mandatory reasons
    (safeguard stops); health, technical reasons and failed identification are optional."""
    case = locked_case(actor, case_id)
    errors = Errors()
    errors.choice("reason", reason, PostponementReason.values, _("Choose the reason."))
    errors.required("starts_on", starts_on, _("Enter the first day of the postponement."))
    errors.not_before("until", until, starts_on, _("the first day"))
    errors.raise_if_any(_("The postponement was not recorded."))
    assert starts_on is not None
    postponement = Postponement.objects.create(
        case=case, reason=reason, starts_on=starts_on, until=until, note=note.strip()
    )
    record_change(
        actor=actor,
        case=case,
        action="postponement.added",
        obj=postponement,
        changes={"postponement": postponement.pk, "reason_code": reason, "start": starts_on,
                 "until": until, "note": note.strip()},
    )  # fmt: skip
    return postponement


@transaction.atomic
def postponement_end(
    *, actor: User, case_id: int, postponement_id: int, ended_on: dt.date | None = None
) -> Postponement:
    """End a postponement early: from `ended_on` (today by default) it no longer applies."""
    case = locked_case(actor, case_id)
    postponement = case.postponements.filter(pk=postponement_id).first()
    if postponement is None:
        raise NotFound(_("Not found, or not visible to you."))
    today = local_today()
    ended_on = ended_on or today
    if postponement.ended_on is not None or (
        postponement.until is not None and postponement.until < today
    ):
        raise Conflict(_("This postponement has already ended."), code="postponement_ended")
    errors = Errors()
    errors.not_future("ended_on", ended_on, today)
    errors.not_before("ended_on", ended_on, postponement.starts_on, _("the first day"))
    errors.raise_if_any(_("The postponement was not ended."))
    postponement.ended_on = ended_on
    postponement.save(update_fields=["ended_on"])
    record_change(
        actor=actor,
        case=case,
        action="postponement.ended",
        obj=postponement,
        changes={"postponement": postponement.pk, "end": ended_on},
    )
    return postponement


@transaction.atomic
def vulnerability_assess(
    *,
    actor: User,
    case_id: int,
    assessed_on: dt.date | None,
    minor: bool = False,
    unaccompanied_minor: bool = False,
    disabled: bool = False,
    elderly: bool = False,
    pregnant: bool = False,
    single_parent_with_minor_children: bool = False,
    torture_or_serious_violence_victim: bool = False,
    trafficking_victim: bool = False,
    serious_illness: bool = False,
    guardian_recorded: bool = False,
    guardian_name: str = "",
    guardian_body: str = "",
    reception_arrangement_confirmed: bool = False,
    reception_description: str = "",
    health_notes: str = "",
) -> VulnerabilityAssessment:
    """A new assessment (Art. 3(9), Art. 5, Art. 10); it becomes the current one and the
    earlier ones stay as history."""
    case = locked_case(actor, case_id)
    guardian_name, guardian_body = guardian_name.strip(), guardian_body.strip()
    reception_description = reception_description.strip()
    errors = Errors()
    errors.required("assessed_on", assessed_on, _("Enter the date of the assessment."))
    errors.not_future("assessed_on", assessed_on, local_today())
    errors.too_long(VulnerabilityAssessment, "guardian_name", guardian_name)
    errors.too_long(VulnerabilityAssessment, "guardian_body", guardian_body)
    if guardian_recorded and not (guardian_name or guardian_body):
        errors.add("guardian_name", _("Enter the guardian's name or body."))
    if reception_arrangement_confirmed and not reception_description:
        errors.add(
            "reception_description",
            _(
                "Describe the arrangement: a family member, a nominated guardian or a reception facility."
            ),
        )
    errors.raise_if_any(_("The assessment was not recorded."))
    assert assessed_on is not None
    flags = {
        "minor": minor or unaccompanied_minor,  # an unaccompanied minor is a minor
        "unaccompanied_minor": unaccompanied_minor,
        "disabled": disabled,
        "elderly": elderly,
        "pregnant": pregnant,
        "single_parent_with_minor_children": single_parent_with_minor_children,
        "torture_or_serious_violence_victim": torture_or_serious_violence_victim,
        "trafficking_victim": trafficking_victim,
        "serious_illness": serious_illness,
    }
    assessment = VulnerabilityAssessment.objects.create(
        case=case,
        assessed_on=assessed_on,
        guardian_recorded=guardian_recorded,
        guardian_name=guardian_name,
        guardian_body=guardian_body,
        reception_arrangement_confirmed=reception_arrangement_confirmed,
        reception_description=reception_description,
        health_notes=health_notes.strip(),
        recorded_by=actor,
        **flags,
    )
    record_change(
        actor=actor,
        case=case,
        action="vulnerability.assessed",
        obj=assessment,
        changes={
            "assessed_on": assessed_on,
            "flags": sorted(k for k, v in flags.items() if v),
            "unaccompanied_minor": unaccompanied_minor,
            "guardian_recorded": guardian_recorded,
            "guardian_name": guardian_name,
            "guardian_body": guardian_body,
            "reception_arrangement_confirmed": reception_arrangement_confirmed,
            "reception_description": reception_description,
            "health_notes": "recorded" if health_notes.strip() else "",
        },
    )
    return assessment


# --- Safeguard overrides -------------------------------------------------------------------------


@transaction.atomic
def safeguard_override(*, actor: User, case_id: int, code: str, reason: str) -> SafeguardOverride:
    """A supervisor goes ahead despite one safeguard stop that applies now, with a reason.

    The override covers the facts the stop rests on now; a new blocking fact makes the stop
    block again (`readmit.returns.safeguards`).
    """
    case = lock_case(case_id, actor)
    require(actor, Capability.OVERRIDE_SAFEGUARD)
    reason = reason.strip()
    errors = Errors()
    errors.choice("code", code, StopCode.values, _("Choose the safeguard stop to override."))
    if len(reason) < OVERRIDE_REASON_MIN_LENGTH:
        errors.add(
            "reason",
            _("Give the reason in at least %(n)d characters: it is kept in the audit trail.")
            % {"n": OVERRIDE_REASON_MIN_LENGTH},
        )
    errors.raise_if_any(_("The safeguard stop was not overridden."))
    # The transfer check is the widest: it includes every stop that blocks a submission.
    report = safeguards_check(case, purpose=CheckPurpose.TRANSFER, on=local_today())
    if any(o.stop.code == code for o in report.overridden):
        raise Conflict(_("This safeguard stop is already overridden."), code="already_overridden")
    stop = next((s for s in report.blocking if s.code == code), None)
    if stop is None:
        raise ValidationFailed(
            _("The safeguard stop was not overridden."),
            fields={"code": [_("This safeguard stop does not apply to the case now.")]},
        )
    now = timezone.now()
    override = SafeguardOverride.objects.create(
        case=case, code=code, facts=",".join(sorted(stop.facts)), reason=reason, by=actor, at=now
    )
    record_change(
        actor=actor,
        case=case,
        action="safeguard.overridden",
        obj=override,
        changes={"code": code, "facts": sorted(stop.facts)},
        reason=reason,
        at=now,
    )
    return override
