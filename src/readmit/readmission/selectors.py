"""Reads of applications, always through the viewer's scope and the border between the states.

A requested-state user never receives model instances of the application: `application_view`
builds a plain structure from the shared fields only (SHARED_APPLICATION_FIELDS,
SHARED_PERSON_FIELDS, and the persons' particulars filtered by the persons app's allow-list),
so a template or an API schema cannot reach into the requesting state's return file.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import capabilities_of
from readmit.accounts.models import User
from readmit.agreements.choices import RuleUnit
from readmit.agreements.models import EvidenceType
from readmit.audit.services import access_log_record
from readmit.core.calendar import CalendarError, working_days_between
from readmit.core.compiled import CompiledQuery, CompiledWithLists, model_from_row
from readmit.core.errors import NotFound
from readmit.core.scoping import get_visible
from readmit.persons.sharing import SHAREABLE_FIELDS
from readmit.readmission import workflow
from readmit.readmission.filters import ApplicationFilters, Cursor, apply_filters, order_page
from readmit.readmission.models import (
    OPEN_STATUSES,
    PLATFORM,
    Application,
    ApplicationEvent,
    ApplicationPerson,
    ApplicationStatus,
    EventVisibility,
    Evidence,
    Interview,
    PersonRole,
    Transfer,
    TravelDocument,
    application_scope,
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
# The words one state writes to the other with a step, kept in the event's data under this
# key: what the timeline shows both sides under the step's summary, as the transmission log
# records it sent. Other keys of an event's data (an identification note, the previous due
# date) stay out of the timeline.
EVENT_MESSAGES = {
    "information_requested": "question",
    "information_provided": "answer",
    "extended": "reason",
    "transfer_postponed": "reason",
    "in_error_claimed": "explanation",
    "person_closed": "reason",
    "withdrawn": "reason",
}
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


@functools.cache
def _choices(model: type[Model], name: str) -> dict[Any, Any]:
    field: Any = model._meta.get_field(name)
    return dict(field.flatchoices)


def _display(model: type[Model], name: str, value: Any) -> str:
    """What `get_<name>_display()` shows for `value`, in the active language."""
    return _label(model, name, value, get_language())


@functools.lru_cache(maxsize=4096)
def _label(model: type[Model], name: str, value: Any, _language: str | None) -> str:
    # A few hundred choices in four languages: translated once each, not on every read.
    return str(force_str(_choices(model, name).get(value, value), strings_only=True))


# The reads behind `application_view`, compiled once per database and scope (core.compiled):
# the page and the API read them on every call, and Django's compiling them cost ten times
# what the database spends answering.
_APPLICATION_FIELDS = tuple(f.attname for f in Application._meta.concrete_fields)
_APPLICATION = CompiledQuery(
    lambda scope, pk: (
        Application.objects.in_scope(scope)
        .filter(pk=pk)
        .order_by()
        .values_list(
            *_APPLICATION_FIELDS,
            "agreement__code",
            "agreement__title",
            "requesting_authority__name",
            "requesting_authority__state__name",
            "requested_state__name",
            "requested_authority__name",
            "consular_post__name",
        )
    )
)
# The people's shared fields, read from their own columns (travel documents from theirs).
_PERSON_COLUMNS = tuple(f for f in SHARED_PERSON_FIELDS if f != "travel_documents")
_PERSONS = CompiledQuery(
    lambda _key, pk: (
        ApplicationPerson.objects.filter(application_id=pk)
        .order_by("id")
        .values_list(*_PERSON_COLUMNS)
    )
)
_TRAVEL_DOCUMENTS = CompiledQuery(
    lambda _key, pk: (
        TravelDocument.objects.filter(person__application_id=pk)
        .order_by("person_id", "-issued_on", "-id")
        .values_list("person_id", "id", "kind", "number", "issued_on", "valid_until", "status")
    )
)
_EVIDENCE = CompiledQuery(
    lambda _key, pk: (
        Evidence.objects.filter(application_id=pk)
        .order_by("id")
        .values_list(
            "id",
            "person_id",
            "evidence_type__label",
            "evidence_type__evidence_class",
            "evidence_type__establishes",
            "is_copy",
            "authenticated",
            "document_number",
            "issued_on",
            "expires_on",
            "description",
            "file",
            "content_type",
            "size",
            "sha256",
        )
    )
)
# One row per transfer and person in it (a transfer with nobody: one row, person None).
_TRANSFERS = CompiledQuery(
    lambda _key, pk: (
        Transfer.objects.filter(application_id=pk)
        .order_by("-planned_at", "-id", "persons__id")
        .values_list(
            "id",
            "status",
            "planned_at",
            "border_crossing_point",
            "flight",
            "escorts",
            "medical_needs",
            "confirmation_due",
            "persons__id",
        )
    )
)
_INTERVIEWS = CompiledQuery(
    lambda _key, pk: (
        Interview.objects.filter(application_id=pk)
        .order_by("id")
        .values_list("id", "person_id", "status", "scheduled_for", "place", "held_on", "result")
    )
)
# Keyed by the reader's authority: the requesting authority alone sees its own notes
# (`side_of`), which the filter tells from the application's requesting authority, so that
# the events need not wait for the application's row to be read.
_EVENTS = CompiledQuery(
    lambda authority, pk: (
        ApplicationEvent.objects.filter(application_id=pk)
        .filter(
            Q(visibility=EventVisibility.BOTH) | Q(application__requesting_authority_id=authority)
            if authority is not None
            else Q(visibility=EventVisibility.BOTH)
        )
        .order_by("at", "id")
        .values_list(
            "action",
            "at",
            "actor_username",
            "actor_authority_code",
            "summary",
            "data",
            "due",
            "person_id",
            "id",  # selected so that the order is by selected columns (core.compiled)
        )
    )
)
# On PostgreSQL the application and its lists are one statement (core.compiled).
_APPLICATION_WITH_LISTS = CompiledWithLists(
    _APPLICATION, _TRAVEL_DOCUMENTS, _PERSONS, _TRANSFERS, _EVIDENCE, _INTERVIEWS, _EVENTS
)


def _person(row: tuple[Any, ...], documents: list[tuple[Any, ...]]) -> dict[str, Any]:
    person = dict(zip(_PERSON_COLUMNS, row, strict=True))
    person["particulars"] = {
        k: v for k, v in person["particulars"].items() if k in SHAREABLE_FIELDS
    }
    person["role_label"] = _display(ApplicationPerson, "role", person["role"])
    person["status_label"] = _display(ApplicationPerson, "status", person["status"])
    reason = person["refusal_reason"]
    person["refusal_reason_label"] = (
        _display(ApplicationPerson, "refusal_reason", reason) if reason else ""
    )
    person["travel_documents"] = [
        {
            "id": pk,
            "kind": _display(TravelDocument, "kind", kind),
            "number": number,
            "issued_on": issued_on,
            "valid_until": valid_until,
            "status": _display(TravelDocument, "status", status),
        }
        for _person_id, pk, kind, number, issued_on, valid_until, status in documents
    ]
    return person


@dataclass
class ApplicationView:
    side: str
    data: dict[str, Any]
    actions: dict[str, list[str]] = field(
        default_factory=dict
    )  # "application" / person id → actions
    return_case_id: int | None = None  # requesting side only


def _actions(
    viewer: User, application: Application, side: str, persons: list[dict[str, Any]]
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
        p["status"] not in workflow.FINISHED
        and "withdraw" not in workflow.actions_for(workflow.PERSON, p["status"])
        for p in persons
    ):
        # Withdrawing steps every person still in the procedure; once one is transferred or
        # handed over it cannot be, so the service would refuse: not offered.
        application_actions.remove("withdraw")
    result = {"application": application_actions}
    for person in persons:
        result[str(person["id"])] = allowed(workflow.actions_for(workflow.PERSON, person["status"]))
    return result


def application_view(
    *, viewer: User, application_id: int, purpose: str = "application page"
) -> ApplicationView:
    """The application as this viewer may see it; every read is in the access log."""
    try:
        pk = int(application_id)
    except (TypeError, ValueError):
        pk = 0
    (
        rows,
        (travel_documents, person_rows, transfer_rows, evidence_rows, interview_rows, event_rows),
    ) = _APPLICATION_WITH_LISTS(
        pk, key=application_scope(viewer), list_key=getattr(viewer, "authority_id", None)
    )
    if not rows:
        raise NotFound(_("Not found, or not visible to you."))
    row = rows[0]
    n = len(_APPLICATION_FIELDS)
    application = model_from_row(Application, _APPLICATION_FIELDS, row[:n])
    (
        agreement_code,
        agreement_title,
        requesting_authority,
        requesting_state,
        requested_state,
        requested_authority,
        consular_post,
    ) = row[n:]
    side = side_of(viewer, application)
    documents: dict[int, list[tuple[Any, ...]]] = {}
    for document in travel_documents:
        documents.setdefault(document[0], []).append(document)
    persons = [_person(p, documents.get(p[0], [])) for p in person_rows]
    transfers: dict[int, tuple[Any, ...]] = {}
    transferred: dict[int, list[int]] = {}
    for *transfer, person_id in transfer_rows:
        transfers.setdefault(transfer[0], tuple(transfer))
        people = transferred.setdefault(transfer[0], [])
        if person_id is not None:
            people.append(person_id)
    data: dict[str, Any] = {
        "id": application.pk,
        "reference": application.reference,
        "kind": _display(Application, "kind", application.kind),
        "procedure": _display(Application, "procedure", application.procedure),
        "status": application.status,
        "status_label": _display(Application, "status", application.status),
        "agreement": {"code": agreement_code, "title": agreement_title},
        "legal_basis": application.legal_basis,
        "requesting_authority": requesting_authority,
        "requesting_state": requesting_state,
        "requested_state": requested_state,
        "requested_authority": requested_authority or "",
        "consular_post": consular_post or "",
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
        "persons": persons,
        "evidence": [
            {
                "id": e_id,
                "person_id": person_id,
                "type": label,
                "class": _display(EvidenceType, "evidence_class", evidence_class),
                "establishes": _display(EvidenceType, "establishes", establishes),
                "is_copy": is_copy,
                "authenticated": authenticated,
                "document_number": number,
                "issued_on": issued_on,
                "expires_on": expires_on,
                "description": description,
                "has_file": bool(file),
                "content_type": content_type,
                "size": size,
                "sha256": sha256,
            }
            for (
                e_id,
                person_id,
                label,
                evidence_class,
                establishes,
                is_copy,
                authenticated,
                number,
                issued_on,
                expires_on,
                description,
                file,
                content_type,
                size,
                sha256,
            ) in evidence_rows
        ],
        "transfers": [
            {
                "id": t_id,
                "status": status,
                "status_label": _display(Transfer, "status", status),
                "planned_at": planned_at,
                "border_crossing_point": crossing,
                "flight": flight,
                "escorts": escorts,
                "medical_needs": medical_needs,
                "confirmation_due": confirmation_due,
                "persons": transferred.get(t_id, []),
            }
            for (
                t_id,
                status,
                planned_at,
                crossing,
                flight,
                escorts,
                medical_needs,
                confirmation_due,
            ) in transfers.values()
        ],
        "interviews": [
            {
                "id": i_id,
                "person_id": person_id,
                "status": _display(Interview, "status", status),
                "scheduled_for": scheduled_for,
                "place": place,
                "held_on": held_on,
                "result": _display(Interview, "result", result) if result else "",
            }
            for i_id, person_id, status, scheduled_for, place, held_on, result in interview_rows
        ],
        "events": [
            {
                "action": action,
                "at": at,
                "actor": username or PLATFORM,
                "authority": authority,
                "summary": ApplicationEvent.summary_in_language(summary, event_data),
                "text": str(event_data.get(EVENT_MESSAGES.get(action, ""), "") or ""),
                "due": due,
                "person_id": person_id,
            }
            for (action, at, username, authority, summary, event_data, due, person_id, _id) in (
                event_rows
            )
        ],
    }
    assert set(data) - {"status_label", "reply_rule", "days_left"} <= set(SHARED_APPLICATION_FIELDS)
    access_log_record(
        actor=viewer,
        records=[
            ("readmission.applicationperson", p["id"], application.requesting_authority_id)
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


def step_summary(*, viewer: User, application_id: int, since: dt.datetime) -> str:
    """What the viewer's latest step on the application recorded in its timeline (in the
    reader's language), or "" when it recorded nothing: the page's confirmation says it."""
    row = (
        ApplicationEvent.objects.filter(
            application_id=application_id, at__gte=since, actor_username=viewer.username
        )
        .order_by("-at", "-id")
        .values_list("summary", "data")
        .first()
    )
    return ApplicationEvent.summary_in_language(*row) if row else ""


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
