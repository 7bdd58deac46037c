"""Appeals (Return Directive Art. 13) and asylum applications."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from readmit.core.errors import Conflict, NotFound
from readmit.core.timeutil import today as local_today
from readmit.returns.choices import AppealStatus, AsylumStatus
from readmit.returns.models import Appeal, AsylumApplication
from readmit.returns.services._base import Errors, locked_case, record_change

if TYPE_CHECKING:
    from readmit.accounts.models import User

# --- Appeals and asylum ---------------------------------------------------------------------------


@transaction.atomic
def appeal_record(
    *, actor: User, case_id: int, lodged_on: dt.date | None, body: str, suspensive_effect: bool
) -> Appeal:
    """Art. 13: an appeal, which may suspend enforcement (then a safeguard stop)."""
    case = locked_case(actor, case_id)
    body = body.strip()
    errors = Errors()
    errors.required("lodged_on", lodged_on, _("Enter the date the appeal was lodged."))
    errors.not_future("lodged_on", lodged_on, local_today())
    errors.required("body", body, _("Enter the court or body the appeal is before."))
    errors.too_long(Appeal, "body", body)
    errors.raise_if_any(_("The appeal was not recorded."))
    assert lodged_on is not None
    appeal = Appeal.objects.create(
        case=case, lodged_on=lodged_on, body=body, suspensive_effect=suspensive_effect
    )
    record_change(
        actor=actor,
        case=case,
        action="appeal.recorded",
        obj=appeal,
        changes={"appeal": appeal.pk, "lodged_on": lodged_on, "body": body,
                 "suspensive_effect": suspensive_effect},
    )  # fmt: skip
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    actor: User,
    case_id: int,
    appeal_id: int,
    status: str,
    decided_on: dt.date | None,
    outcome: str = "",
) -> Appeal:
    case = locked_case(actor, case_id)
    appeal = case.appeals.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("Not found, or not visible to you."))
    if appeal.status != AppealStatus.PENDING:
        raise Conflict(_("This appeal is no longer pending."), code="appeal_not_pending")
    errors = Errors()
    errors.choice(
        "status",
        status,
        [AppealStatus.DECIDED, AppealStatus.WITHDRAWN],
        _("Choose decided or withdrawn."),
    )
    errors.required("decided_on", decided_on, _("Enter the date."))
    errors.not_future("decided_on", decided_on, local_today())
    errors.not_before(
        "decided_on", decided_on, appeal.lodged_on, _("the day the appeal was lodged")
    )
    errors.raise_if_any(_("The appeal was not updated."))
    appeal.status = status
    appeal.decided_on = decided_on
    appeal.outcome = outcome.strip()
    appeal.save()
    record_change(
        actor=actor,
        case=case,
        action="appeal.decided",
        obj=appeal,
        changes={
            "appeal": appeal.pk,
            "status": status,
            "decided_on": decided_on,
            "outcome": outcome.strip(),
        },
    )
    return appeal


@transaction.atomic
def asylum_record(*, actor: User, case_id: int, lodged_on: dt.date | None) -> AsylumApplication:
    case = locked_case(actor, case_id)
    errors = Errors()
    errors.required("lodged_on", lodged_on, _("Enter the date the application was lodged."))
    errors.not_future("lodged_on", lodged_on, local_today())
    errors.raise_if_any(_("The asylum application was not recorded."))
    assert lodged_on is not None
    application = AsylumApplication.objects.create(case=case, lodged_on=lodged_on)
    record_change(
        actor=actor,
        case=case,
        action="asylum.recorded",
        obj=application,
        changes={"application": application.pk, "lodged_on": lodged_on},
    )
    return application


@transaction.atomic
def asylum_decide(
    *, actor: User, case_id: int, application_id: int, status: str, decided_on: dt.date | None
) -> AsylumApplication:
    case = locked_case(actor, case_id)
    application = case.asylum_applications.filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("Not found, or not visible to you."))
    if application.status != AsylumStatus.PENDING:
        raise Conflict(
            _("This asylum application is no longer pending."), code="asylum_not_pending"
        )
    errors = Errors()
    outcomes = [s for s in AsylumStatus.values if s != AsylumStatus.PENDING]
    errors.choice("status", status, outcomes, _("Choose the outcome."))
    errors.required("decided_on", decided_on, _("Enter the date."))
    errors.not_future("decided_on", decided_on, local_today())
    errors.not_before(
        "decided_on", decided_on, application.lodged_on, _("the day the application was lodged")
    )
    errors.raise_if_any(_("The asylum application was not updated."))
    application.status = status
    application.decided_on = decided_on
    application.save()
    record_change(
        actor=actor,
        case=case,
        action="asylum.decided",
        obj=application,
        changes={"application": application.pk, "status": status, "decided_on": decided_on},
    )
    return application
