"""Reads of applications, always through the viewer's scope and the border between the states.

A requested-state user never receives model instances of the application: `application_view`
builds a plain structure from the shared fields only (SHARED_APPLICATION_FIELDS,
SHARED_PERSON_FIELDS, and the persons' particulars filtered by the persons app's allow-list),
so a template or an API schema cannot reach into the requesting state's return file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from readmit.accounts.capabilities import capabilities_of
from readmit.accounts.models import User
from readmit.agreements.choices import RuleUnit
from readmit.audit.services import access_log_record
from readmit.core.calendar import CalendarError, working_days_between
from readmit.core.scoping import get_visible
from readmit.persons.sharing import SHAREABLE_FIELDS
from readmit.readmission import workflow
from readmit.readmission.filters import ApplicationFilters, Cursor, apply_filters, order_page
from readmit.readmission.models import (
    OPEN_STATUSES,
    Application,
    ApplicationPerson,
    ApplicationStatus,
    EventVisibility,
    Evidence,
    PersonRole,
)
from readmit.readmission.workflow import REQUESTED, REQUESTING

# Everything of an application a requested-state user can read (ARCHITECTURE.md §3).
SHARED_APPLICATION_FIELDS = (
    "id",
    "reference",
    "kind",
    "procedure",
    "status",
    "agreement",
    "legal_basis",
    "requesting_authority",
    "requesting_state",
    "requested_state",
    "requested_authority",
    "consular_post",
    "apprehended_on",
    "knowledge_on",
    "observations",
    "submitted_at",
    "received_on",
    "acknowledged_on",
    "clock_started_on",
    "reply_due",
    "reply_due_unit",
    "reply_due_source",
    "reply_due_confidence",
    "tacit_acceptance",
    "tacit_acceptance_source",
    "overdue_since",
    "persons",
    "evidence",
    "transfers",
    "events",
    "interviews",
)
SHARED_PERSON_FIELDS = (
    "id",
    "role",
    "status",
    "particulars",
    "health_statement",
    "reply_on",
    "refusal_reason",
    "refusal_explanation",
    "accepted_on",
    "td_due",
    "transfer_due",
    "transferred_on",
    "in_error_window_until",
    "travel_documents",
)


def side_of(viewer: User, application: Application) -> str:
    authority = viewer.authority
    if authority is None:
        return ""
    if authority.pk == application.requesting_authority_id:
        return REQUESTING
    if authority.state_id == application.requested_state_id:
        return REQUESTED
    return ""


def application_queryset(*, viewer: User) -> QuerySet[Application]:
    return Application.objects.visible_to(viewer)


def application_get(*, viewer: User, application_id: int) -> Application:
    return get_visible(
        application_queryset(viewer=viewer).select_related(
            "agreement",
            "requesting_authority__state",
            "requested_state",
            "requested_authority",
            "consular_post",
        ),
        pk=application_id,
    )


def days_left(application: Application, today: dt.date | None = None) -> int | None:
    """Days until the reply is due, counted as the agreement counts them."""
    if application.reply_due is None:
        return None
    today = today or timezone.localdate()
    if application.reply_due_unit == "working_days" and application.calendar_country:
        try:
            return working_days_between(application.calendar_country, today, application.reply_due)
        except CalendarError:
            pass
    return (application.reply_due - today).days


def _rule_text(application: Application) -> str:
    """The reply period as the agreement states it, e.g. "12 calendar days"."""
    if not application.reply_due_amount:
        return ""
    try:
        unit = str(RuleUnit(application.reply_due_unit).label)
    except ValueError:
        unit = application.reply_due_unit
    return f"{application.reply_due_amount} {unit}"


def _person(person: ApplicationPerson) -> dict[str, Any]:
    particulars = {k: v for k, v in person.particulars.items() if k in SHAREABLE_FIELDS}
    return {
        "id": person.pk,
        "role": person.role,
        "role_label": person.get_role_display(),
        "status": person.status,
        "status_label": person.get_status_display(),
        "particulars": particulars,
        "health_statement": person.health_statement,
        "reply_on": person.reply_on,
        "refusal_reason": person.refusal_reason,
        "refusal_reason_label": person.get_refusal_reason_display()
        if person.refusal_reason
        else "",
        "refusal_explanation": person.refusal_explanation,
        "accepted_on": person.accepted_on,
        "td_due": person.td_due,
        "transfer_due": person.transfer_due,
        "transferred_on": person.transferred_on,
        "in_error_window_until": person.in_error_window_until,
        "travel_documents": [
            {
                "id": d.pk,
                "kind": d.get_kind_display(),
                "number": d.number,
                "issued_on": d.issued_on,
                "valid_until": d.valid_until,
                "status": d.get_status_display(),
            }
            for d in person.travel_documents.all()
        ],
    }


@dataclass
class ApplicationView:
    side: str
    data: dict[str, Any]
    actions: dict[str, list[str]] = field(
        default_factory=dict
    )  # "application" / person id → actions
    return_case_id: int | None = None  # requesting side only


def _actions(
    viewer: User, application: Application, side: str, persons: list[ApplicationPerson]
) -> dict[str, list[str]]:
    caps = capabilities_of(viewer)

    def allowed(steps: dict[str, workflow.Step]) -> list[str]:
        return sorted(
            a
            for a, s in steps.items()
            if s.side == side and (s.capability is None or s.capability in caps)
        )

    application_actions = allowed(workflow.actions_for(workflow.APPLICATION, application.status))
    if "withdraw" in application_actions and any(
        p.status not in workflow.FINISHED
        and "withdraw" not in workflow.actions_for(workflow.PERSON, p.status)
        for p in persons
    ):
        # Withdrawing steps every person still in the procedure; once one is transferred or
        # handed over it cannot be, so the service would refuse: not offered.
        application_actions.remove("withdraw")
    result = {"application": application_actions}
    for person in persons:
        result[str(person.pk)] = allowed(workflow.actions_for(workflow.PERSON, person.status))
    return result


def application_view(
    *, viewer: User, application_id: int, purpose: str = "application page"
) -> ApplicationView:
    """The application as this viewer may see it; every read is in the access log."""
    application = application_get(viewer=viewer, application_id=application_id)
    side = side_of(viewer, application)
    persons = list(application.persons.prefetch_related("travel_documents").all())
    events = application.events.all()
    if side != REQUESTING:
        events = events.filter(visibility=EventVisibility.BOTH)
    data: dict[str, Any] = {
        "id": application.pk,
        "reference": application.reference,
        "kind": application.get_kind_display(),
        "procedure": application.get_procedure_display(),
        "status": application.status,
        "status_label": application.get_status_display(),
        "agreement": {"code": application.agreement.code, "title": application.agreement.title},
        "legal_basis": application.legal_basis,
        "requesting_authority": application.requesting_authority.name,
        "requesting_state": application.requesting_authority.state.name,
        "requested_state": application.requested_state.name,
        "requested_authority": application.requested_authority.name
        if application.requested_authority
        else "",
        "consular_post": application.consular_post.name if application.consular_post else "",
        "apprehended_on": application.apprehended_on,
        "knowledge_on": application.knowledge_on,
        "observations": application.observations,
        "submitted_at": application.submitted_at,
        "received_on": application.received_on,
        "acknowledged_on": application.acknowledged_on,
        "reply_due": application.reply_due,
        "reply_due_source": application.reply_due_source,
        "reply_due_confidence": application.reply_due_confidence,
        "clock_started_on": application.clock_started_on,
        "reply_rule": _rule_text(application),
        "reply_due_unit": application.reply_due_unit,
        "days_left": days_left(application) if application.status in OPEN_STATUSES else None,
        "tacit_acceptance": application.tacit_acceptance,
        "tacit_acceptance_source": application.tacit_acceptance_source,
        "overdue_since": application.overdue_since,
        "persons": [_person(p) for p in persons],
        "evidence": [
            {
                "id": e.pk,
                "person_id": e.person_id,
                "type": e.evidence_type.label,
                "class": e.evidence_type.get_evidence_class_display(),
                "establishes": e.evidence_type.get_establishes_display(),
                "is_copy": e.is_copy,
                "authenticated": e.authenticated,
                "document_number": e.document_number,
                "issued_on": e.issued_on,
                "expires_on": e.expires_on,
                "description": e.description,
                "has_file": bool(e.file),
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
            }
            for e in application.evidence.select_related("evidence_type")
        ],
        "transfers": [
            {
                "id": t.pk,
                "status": t.status,
                "status_label": t.get_status_display(),
                "planned_at": t.planned_at,
                "border_crossing_point": t.border_crossing_point,
                "flight": t.flight,
                "escorts": t.escorts,
                "medical_needs": t.medical_needs,
                "confirmation_due": t.confirmation_due,
                "persons": [p.pk for p in t.persons.all()],
            }
            for t in application.transfers.prefetch_related("persons")
        ],
        "interviews": [
            {
                "id": i.pk,
                "person_id": i.person_id,
                "status": i.get_status_display(),
                "scheduled_for": i.scheduled_for,
                "place": i.place,
                "held_on": i.held_on,
                "result": i.get_result_display() if i.result else "",
            }
            for i in application.interviews.all()
        ],
        "events": [
            {
                "action": e.action,
                "at": e.at,
                "actor": e.actor_username or "platform",
                "authority": e.actor_authority_code,
                "summary": e.summary_text,
                "due": e.due,
                "person_id": e.person_id,
            }
            for e in events
        ],
    }
    assert set(data) - {"status_label", "reply_rule", "days_left"} <= set(SHARED_APPLICATION_FIELDS)
    access_log_record(
        actor=viewer,
        records=[
            ("readmission.applicationperson", p.pk, application.requesting_authority_id)
            for p in persons
        ],
        purpose=purpose,
    )
    view = ApplicationView(
        side=side, data=data, actions=_actions(viewer, application, side, persons)
    )
    if side == REQUESTING:
        view.return_case_id = application.return_case_id
    return view


def evidence_get(*, viewer: User, application_id: int, evidence_id: int) -> Evidence:
    application = application_get(viewer=viewer, application_id=application_id)
    evidence = get_visible(Evidence.objects.filter(application=application), pk=evidence_id)
    access_log_record(
        actor=viewer,
        records=[("readmission.evidence", evidence.pk, application.requesting_authority_id)],
        purpose="evidence file",
    )
    return evidence


# --------------------------------------------------------------------------------------
# Work queues
# --------------------------------------------------------------------------------------

QUEUE_NAMES = ("action_needed", "due_soon", "overdue", "waiting")


def _queue(viewer: User, queue: str, today: dt.date) -> QuerySet[Application]:
    authority = viewer.authority
    qs = application_queryset(viewer=viewer)
    requesting = authority is not None and authority.kind in ("return_authority", "border_police")
    soon = Q(
        status__in=OPEN_STATUSES, reply_due__gte=today, reply_due__lte=today + dt.timedelta(days=7)
    )
    if queue == "overdue":
        return qs.filter(status__in=OPEN_STATUSES, reply_due__lt=today)
    if queue == "due_soon":
        return qs.filter(soon)
    if requesting:
        if queue == "waiting":
            return qs.filter(
                status__in=[
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.ACKNOWLEDGED,
                    ApplicationStatus.IDENTIFICATION,
                ]
            )
        return qs.filter(requesting_acts=True)
    if queue == "waiting":
        return qs.filter(status=ApplicationStatus.INFORMATION_REQUESTED)
    return qs.filter(requested_acts=True)


def work_queue(
    *,
    viewer: User,
    queue: str = "action_needed",
    filters: ApplicationFilters | None = None,
    after: Cursor | None = None,
    limit: int = 50,
    today: dt.date | None = None,
) -> list[Application]:
    """One page of a work queue (or of all the viewer's applications: queue "all"), filtered
    and sorted (soonest due first by default), with keyset pagination on (sort value, id).

    Each row carries `principal`: the principal person's shared particulars (names), read
    in one extra query whatever the page size; listing names is an access-logged read."""
    today = today or timezone.localdate()
    if queue == "all":
        qs = application_queryset(viewer=viewer)
    else:
        qs = _queue(viewer, queue if queue in QUEUE_NAMES else "action_needed", today)
    filters = filters or ApplicationFilters()
    qs = apply_filters(qs, filters, today=today)
    rows = list(
        order_page(
            qs.select_related("agreement", "requested_state", "requesting_authority__state"),
            filters.sort,
            after,
            limit,
        )
    )
    principals = {
        p.application_id: p
        for p in ApplicationPerson.objects.filter(
            application_id__in=[a.pk for a in rows], role=PersonRole.PRINCIPAL
        ).only("id", "application_id", "surname_latin", "given_names_latin", "particulars")
    }
    for row in rows:
        principal = principals.get(row.pk)
        row.principal = (  # type: ignore[attr-defined]
            {k: v for k, v in principal.particulars.items() if k in SHAREABLE_FIELDS}
            if principal
            else {}
        )
    if principals:
        access_log_record(
            actor=viewer,
            records=[
                ("readmission.applicationperson", p.pk, row.requesting_authority_id)
                for row in rows
                if (p := principals.get(row.pk))
            ],
            purpose="work queue",
        )
    return rows


QUEUE_COUNT_CAP = 1000


def queue_counts(*, viewer: User, today: dt.date | None = None) -> dict[str, int]:
    """How many applications each queue holds, counted up to QUEUE_COUNT_CAP + 1 at most (a
    LIMIT subquery), so a page load never counts a whole large scope: a value above the cap
    means "more than QUEUE_COUNT_CAP"."""
    today = today or timezone.localdate()
    # Counted in the queues' own order (soonest due first): the planner then walks the queue's
    # index and stops at the cap. Unordered, PostgreSQL may bet on a sequential scan finding
    # the cap early, and read most of the table when the matches sit at its far end.
    return {
        name: _queue(viewer, name, today).order_by("reply_due", "id")[: QUEUE_COUNT_CAP + 1].count()
        for name in QUEUE_NAMES
    }
