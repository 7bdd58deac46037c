"""The deadline sweep: what the law attaches to the passing of a time limit.

- A reply period that has passed turns silence into tacit acceptance where the agreement
  provides it (the transfer is deemed agreed), and otherwise marks the application overdue.
- Reminders go out a configurable number of days before a reply is due.
- A travel document whose validity ended expires; the persons it covered need a new one.
- A person transferred and handed over is closed once the readmission-in-error window ends.

Every change of status is looked up in the transition tables (`workflow`), like a service's,
and locks in the same order as the services: the application first, then its persons and
their documents, so a reply racing the sweep cannot deadlock.

Each step is idempotent and decided from stored dates and the day it runs for, so running
the sweep twice, or late, gives the same result: a late run still dates a tacit acceptance
from the day after the time limit, not from the day of the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from readmit.accounts.capabilities import Capability
from readmit.accounts.models import Authority, AuthorityKind
from readmit.audit.services import audit_record
from readmit.core.i18n import Text, local_date, translatable
from readmit.notifications.services import notify, notify_each
from readmit.readmission import workflow
from readmit.readmission.models import (
    OPEN_STATUSES,
    Application,
    ApplicationPerson,
    DueKind,
    PersonStatus,
    Reminder,
    TravelDocument,
)
from readmit.readmission.services import (
    acceptance_deadlines,
    application_url,
    close_if_finished,
    record_event,
)

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


def _system_step(table: dict[str, dict[str, workflow.Step]], status: str, action: str) -> str:
    """The next status of one of the platform's own steps, from the transition table."""
    step = workflow.step_for(table, status, action, what=action)
    assert step.side == workflow.SYSTEM, f"{action} is not the platform's step"
    return step.to


def _notify_requesting(application: Application, action: str, title: Text) -> None:
    notify(
        authorities=[application.requesting_authority],
        capability=Capability.VIEW_CASES,
        action=f"readmission.{action}",
        title=title,
        url=application_url(application),
        obj=application,
    )


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
            application.status = _system_step(
                workflow.APPLICATION, application.status, "tacit_acceptance"
            )
            pending = list(
                application.persons.select_for_update().filter(status=PersonStatus.PENDING)
            )
            for person in pending:
                person.status = _system_step(workflow.PERSON, person.status, "tacitly_accept")
                person.reply_on = deemed_on
                acceptance_deadlines(application, person, deemed_on)
                person.save()
            application.replied_at = now
            application.version += 1
            application.save(update_fields=["status", "replied_at", "version"])
            record_event(
                application,
                actor=None,
                action="tacitly_accepted",
                at=now,
                due=due,
                due_kind=DueKind.REPLY,
                summary=lambda: (
                    _(
                        "No reply by %(due)s: the transfer is deemed agreed (tacit acceptance, %(source)s)."
                    )
                    % {
                        "due": local_date(due),
                        "source": application.tacit_acceptance_source or application.agreement.code,
                    }
                ),
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
            _notify_requesting(
                application,
                "application.tacitly_accepted",
                _("%(ref)s: tacitly accepted") % {"ref": application.reference},
            )
            report.tacitly_accepted += 1
        elif application.overdue_since is None:
            application.overdue_since = due + dt.timedelta(days=1)
            application.save(update_fields=["overdue_since"])
            if application.tacit_acceptance is None:
                rule = _("the agreement's rule on tacit acceptance is not configured")
            else:
                rule = _("the agreement does not provide tacit acceptance")
            record_event(
                application,
                actor=None,
                action="overdue",
                at=now,
                due=due,
                due_kind=DueKind.REPLY,
                summary=lambda: (
                    _("No reply by %(due)s: the application is overdue (%(rule)s).")
                    % {"due": local_date(due), "rule": rule}
                ),
            )
            audit_record(
                actor=None,
                action="readmission.application.overdue",
                obj=application,
                owner_authority_id=application.requesting_authority_id,
                changes={"reference": application.reference, "reply_due": due},
            )
            _notify_requesting(
                application,
                "application.overdue",
                _("%(ref)s: no reply in time (overdue)") % {"ref": application.reference},
            )
            report.marked_overdue += 1


def _remind(today: dt.date, now: dt.datetime, report: SweepReport, batch: int = 5000) -> None:
    """The reminders due today, in batches: a chunk of applications gets its Reminder rows and
    its notifications in one transaction of a few queries. The unique constraint keeps a
    reminder to one per application, due date and lead time, whoever runs the sweep."""
    for days_before in settings.READMIT_REMINDER_DAYS:
        due = today + dt.timedelta(days=days_before)
        already = Reminder.objects.filter(
            application=OuterRef("pk"), due=due, days_before=days_before
        )
        candidates = (
            Application.objects.filter(status__in=OPEN_STATUSES, reply_due=due)
            .exclude(Exists(already))
            .order_by("pk")
            .only("pk", "public_id", "reference", "requested_state_id")
        )
        after = 0
        while True:
            chunk = list(candidates.filter(pk__gt=after)[:batch])
            if not chunk:
                break
            after = chunk[-1].pk
            with transaction.atomic():
                Reminder.objects.bulk_create(
                    [
                        Reminder(application=a, due=due, days_before=days_before, sent_at=now)
                        for a in chunk
                    ],
                    ignore_conflicts=True,
                )
                # Those another run reminded meanwhile are kept out by the constraint: notify
                # only the applications whose reminder row this run wrote.
                mine = set(
                    Reminder.objects.filter(
                        application_id__in=[a.pk for a in chunk],
                        due=due,
                        days_before=days_before,
                        sent_at=now,
                    ).values_list("application_id", flat=True)
                )
                by_state: dict[str, list[Application]] = {}
                for application in chunk:
                    if application.pk in mine:
                        by_state.setdefault(application.requested_state_id, []).append(application)
                for state_id, applications in by_state.items():
                    notify_each(
                        authorities=Authority.objects.filter(
                            state_id=state_id, kind=AuthorityKind.CENTRAL_AUTHORITY
                        ),
                        capability=Capability.REPLY_APPLICATION,
                        action="readmission.application.reminder",
                        items=[
                            (
                                translatable(
                                    gettext_noop("%(ref)s: reply due in %(n)d days (%(due)s)"),
                                    ref=application.reference,
                                    n=days_before,
                                    due=due,
                                ),
                                application_url(application),
                                application,
                            )
                            for application in applications
                        ],
                    )
                report.reminders += len(mine)


def _expire_documents(today: dt.date, now: dt.datetime, report: SweepReport) -> None:
    expired = TravelDocument.objects.filter(
        status=TravelDocument.Status.ISSUED, valid_until__lt=today
    )
    found = list(expired.values_list("pk", "person__application_id")[:10000])
    for document_id, application_id in found:
        with transaction.atomic():
            # The services' lock order: the application, then the person, then the document.
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("requesting_authority")
                .get(pk=application_id)
            )
            document = (
                TravelDocument.objects.select_for_update(of=("self",))
                .filter(pk=document_id, status=TravelDocument.Status.ISSUED)
                .select_related("person")
                .first()
            )
            if document is None:
                continue  # replaced or used meanwhile
            person = ApplicationPerson.objects.select_for_update().get(pk=document.person_id)
            document.status = TravelDocument.Status.EXPIRED
            document.save(update_fields=["status"])
            if "expire_td" in workflow.PERSON.get(person.status, {}):
                person.status = _system_step(workflow.PERSON, person.status, "expire_td")
                person.save(update_fields=["status"])
                record_event(
                    application,
                    actor=None,
                    action="td_expired",
                    at=now,
                    person=person,
                    due=document.valid_until,
                    due_kind=DueKind.VALIDITY,
                    summary=translatable(
                        gettext_noop(
                            "The travel document expired on %(day)s: a new one is needed."
                        ),
                        day=document.valid_until,
                    ),
                )
                _notify_requesting(
                    application,
                    "td.expired",
                    _("%(ref)s: travel document expired") % {"ref": application.reference},
                )
            audit_record(
                actor=None,
                action="readmission.td.expired",
                obj=document,
                owner_authority_id=application.requesting_authority_id,
                changes={"valid_until": document.valid_until},
            )
            report.documents_expired += 1


def _close_persons(today: dt.date, now: dt.datetime, report: SweepReport) -> None:
    done = ApplicationPerson.objects.filter(
        status=PersonStatus.HANDOVER_CONFIRMED, in_error_window_until__lt=today
    )
    found = list(done.values_list("pk", "application_id")[:10000])
    for person_id, application_id in found:
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("requesting_authority")
                .get(pk=application_id)
            )
            person = (
                ApplicationPerson.objects.select_for_update()
                .filter(pk=person_id, status=PersonStatus.HANDOVER_CONFIRMED)
                .first()
            )
            if person is None:
                continue  # claimed in error or closed meanwhile
            window = person.in_error_window_until
            person.status = _system_step(workflow.PERSON, person.status, "close")
            person.save(update_fields=["status"])
            record_event(
                application,
                actor=None,
                action="person_closed",
                at=now,
                person=person,
                due=window,
                due_kind=DueKind.READMISSION_IN_ERROR,
                summary=translatable(
                    gettext_noop("Closed: the readmission-in-error window ended on %(day)s."),
                    day=str(window),
                ),
            )
            audit_record(
                actor=None,
                action="readmission.person.closed",
                obj=person,
                owner_authority_id=application.requesting_authority_id,
                changes={"reference": application.reference},
            )
            close_if_finished(application, now)
            _notify_requesting(
                application,
                "person.closed",
                _("%(ref)s: case closed") % {"ref": application.reference},
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
