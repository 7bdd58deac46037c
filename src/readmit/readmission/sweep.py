"""The deadline sweep: what the law attaches to the passing of a time limit.

- A reply period that has passed turns silence into tacit acceptance where the agreement
  provides it (the transfer is deemed agreed), and otherwise marks the application overdue.
- Reminders go out a configurable number of days before a reply is due.
- A travel document whose validity ended expires; the persons it covered need a new one.
- A person transferred and handed over is closed once the readmission-in-error window ends.

Each step is idempotent and decided from stored dates and the day it runs for, so running
the sweep twice, or late, gives the same result: a late run still dates a tacit acceptance
from the day after the time limit, not from the day of the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability
from readmit.audit.services import audit_record
from readmit.notifications.services import notify
from readmit.readmission.models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    PersonStatus,
    Reminder,
    TravelDocument,
)
from readmit.readmission.services import acceptance_deadlines
from readmit.webhooks.services import event_published as webhooks_event_published

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    tacitly_accepted: int = 0
    marked_overdue: int = 0
    reminders: int = 0
    documents_expired: int = 0
    persons_closed: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def _event(
    application: Application,
    *,
    action: str,
    summary: str,
    at: dt.datetime,
    due: dt.date | None = None,
    person_id: int | None = None,
) -> None:
    event = ApplicationEvent.objects.create(
        application=application,
        person_id=person_id,
        action=action,
        at=at,
        summary=summary,
        due=due,
        actor_username="",
        actor_authority_code="platform",
    )
    # Webhooks: queued once the event is committed; a webhook problem never reaches here.
    transaction.on_commit(partial(webhooks_event_published, event))


def _expire_reply(
    application_id: int, today: dt.date, now: dt.datetime, report: SweepReport
) -> None:
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("requesting_authority", "agreement")
            .filter(pk=application_id, status__in=OPEN_STATUSES, reply_due__lt=today)
            .first()
        )
        if application is None:
            return  # replied, withdrawn or extended meanwhile: nothing to do
        due = application.reply_due
        assert due is not None
        if application.tacit_acceptance:
            deemed_on = due + dt.timedelta(days=1)
            pending = list(
                application.persons.select_for_update().filter(status=PersonStatus.PENDING)
            )
            for person in pending:
                person.status = PersonStatus.TACITLY_ACCEPTED
                person.reply_on = deemed_on
                acceptance_deadlines(application, person, deemed_on)
                person.save()
            application.status = ApplicationStatus.REPLIED
            application.replied_at = now
            application.version += 1
            application.save(update_fields=["status", "replied_at", "version"])
            _event(
                application,
                action="tacitly_accepted",
                at=now,
                due=due,
                summary=_(
                    "No reply by %(due)s: the transfer is deemed agreed (tacit acceptance, %(source)s)."
                )
                % {
                    "due": due.isoformat(),
                    "source": application.tacit_acceptance_source or application.agreement.code,
                },
            )
            audit_record(
                actor=None,
                action="readmission.application.tacitly_accepted",
                obj=application,
                owner_authority_id=application.requesting_authority_id,
                changes={
                    "reference": application.reference,
                    "reply_due": due,
                    "persons": len(pending),
                },
            )
            notify(
                authorities=[application.requesting_authority],
                capability=Capability.VIEW_CASES,
                action="readmission.application.tacitly_accepted",
                title=_("%(ref)s: tacitly accepted") % {"ref": application.reference},
                obj=application,
            )
            report.tacitly_accepted += 1
        elif application.overdue_since is None:
            application.overdue_since = due + dt.timedelta(days=1)
            application.save(update_fields=["overdue_since"])
            if application.tacit_acceptance is None:
                rule = _("the agreement's rule on tacit acceptance is not configured")
            else:
                rule = _("the agreement does not provide tacit acceptance")
            _event(
                application,
                action="overdue",
                at=now,
                due=due,
                summary=_("No reply by %(due)s: the application is overdue (%(rule)s).")
                % {"due": due.isoformat(), "rule": rule},
            )
            audit_record(
                actor=None,
                action="readmission.application.overdue",
                obj=application,
                owner_authority_id=application.requesting_authority_id,
                changes={"reference": application.reference, "reply_due": due},
            )
            report.marked_overdue += 1


def _remind(today: dt.date, now: dt.datetime, report: SweepReport) -> None:
    for days_before in settings.READMIT_REMINDER_DAYS:
        due = today + dt.timedelta(days=days_before)
        candidates = Application.objects.filter(
            status__in=OPEN_STATUSES, reply_due=due
        ).select_related("requested_state")
        for application in candidates.iterator(chunk_size=500):
            try:
                with transaction.atomic():
                    Reminder.objects.create(
                        application=application, due=due, days_before=days_before, sent_at=now
                    )
                    from readmit.accounts.models import Authority

                    authorities = Authority.objects.filter(
                        state_id=application.requested_state_id, kind="central_authority"
                    )
                    notify(
                        authorities=authorities,
                        capability=Capability.REPLY_APPLICATION,
                        action="readmission.application.reminder",
                        title=_("%(ref)s: reply due in %(n)d days (%(due)s)")
                        % {"ref": application.reference, "n": days_before, "due": due.isoformat()},
                        obj=application,
                    )
                    report.reminders += 1
            except IntegrityError:
                continue  # already reminded


def _expire_documents(today: dt.date, now: dt.datetime, report: SweepReport) -> None:
    expired = TravelDocument.objects.filter(
        status=TravelDocument.Status.ISSUED, valid_until__lt=today
    )
    for document_id in list(expired.values_list("pk", flat=True)[:10000]):
        with transaction.atomic():
            document = (
                TravelDocument.objects.select_for_update()
                .filter(pk=document_id, status=TravelDocument.Status.ISSUED)
                .select_related("person__application")
                .first()
            )
            if document is None:
                continue
            document.status = TravelDocument.Status.EXPIRED
            document.save(update_fields=["status"])
            person = document.person
            if person.status in (
                PersonStatus.TD_ISSUED,
                PersonStatus.TRANSFER_NOTIFIED,
                PersonStatus.TRANSFER_CONFIRMED,
                PersonStatus.TRANSFER_POSTPONED,
            ):
                person.status = PersonStatus.TD_EXPIRED
                person.save(update_fields=["status"])
                _event(
                    person.application,
                    action="td_expired",
                    at=now,
                    person_id=person.pk,
                    due=document.valid_until,
                    summary=_("The travel document expired on %(day)s: a new one is needed.")
                    % {"day": document.valid_until.isoformat()},
                )
            audit_record(
                actor=None,
                action="readmission.td.expired",
                obj=document,
                owner_authority_id=person.application.requesting_authority_id,
                changes={"valid_until": document.valid_until},
            )
            report.documents_expired += 1


def _close_persons(today: dt.date, now: dt.datetime, report: SweepReport) -> None:
    from readmit.readmission.models import ApplicationPerson

    done = ApplicationPerson.objects.filter(
        status=PersonStatus.HANDOVER_CONFIRMED, in_error_window_until__lt=today
    )
    for person_id in list(done.values_list("pk", flat=True)[:10000]):
        with transaction.atomic():
            person = (
                ApplicationPerson.objects.select_for_update()
                .filter(pk=person_id, status=PersonStatus.HANDOVER_CONFIRMED)
                .select_related("application")
                .first()
            )
            if person is None:
                continue
            person.status = PersonStatus.CLOSED
            person.save(update_fields=["status"])
            application = person.application
            _event(
                application,
                action="closed",
                at=now,
                person_id=person.pk,
                summary=_("Closed: the readmission-in-error window ended on %(day)s.")
                % {"day": str(person.in_error_window_until)},
            )
            if not application.persons.exclude(
                status__in=[PersonStatus.CLOSED, PersonStatus.REFUSED, PersonStatus.WITHDRAWN]
            ).exists():
                Application.objects.filter(pk=application.pk).update(
                    status=ApplicationStatus.CLOSED, closed_at=now
                )
            audit_record(
                actor=None,
                action="readmission.person.closed",
                obj=person,
                owner_authority_id=application.requesting_authority_id,
                changes={"reference": application.reference},
            )
            report.persons_closed += 1


def deadline_sweep(*, today: dt.date | None = None, batch: int = 1000) -> SweepReport:
    """Run every step for `today` (the local date by default)."""
    today = today or timezone.localdate()
    now = timezone.now()
    report = SweepReport()
    expired = Application.objects.filter(status__in=OPEN_STATUSES, reply_due__lt=today)
    # Overdue applications without tacit acceptance stay open; skip those already marked.
    expired = expired.exclude(overdue_since__isnull=False, tacit_acceptance=False).exclude(
        overdue_since__isnull=False, tacit_acceptance__isnull=True
    )
    ids = list(expired.order_by("reply_due", "pk").values_list("pk", flat=True))
    for application_id in ids:
        _expire_reply(application_id, today, now, report)
    _remind(today, now, report)
    _expire_documents(today, now, report)
    _close_persons(today, now, report)
    logger.info("Deadline sweep for %s: %s", today.isoformat(), report.as_dict())
    return report
