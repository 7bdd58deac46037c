"""The event types a webhook endpoint can subscribe to: one per action of the application's
timeline (`readmission.models.ApplicationEvent.action`), named `application.<action>`."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENT_TYPES: dict[str, str | Promise] = {  # tests/webhooks checks it against the services
    "application.drafted": _("Application drafted (requesting authority only)"),
    "application.evidence_added": _("Evidence added"),
    "application.submitted": _("Application submitted"),
    "application.acknowledged": _("Receipt acknowledged"),
    "application.identification_recorded": _("Identification recorded"),
    "application.interview_requested": _("Interview requested"),
    "application.interview_scheduled": _("Interview scheduled"),
    "application.interview_held": _("Interview held"),
    "application.information_requested": _("More information requested"),
    "application.information_provided": _("Information provided"),
    "application.extended": _("Reply period extended"),
    "application.accepted": _("Person accepted"),
    "application.refused": _("Person refused"),
    "application.tacitly_accepted": _("Person tacitly accepted"),
    "application.overdue": _("Reply overdue"),
    "application.td_requested": _("Travel document requested"),
    "application.td_issued": _("Travel document issued"),
    "application.td_expired": _("Travel document expired"),
    "application.transfer_notified": _("Transfer notified"),
    "application.transfer_confirmed": _("Transfer confirmed"),
    "application.transfer_postponed": _("Transfer postponed"),
    "application.transferred": _("Transfer carried out"),
    "application.handover_confirmed": _("Handover confirmed"),
    "application.in_error_claimed": _("Readmission in error claimed"),
    "application.person_closed": _("A person's case closed"),
    "application.closed": _("Closed"),
    "application.withdrawn": _("Application withdrawn"),
}


def event_type_of(action: str) -> str:
    return f"application.{action}"
