"""Every write of the readmission workflow.

A transition is one service call: lock the application row, look the action up in the
transition table (`workflow`), check the actor's capability and side and the action's guards,
write the new status, the timeline event and the audit entry in one transaction, and notify
the other side once it commits. Deadlines come from the agreements registry and the calendar
engine; they are stored when the clock starts and recomputed only by events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, has
from readmit.accounts.models import Authority, AuthorityKind, User
from readmit.agreements.choices import Category, ClockStart, RuleKey, RuleUnit
from readmit.agreements.deadlines import (
    Deadline,
    RuleValue,
    deadline_extend,
    period_deadline,
    roll_forward_setting,
)
from readmit.agreements.models import Agreement, EvidenceType
from readmit.agreements.selectors import Selection, agreement_select, rules_on
from readmit.audit.services import (
    AuditInput,
    audit_record,
    audit_record_many,
    transmission_record,
)
from readmit.core.bulk import rows_insert, spanning
from readmit.core.calendar import CalendarError, add_period
from readmit.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    IllegalTransition,
    NotFound,
    ValidationFailed,
)
from readmit.core.files import EVIDENCE_TYPES, check_upload
from readmit.core.i18n import Text, in_every_language, local_date, local_datetime, render
from readmit.notifications.services import notify
from readmit.persons.models import Person
from readmit.persons.sharing import shareable_particulars, shareable_particulars_many
from readmit.readmission import workflow
from readmit.readmission.filters import person_search_fields
from readmit.readmission.models import (
    OPEN_STATUSES,
    PLATFORM,
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationPerson,
    ApplicationStatus,
    DueKind,
    EventVisibility,
    Evidence,
    Interview,
    PersonRole,
    PersonStatus,
    Procedure,
    RefusalReason,
    Transfer,
    TravelDocument,
    TravelDocumentKind,
    sides_to_act,
)
from readmit.readmission.workflow import REQUESTED, REQUESTING, SYSTEM, Step
from readmit.returns.models import ReturnCase
from readmit.returns.safeguards import require_clear
from readmit.returns.services import case_mark_documented, case_mark_identified
from readmit.webhooks.events import event_type_of
from readmit.webhooks.services import event_published as webhooks_event_published
from readmit.webhooks.services import subscribed as webhooks_subscribed

# Which category of the agreement an application kind falls under.
_CATEGORY = {
    ApplicationKind.OWN_NATIONALS: Category.OWN_NATIONALS,
    ApplicationKind.NOTIFICATION_ONLY: Category.OWN_NATIONALS,
    ApplicationKind.THIRD_COUNTRY_NATIONALS: Category.THIRD_COUNTRY_NATIONALS,
    ApplicationKind.TRANSIT: Category.TRANSIT,
}

# What each reply carries across the border (a refusal adds its coded and written reasons).
REPLY_FIELDS = ("reference", "person", "status", "reply_on", "td_due", "transfer_due")
TRANSFER_FIELDS = ("reference", "transfer", "status", "persons")

SHARED_MESSAGE_FIELDS = (
    "reference",
    "kind",
    "procedure",
    "agreement",
    "legal_basis",
    "persons",
    "evidence",
    "observations",
)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _side_of(actor: User, application: Application) -> str:
    authority = actor.authority
    assert authority is not None
    if authority.pk == application.requesting_authority_id:
        return REQUESTING
    if authority.state_id == application.requested_state_id and authority.kind in (
        AuthorityKind.CENTRAL_AUTHORITY,
        AuthorityKind.CONSULAR_POST,
    ):
        return REQUESTED
    return ""


def _lock(actor: User | None, application_id: int) -> Application:
    """The application, locked for this transaction, if the actor may see it at all."""
    qs = Application.objects.select_for_update(of=("self",)).select_related(
        "agreement", "requesting_authority", "requested_authority", "requested_state"
    )
    if actor is not None:
        qs = qs.filter(pk__in=Application.objects.visible_to(actor).values("pk"))
    try:
        return qs.get(pk=application_id)
    except Application.DoesNotExist:
        raise NotFound(_("No such application, or it is not visible to you.")) from None


def _check(actor: User | None, side: str, step: Step) -> None:
    """Forbidden unless `actor`, on `side` of the application, may take `step`."""
    if step.side == SYSTEM:
        if actor is not None:
            raise Forbidden(_("Only the platform does this, when a time limit passes."))
        return
    if actor is None:
        return  # the operator at the command line acts for the platform
    if side != step.side:
        raise Forbidden(
            _("Only the %(side)s state can do this.")
            % {"side": _("requesting") if step.side == REQUESTING else _("requested")},
            code="wrong_side",
        )
    if step.capability is not None and not has(actor, step.capability):
        raise Forbidden(
            _("Your role does not allow this: %(capability)s.")
            % {"capability": step.capability.label},
            code="capability_required",
        )


def _may_ever(
    actor: User | None, side: str, table: dict[str, dict[str, Step]], action: str
) -> None:
    """Forbidden (403) when no status of `table` lets this actor take `action` (the other
    side's step, or a capability the role lacks): said before whether the status allows it
    now, so that whoever may never act is not told to wait for another status."""
    refusal: Forbidden | None = None
    for steps in table.values():
        step = steps.get(action)
        if step is None:
            continue
        try:
            _check(actor, side, step)
        except Forbidden as exc:
            refusal = refusal or exc
        else:
            return
    if refusal is not None:
        raise refusal


def require_may_take(actor: User, side: str, action: str) -> None:
    """Forbidden (403) when the actor, on `side` of an application, may take `action` in no
    status: the web page and the API ask before reading the action's form, so that the other
    side, or a role without the capability, is refused as such, not told what to fill in."""
    _may_ever(actor, side, workflow.APPLICATION, action)
    _may_ever(actor, side, workflow.PERSON, action)


def _side(actor: User | None, application: Application) -> str:
    return "" if actor is None else _side_of(actor, application)


def _app_step(actor: User | None, application: Application, action: str) -> Step:
    side = _side(actor, application)
    _may_ever(actor, side, workflow.APPLICATION, action)
    step = workflow.step_for(
        workflow.APPLICATION, application.status, action, what=_("application")
    )
    _check(actor, side, step)
    return step


def _person_step(
    actor: User | None, application: Application, person: ApplicationPerson, action: str
) -> Step:
    side = _side(actor, application)
    _may_ever(actor, side, workflow.PERSON, action)
    step = workflow.step_for(workflow.PERSON, person.status, action, what=_("person's case"))
    _check(actor, side, step)
    return step


# Which of a person's deadlines runs in each status (the reply period runs for the application).
_PERSON_CLOCK = {
    PersonStatus.ACCEPTED: ("td_due", DueKind.TRAVEL_DOCUMENT),
    PersonStatus.TACITLY_ACCEPTED: ("td_due", DueKind.TRAVEL_DOCUMENT),
    PersonStatus.TD_REQUESTED: ("td_due", DueKind.TRAVEL_DOCUMENT),
    PersonStatus.TD_EXPIRED: ("transfer_due", DueKind.TRANSFER),
    PersonStatus.TD_ISSUED: ("transfer_due", DueKind.TRANSFER),
    PersonStatus.TRANSFER_NOTIFIED: ("transfer_due", DueKind.TRANSFER),
    PersonStatus.TRANSFER_CONFIRMED: ("transfer_due", DueKind.TRANSFER),
    PersonStatus.TRANSFER_POSTPONED: ("transfer_due", DueKind.TRANSFER),
    PersonStatus.TRANSFERRED: ("in_error_window_until", DueKind.READMISSION_IN_ERROR),
    PersonStatus.HANDOVER_CONFIRMED: ("in_error_window_until", DueKind.READMISSION_IN_ERROR),
}


def deadline_in_force(
    application: Application, person: ApplicationPerson | None = None
) -> tuple[dt.date | None, str]:
    """The deadline running after a step, and which one it is ("" and None: no clock runs).

    While the application waits for replies it is the reply period; for a person after the
    reply, the travel-document period, then the transfer period, then the readmission-in-error
    window. A deadline the agreement does not configure stays None (unknown, never guessed).
    """
    if application.status in OPEN_STATUSES and application.clock_started_on is not None:
        return application.reply_due, DueKind.REPLY
    if person is None:
        return None, ""
    field, kind = _PERSON_CLOCK.get(PersonStatus(person.status), ("", ""))
    if not field:
        return None, ""
    due = getattr(person, field)
    if due is None and field == "td_due":
        due, kind = person.transfer_due, DueKind.TRANSFER
    return due, kind if due is not None else ""


def _earliest_deadline(
    application: Application, persons: Sequence[ApplicationPerson]
) -> tuple[dt.date | None, str]:
    """The earliest deadline in force among the persons of one step (a transfer of several)."""
    known = [d for d in (deadline_in_force(application, p) for p in persons) if d[0] is not None]
    return min(known) if known else (None, "")


_UNSET: Any = object()


def _keep_sides_to_act(application: Application) -> None:
    """Every step writes the timeline after its status changes: bring the application's
    "who acts next" columns up to date in the same transaction (instance and row)."""
    sides = sides_to_act(
        application.status, set(application.persons.values_list("status", flat=True))
    )
    if sides != (application.requesting_acts, application.requested_acts):
        application.requesting_acts, application.requested_acts = sides
        Application.objects.filter(pk=application.pk).update(
            requesting_acts=sides[0], requested_acts=sides[1]
        )


def _summary_texts(summary: Text) -> tuple[str, dict[str, str]]:
    """A timeline step's summary as stored: in the installation's language (the column), and in
    every interface language (both states read the timeline, each in its own)."""
    texts = in_every_language(summary)
    return texts.get(settings.LANGUAGE_CODE, render(summary))[:300], texts


def _event(
    application: Application,
    *,
    actor: User | None,
    action: str,
    summary: Text,
    at: dt.datetime,
    person: ApplicationPerson | None = None,
    due: dt.date | None = _UNSET,
    due_kind: str = "",
    data: dict[str, Any] | None = None,
    visibility: str = EventVisibility.BOTH,
) -> ApplicationEvent:
    """One step of the timeline: what, who (the platform when no user acts), when, and the
    deadline in force after the step (given, or the one `deadline_in_force` finds)."""
    _keep_sides_to_act(application)
    in_force, in_force_kind = deadline_in_force(application, person)
    if due is _UNSET:
        due, due_kind = in_force, in_force_kind
    elif due is not None and not due_kind and due == in_force:
        due_kind = in_force_kind
    payload = dict(data or {})
    stored, texts = _summary_texts(summary)
    payload["summary_i18n"] = texts
    if due is not None and due_kind:
        payload["due_kind"] = due_kind
    event = ApplicationEvent.objects.create(
        application=application,
        person=person,
        action=action,
        at=at,
        actor_username=actor.get_username() if actor is not None else "",
        actor_authority_code=(
            actor.authority.code if actor is not None and actor.authority else PLATFORM
        ),
        visibility=visibility,
        summary=stored,
        due=due,
        data=payload,
    )
    # Webhooks: queued once the event is committed; a webhook problem never reaches here.
    transaction.on_commit(partial(webhooks_event_published, event))
    return event


record_event = _event  # for the sweep: one way to write the timeline


def _audit(
    actor: User | None,
    action: str,
    obj: Any,
    application: Application,
    changes: dict[str, Any],
    at: dt.datetime,
    reason: str = "",
) -> None:
    audit_record(
        actor=actor,
        action=f"readmission.{action}",
        obj=obj,
        owner_authority_id=application.requesting_authority_id,
        changes={"reference": application.reference, **changes},
        reason=reason,
        at=at,
    )


def application_url(application: Application) -> str:
    return reverse("readmission:application_detail", args=[application.pk])


_url = application_url


def _notify_other_side(
    application: Application,
    *,
    acting_side: str,
    action: str,
    title: Text,
    capability: Capability | None,
) -> None:
    if acting_side == REQUESTING:
        authorities = list(
            Authority.objects.filter(
                state_id=application.requested_state_id,
                kind__in=[AuthorityKind.CENTRAL_AUTHORITY, AuthorityKind.CONSULAR_POST],
                is_active=True,
            )
        )
        authorities = [
            a
            for a in authorities
            if a.kind == AuthorityKind.CENTRAL_AUTHORITY
            or a.pk == application.consular_post_id
            or a.located_in_id == application.requesting_authority.state_id
        ]
    else:
        authorities = [application.requesting_authority]
    notify(
        authorities=authorities,
        capability=capability,
        action=f"readmission.{action}",
        title=title,
        url=_url(application),
        obj=application,
    )


def _transmit(
    actor: User | None,
    application: Application,
    message: str,
    *,
    to_requested: bool,
    fields: Iterable[str],
) -> None:
    """Record the message that crossed the border (DOMAIN.md §1.14 (i)) with the fields it
    carried (`fields` is required: every message says what it sent)."""
    sender: Authority | None
    recipient: Authority | None
    if to_requested:
        sender, recipient, state = (
            application.requesting_authority,
            application.requested_authority,
            application.requested_state_id,
        )
    else:
        sender = (
            actor.authority
            if actor is not None and actor.authority
            else application.requested_authority
        )
        recipient, state = (
            application.requesting_authority,
            application.requesting_authority.state_id,
        )
    if sender is None:
        return
    transmission_record(
        actor=actor,
        sender=sender,
        recipient=recipient,
        recipient_state=state,
        message=message,
        obj=application,
        legal_basis=application.legal_basis or application.agreement.code,
        fields_sent=fields,
    )


def protocol_state(application: Application) -> str:
    """The state whose implementing protocol applies: the party that is not the agreement's
    partner, whichever way the application goes (a Member State requesting Georgia, or
    Georgia requesting a Member State: the Member State's protocol in both cases)."""
    requesting = application.requesting_authority.state_id
    if requesting == application.agreement.partner_id:
        return application.requested_state_id
    return requesting


def _rules(application: Application, on: dt.date) -> dict[str, RuleValue]:
    return rules_on(application.agreement, on=on, member_state=protocol_state(application))


def _count(rule: RuleValue, *, start: dt.date, country: str, roll_forward: bool) -> Deadline:
    """The end of the rule's period from `start` (CalendarError where it cannot be counted)."""
    return period_deadline(
        start=start,
        amount=int(rule.value),
        unit=rule.unit,
        country=country,
        roll_forward=roll_forward,
    )


def _deadline(rule: RuleValue, *, start: dt.date, country: str, roll_forward: bool) -> Deadline:
    """The end of the rule's period, or a refusal in plain words where it cannot be counted."""
    try:
        return _count(rule, start=start, country=country, roll_forward=roll_forward)
    except CalendarError as exc:
        raise ValidationFailed(str(exc), code="calendar_error") from None


def _reference_prefix(authority: Authority, year: int) -> str:
    # "RA" (readmission application) keeps it apart from the return case's reference.
    return f"{authority.code.upper()}-RA-{year}-"


def _reference_last(authority: Authority, prefix: str) -> int:
    """The authority's highest application number under `prefix` (0: none yet)."""
    # Numbers rise with the ids, so the authority's newest application with this prefix holds
    # the highest: walked backwards on the (requesting_authority, id) index, it stops at the
    # first match instead of reading every reference with the prefix (a LIKE cannot use the
    # reference's btree index on PostgreSQL).
    last = (
        Application.objects.filter(requesting_authority=authority, reference__startswith=prefix)
        .order_by("-pk")
        .values_list("reference", flat=True)
        .first()
    )
    return int(last.rsplit("-", 1)[1]) if last else 0


def _reference(authority: Authority, year: int) -> str:
    prefix = _reference_prefix(authority, year)
    return f"{prefix}{_reference_last(authority, prefix) + 1:06d}"


def _references(authority: Authority, year: int, count: int) -> list[str]:
    """The next `count` references at once (the bulk path), read exactly as `_reference` reads
    the next one: the caller inserts them in this order with rising ids, so the newest
    application still holds the highest number for the next `_reference`. Like the single
    path, a concurrent draft taking the same number fails on the reference's unique index
    (and on SQLite the import's IMMEDIATE transaction holds the write lock throughout)."""
    prefix = _reference_prefix(authority, year)
    first = _reference_last(authority, prefix) + 1
    return [f"{prefix}{n:06d}" for n in range(first, first + count)]


# --------------------------------------------------------------------------------------
# Drafting
# --------------------------------------------------------------------------------------


class PersonInput(NamedTuple):
    person_id: int
    role: str
    health_statement: str = ""
    health_consent: bool = False


# What a draft may be (an enum's `values` is worked out anew on every read).
_DRAFT_KINDS = frozenset(ApplicationKind.values) - {ApplicationKind.READMISSION_IN_ERROR.value}
_PROCEDURES = frozenset(Procedure.values)
_ROLES = frozenset(PersonRole.values)


def draft_errors(
    *,
    kind: str,
    procedure: str,
    apprehended_on: dt.date | None,
    knowledge_on: dt.date | None,
    roles: Sequence[str],
    today: dt.date,
) -> dict[str, list[str]]:
    """The rules of a draft that need no database: field name -> messages (empty: none).
    `application_draft`, `applications_draft_bulk` and the import's validation share them."""
    errors: dict[str, list[str]] = {}
    if kind not in _DRAFT_KINDS:
        errors["kind"] = [_("Choose the kind of application.")]
    if procedure not in _PROCEDURES:
        errors["procedure"] = [_("Choose the normal or the accelerated procedure.")]
    if procedure == Procedure.ACCELERATED and apprehended_on is None:
        errors["apprehended_on"] = [_("The accelerated procedure needs the date of apprehension.")]
    for name, day in (("apprehended_on", apprehended_on), ("knowledge_on", knowledge_on)):
        if day is not None and day > today:
            errors.setdefault(name, []).append(_("This date cannot be in the future."))
    if kind == ApplicationKind.THIRD_COUNTRY_NATIONALS and knowledge_on is None:
        errors["knowledge_on"] = [
            _("Say since when the authority knows the person does not fulfil the conditions.")
        ]
    if roles.count(PersonRole.PRINCIPAL) != 1:
        errors["persons"] = [_("An application has exactly one principal person.")]
    if any(r not in _ROLES for r in roles):
        errors.setdefault("persons", []).append(_("Unknown role of a person."))
    return errors


def draft_category(kind: str, *, stateless: bool = False) -> str:
    """The agreement's category an application of `kind` falls under."""
    return Category.STATELESS_PERSONS if stateless else _CATEGORY[ApplicationKind(kind)]


def _selection(
    *, requesting_state: str, requested_state: str, category: str, on: dt.date
) -> Selection:
    return agreement_select(
        requesting_state=requesting_state, requested_state=requested_state, category=category, on=on
    )


def _agreement_for(selection: Selection) -> Agreement:
    if selection.agreement is None:
        raise ValidationFailed(
            selection.reason, code="no_agreement", fields={"requested_state": [selection.reason]}
        )
    return selection.agreement


def _check_draft_persons(
    case_person_id: int | None, persons: Sequence[PersonInput], found: Iterable[int]
) -> None:
    """The persons of a draft are the authority's own (`found`: those of them it has) and
    the principal is the return case's person."""
    if len({p.person_id for p in persons}) != len(persons):
        # The requested state would otherwise reply twice for one person.
        raise ValidationFailed(
            _("Each person can be in the application only once."),
            fields={"family": [_("A person is listed twice.")]},
        )
    if len(set(found)) != len({p.person_id for p in persons}):
        raise NotFound(_("A person in the application is not one of your authority's records."))
    if case_person_id != next(p.person_id for p in persons if p.role == PersonRole.PRINCIPAL):
        raise ValidationFailed(
            _("The principal person must be the person of the return case."),
            fields={"persons": [_("Choose the return case's person as principal.")]},
        )


def _requested_authorities(
    authority: Authority, requested_state: str
) -> tuple[Authority | None, Authority | None]:
    """The requested state's central authority and its consular post in the requesting state."""
    requested_authority = (
        Authority.objects.filter(
            state_id=requested_state, kind=AuthorityKind.CENTRAL_AUTHORITY, is_active=True
        )
        .order_by("pk")
        .first()
    )
    consular_post = (
        Authority.objects.filter(
            state_id=requested_state,
            kind=AuthorityKind.CONSULAR_POST,
            located_in_id=authority.state_id,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
    return requested_authority, consular_post


def _draft_person_values(
    item: PersonInput, particulars: dict[str, Any], today: dt.date
) -> dict[str, Any]:
    """An application person's snapshot (`shareable_particulars`) and search fields, as
    drafting records them."""
    search_text, nationality_codes = person_search_fields(particulars)
    return {
        "particulars": particulars,
        "surname_latin": str(particulars.get("surname_latin", ""))[:200],
        "given_names_latin": str(particulars.get("given_names_latin", ""))[:200],
        "search_text": search_text,
        "nationality_codes": nationality_codes[:60],
        # Only with the person's express consent (DOMAIN.md §1.5, item 5).
        "health_statement": item.health_statement if item.health_consent else "",
        "health_consent_recorded_on": (
            today if item.health_consent and item.health_statement else None
        ),
    }


def _drafted_summary(code: str) -> Text:
    return lambda: _("Application drafted under %(code)s.") % {"code": code}


def _drafted_changes(
    agreement: Agreement, kind: str, procedure: str, requested_state: str, persons: int
) -> dict[str, Any]:
    return {
        "agreement": agreement.code,
        "kind": kind,
        "procedure": procedure,
        "requested_state": requested_state,
        "persons": persons,
    }


@transaction.atomic
def application_draft(
    *,
    actor: User,
    return_case_id: int,
    kind: str,
    requested_state: str,
    persons: Sequence[PersonInput],
    procedure: str = Procedure.NORMAL,
    apprehended_on: dt.date | None = None,
    knowledge_on: dt.date | None = None,
    observations: str = "",
    stateless: bool = False,
) -> Application:
    """Draft an application from a return case under the agreement the registry selects."""
    if not has(actor, Capability.SUBMIT_APPLICATION):
        raise Forbidden(
            _("Your role does not allow drafting applications."), code="capability_required"
        )
    authority = actor.authority
    assert authority is not None
    try:
        case = ReturnCase.objects.get(pk=return_case_id, owner_authority_id=authority.pk)
    except ReturnCase.DoesNotExist:
        raise NotFound(_("No such return case.")) from None
    today = _today()
    errors = draft_errors(
        kind=kind,
        procedure=procedure,
        apprehended_on=apprehended_on,
        knowledge_on=knowledge_on,
        roles=[p.role for p in persons],
        today=today,
    )
    if errors:
        raise ValidationFailed(_("The application was not drafted."), fields=errors)

    agreement = _agreement_for(
        _selection(
            requesting_state=authority.state_id,
            requested_state=requested_state,
            category=draft_category(kind, stateless=stateless),
            on=today,
        )
    )

    person_rows = {
        p.pk: p
        for p in Person.objects.filter(
            owner_authority_id=authority.pk, pk__in=[p.person_id for p in persons]
        )
    }
    _check_draft_persons(case.person_id, persons, person_rows)
    requested_authority, consular_post = _requested_authorities(authority, requested_state)
    now = timezone.now()
    application = Application.objects.create(
        reference=_reference(authority, now.year),
        kind=kind,
        procedure=procedure,
        agreement=agreement,
        requesting_authority=authority,
        requested_state_id=requested_state,
        requested_authority=requested_authority,
        consular_post=consular_post,
        return_case=case,
        legal_basis=f"{agreement.code}",
        apprehended_on=apprehended_on,
        knowledge_on=knowledge_on,
        observations=observations,
    )
    for item in persons:
        ApplicationPerson.objects.create(
            application=application,
            role=item.role,
            person=person_rows[item.person_id],
            **_draft_person_values(item, shareable_particulars(person_rows[item.person_id]), today),
        )
    _event(
        application,
        actor=actor,
        action="drafted",
        at=now,
        visibility=EventVisibility.REQUESTING,
        summary=_drafted_summary(agreement.code),
    )
    _audit(
        actor,
        "application.drafted",
        application,
        application,
        _drafted_changes(agreement, kind, procedure, requested_state, len(persons)),
        now,
    )
    return application


# --------------------------------------------------------------------------------------
# Drafting many at once (the bulk import)
# --------------------------------------------------------------------------------------


class DraftInput(NamedTuple):
    """One application for `applications_draft_bulk`: the arguments `application_draft` takes.
    Like `PersonInput`, a named tuple: an import makes one per row (a frozen dataclass takes
    twice as long to make)."""

    return_case_id: int
    kind: str
    requested_state: str
    persons: Sequence[PersonInput]
    procedure: str = Procedure.NORMAL
    apprehended_on: dt.date | None = None
    knowledge_on: dt.date | None = None
    observations: str = ""
    stateless: bool = False


class DraftLookups:
    """What drafting looks up, kept for one bulk run (an import, across its chunks): the
    registry's agreement selection per (requesting state, requested state, category), and the
    requested state's central authority and consular post per requested state. For one
    requesting authority on one day: the answers hold for both within one transaction."""

    def __init__(self, authority: Authority, today: dt.date) -> None:
        self.authority = authority
        self.today = today
        self._selections: dict[tuple[str, str, str], Selection | DomainError] = {}
        self._authorities: dict[str, tuple[Authority | None, Authority | None]] = {}

    def agreement(self, requested_state: str, category: str) -> Agreement:
        """The agreement `application_draft` would select, or the error it would raise."""
        key = (self.authority.state_id, requested_state, category)
        if key not in self._selections:
            try:
                self._selections[key] = _selection(
                    requesting_state=key[0], requested_state=key[1], category=key[2], on=self.today
                )
            except DomainError as exc:
                self._selections[key] = exc
        found = self._selections[key]
        if isinstance(found, DomainError):
            raise found
        return _agreement_for(found)

    def authorities(self, requested_state: str) -> tuple[Authority | None, Authority | None]:
        if requested_state not in self._authorities:
            self._authorities[requested_state] = _requested_authorities(
                self.authority, requested_state
            )
        return self._authorities[requested_state]


class DraftsRefused(ValidationFailed):
    """Drafts of a bulk call that break a rule; nothing was written. `refused` maps each such
    draft's index to the error `application_draft` raises for the same input."""

    def __init__(self, refused: dict[int, DomainError]) -> None:
        super().__init__(_("The application was not drafted."))
        self.refused = refused


def applications_draft_bulk(
    *,
    actor: User,
    drafts: Sequence[DraftInput],
    lookups: DraftLookups | None = None,
    snapshots: Mapping[int, dict[str, Any]] | None = None,
) -> list[int]:
    """Draft many applications at once (the bulk import), in the caller's transaction, under
    exactly the rules of `application_draft` and with the same rows: the application (its
    reference from the same numbering, taken as one block), each person's snapshot and search
    fields, who acts next, the 'drafted' event (and its webhooks once committed) and the audit
    entry. Every draft is checked before anything is written: if any breaks a rule, nothing is
    and `DraftsRefused` names them all. Returns the applications' ids, in order.

    `snapshots` are the `shareable_particulars` of persons the caller has just created for the
    actor's authority in this transaction (`persons_create_bulk(..., snapshots=...)`), by id:
    those persons are not read back. The others are read, as without it."""
    if not has(actor, Capability.SUBMIT_APPLICATION):
        raise Forbidden(
            _("Your role does not allow drafting applications."), code="capability_required"
        )
    authority = actor.authority
    assert authority is not None
    if not drafts:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("applications_draft_bulk must run inside the caller's transaction")
    today = _today()
    if lookups is None or lookups.authority.pk != authority.pk or lookups.today != today:
        lookups = DraftLookups(authority, today)
    wanted = {d.return_case_id for d in drafts}
    cases: dict[int, int] = {
        pk: person_id
        for pk, person_id in ReturnCase.objects.filter(
            spanning("pk", wanted), owner_authority_id=authority.pk
        ).values_list("pk", "person_id")
        if pk in wanted
    }
    # Each person's snapshot, which also says which persons are the authority's own (those
    # the caller has just created for it, or those read here).
    given = snapshots or {}
    unread = {p.person_id for d in drafts for p in d.persons} - given.keys()
    known = dict(given)
    if unread:
        known.update(
            shareable_particulars_many(
                Person.objects.filter(owner_authority_id=authority.pk, pk__in=unread)
            )
        )

    agreements: list[Agreement] = []
    refused: dict[int, DomainError] = {}
    for index, draft in enumerate(drafts):
        try:
            if draft.return_case_id not in cases:
                raise NotFound(_("No such return case."))
            errors = draft_errors(
                kind=draft.kind,
                procedure=draft.procedure,
                apprehended_on=draft.apprehended_on,
                knowledge_on=draft.knowledge_on,
                roles=[p.role for p in draft.persons],
                today=today,
            )
            if errors:
                raise ValidationFailed(_("The application was not drafted."), fields=errors)
            agreement = lookups.agreement(
                draft.requested_state, draft_category(draft.kind, stateless=draft.stateless)
            )
            _check_draft_persons(
                cases[draft.return_case_id],
                draft.persons,
                {p.person_id for p in draft.persons if p.person_id in known},
            )
        except DomainError as exc:
            refused[index] = exc
            continue
        agreements.append(agreement)
    if refused:
        raise DraftsRefused(refused)

    now = timezone.now()
    references = _references(authority, now.year, len(drafts))
    requesting_acts, requested_acts = sides_to_act(ApplicationStatus.DRAFT, {PersonStatus.PENDING})
    rows = []
    for draft, agreement, reference in zip(drafts, agreements, references, strict=True):
        requested_authority, consular_post = lookups.authorities(draft.requested_state)
        rows.append(
            {
                "reference": reference,
                "kind": draft.kind,
                "procedure": draft.procedure,
                "agreement_id": agreement.pk,
                "requesting_authority_id": authority.pk,
                "requested_state_id": draft.requested_state,
                "requested_authority": requested_authority,
                "consular_post": consular_post,
                "return_case_id": draft.return_case_id,
                "legal_basis": f"{agreement.code}",
                "apprehended_on": draft.apprehended_on,
                "knowledge_on": draft.knowledge_on,
                "observations": draft.observations,
                "requesting_acts": requesting_acts,
                "requested_acts": requested_acts,
            }
        )
    ids = rows_insert(Application, rows, now=now)
    rows_insert(
        ApplicationPerson,
        [
            {
                "application_id": pk,
                "role": item.role,
                "person_id": item.person_id,
                **_draft_person_values(item, known[item.person_id], today),
            }
            for pk, draft in zip(ids, drafts, strict=True)
            for item in draft.persons
        ],
        now=now,
    )
    # The 'drafted' step as `_event` writes it: no clock runs yet, so no deadline.
    # One summary and one event `data` per agreement, shared by its rows (encoded once).
    summaries: dict[str, tuple[str, dict[str, Any]]] = {}
    for agreement in agreements:
        if agreement.code not in summaries:
            summary, texts = _summary_texts(_drafted_summary(agreement.code))
            summaries[agreement.code] = (summary, {"summary_i18n": texts})
    username = actor.get_username()
    event_ids = rows_insert(
        ApplicationEvent,
        [
            {
                "application_id": pk,
                "action": "drafted",
                "at": now,
                "actor_username": username,
                "actor_authority_code": authority.code,
                "visibility": EventVisibility.REQUESTING,
                "summary": summaries[agreement.code][0],
                "due": None,
                "data": summaries[agreement.code][1],
            }
            for pk, agreement in zip(ids, agreements, strict=True)
        ],
        now=now,
    )
    transaction.on_commit(partial(_drafted_published, event_ids))
    label = Application._meta.label_lower
    audit_record_many(
        actor=actor,
        at=now,
        entries=(
            AuditInput(
                "readmission.application.drafted",
                None,
                authority.pk,
                {
                    "reference": reference,
                    **_drafted_changes(
                        agreement, d.kind, d.procedure, d.requested_state, len(d.persons)
                    ),
                },
                object_type=label,
                object_id=pk,
            )
            for pk, reference, agreement, d in zip(ids, references, agreements, drafts, strict=True)
        ),
    )
    return ids


def _drafted_published(event_ids: Sequence[int]) -> None:
    """The webhooks of the committed 'drafted' events, as `_event` queues them one by one;
    the events are read only when an endpoint subscribes to the type."""
    if not webhooks_subscribed(event_type_of("drafted")):
        return
    for start in range(0, len(event_ids), 1000):
        for event in ApplicationEvent.objects.filter(pk__in=event_ids[start : start + 1000]):
            webhooks_event_published(event)


@transaction.atomic
def evidence_add(
    *,
    actor: User,
    application_id: int,
    person_id: int,
    evidence_code: str,
    is_copy: bool = False,
    authenticated: bool = False,
    document_number: str = "",
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    description: str = "",
    upload: IO[bytes] | None = None,
    file_name: str = "",
    is_false: bool = False,
) -> Evidence:
    """Attach a means of evidence from the agreement's catalogue (DOMAIN.md §1.6).

    A copy counts only where the catalogue says so (and, where it says so, only authenticated);
    an expired document counts unless the catalogue says otherwise; a document found to be
    false or falsified (`is_false`) never counts."""
    application = _lock(actor, application_id)
    if _side_of(actor, application) != REQUESTING or not has(actor, Capability.SUBMIT_APPLICATION):
        raise Forbidden(
            _("Only the requesting authority adds evidence."), code="capability_required"
        )
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.INFORMATION_REQUESTED):
        raise Conflict(
            _("Evidence can be added to a draft, or when more information was requested."),
            code="illegal_transition",
        )
    person = application.persons.filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person in this application."))
    evidence_type = EvidenceType.objects.filter(
        agreement=application.agreement, code=evidence_code
    ).first()
    errors: dict[str, list[str]] = {}
    if evidence_type is None:
        errors["evidence_code"] = [
            _("%(code)s does not know this means of evidence. Choose one from its catalogue.")
            % {"code": application.agreement.code}
        ]
    else:
        if is_copy and not evidence_type.copy_counts:
            errors["is_copy"] = [
                _(
                    "Under this agreement a copy of this document does not count; attach the original or choose its “copy” entry."
                )
            ]
        if is_copy and evidence_type.copy_must_be_authenticated and not authenticated:
            errors["authenticated"] = [_("This copy counts only if it is authenticated.")]
        today = _today()
        if expires_on is not None and expires_on < today and not evidence_type.expired_counts:
            errors["expires_on"] = [
                _("An expired document of this kind does not count under this agreement.")
            ]
    if is_false:
        errors["is_false"] = [
            _("A false or falsified document never counts as evidence, under any agreement.")
        ]
    today = _today()
    if issued_on is not None and issued_on > today:
        errors["issued_on"] = [_("The date of issue cannot be in the future.")]
    if issued_on and expires_on and expires_on < issued_on:
        errors["expires_on"] = [_("The expiry date is before the date of issue.")]
    if errors:
        raise ValidationFailed(_("The evidence was not added."), fields=errors)
    assert evidence_type is not None
    checked = None
    if upload is not None:
        checked = check_upload(upload, name=file_name, allowed=EVIDENCE_TYPES)
    evidence = Evidence(
        application=application,
        person=person,
        evidence_type=evidence_type,
        is_copy=is_copy,
        authenticated=authenticated,
        document_number=document_number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        description=description.strip(),
    )
    if upload is not None and checked is not None:
        from django.core.files import File

        suffix = {
            "application/pdf": "pdf",
            "image/jpeg": "jpg",
            "image/png": "png",
            "image/tiff": "tif",
        }
        # The stored name carries no personal data: the original name stays in the row only.
        evidence.file.save(
            f"{checked.sha256[:32]}.{suffix[checked.content_type]}", File(upload), save=False
        )
        evidence.file_name = file_name[:200]
        evidence.content_type = checked.content_type
        evidence.size = checked.size
        evidence.sha256 = checked.sha256
    evidence.save()
    now = timezone.now()
    if application.status != ApplicationStatus.DRAFT:
        _event(
            application,
            actor=actor,
            action="evidence_added",
            at=now,
            person=person,
            summary=lambda: _("Evidence added: %(label)s.") % {"label": evidence_type.label},
        )
    _audit(
        actor,
        "evidence.added",
        evidence,
        application,
        {
            "evidence": evidence_type.code,
            "class": evidence_type.evidence_class,
            "copy": is_copy,
            "sha256": evidence.sha256,
        },
        now,
    )
    return evidence


# --------------------------------------------------------------------------------------
# Submission and the clock
# --------------------------------------------------------------------------------------

# The particulars without which the requested state cannot identify anyone (DOMAIN.md §1.5 (1)).
_MANDATORY = (("surname_latin", "surname"), ("given_names_latin", "given names"), ("sex", "sex"))


def _start_reply_clock(
    application: Application, *, start: dt.date, rules: dict[str, RuleValue]
) -> None:
    key = (
        RuleKey.REPLY_PERIOD_ACCELERATED
        if application.procedure == Procedure.ACCELERATED
        else RuleKey.REPLY_PERIOD_NORMAL
    )
    rule = rules.get(key)
    roll, _source = roll_forward_setting(rules)
    application.clock_started_on = start
    application.calendar_country = application.requested_state_id
    application.roll_forward = roll
    tacit = rules.get(RuleKey.TACIT_ACCEPTANCE)
    application.tacit_acceptance = None if tacit is None else bool(tacit.value)
    application.tacit_acceptance_source = "" if tacit is None else tacit.source[:300]
    if rule is None:
        application.reply_due = None  # not configured: shown as such, never guessed
        application.reply_due_source = ""
        return
    application.reply_due_amount = int(rule.value)
    application.reply_due_unit = rule.unit
    application.reply_due_source = rule.source[:300]
    application.reply_due_confidence = rule.confidence
    try:
        application.reply_due = _count(
            rule, start=start, country=application.requested_state_id, roll_forward=roll
        ).due
    except CalendarError:
        # The period is known but cannot be counted: no holiday calendar of the requested state
        # for the year it reaches (holiday data ends where the `holidays` package's does). The
        # application still goes: its clock runs under the agreement whatever the platform
        # knows. The due date is shown as unknown with the rule, never guessed.
        application.reply_due = None


def _reply_clock_starts_at(rules: dict[str, RuleValue], procedure: str) -> str:
    key = (
        RuleKey.REPLY_PERIOD_ACCELERATED
        if procedure == Procedure.ACCELERATED
        else RuleKey.REPLY_PERIOD_NORMAL
    )
    rule = rules.get(key)
    return rule.clock_start if rule is not None and rule.clock_start else ClockStart.RECEIPT


@transaction.atomic
def application_submit(*, actor: User, application_id: int) -> Application:
    application = _lock(actor, application_id)
    step = _app_step(actor, application, "submit")
    today = _today()
    now = timezone.now()
    persons = list(application.persons.all())
    missing: dict[str, list[str]] = {}
    for person in persons:
        labels = [label for key, label in _MANDATORY if not person.particulars.get(key)]
        if not (person.particulars.get("date_of_birth") or {}).get("year"):
            labels.append("year of birth")
        for label in labels:
            missing.setdefault(f"person_{person.pk}", []).append(
                _("The %(label)s is missing (mandatory particulars).") % {"label": label}
            )
    if missing:
        raise ValidationFailed(
            _("The application cannot be submitted: particulars are missing."), fields=missing
        )
    rules = _rules(application, today)
    # Accelerated procedure: the application must be submitted within the window after apprehension.
    if application.procedure == Procedure.ACCELERATED and application.apprehended_on is not None:
        window = rules.get(RuleKey.ACCELERATED_APPLICATION_WINDOW)
        if window is not None:
            limit = _deadline(
                window,
                start=application.apprehended_on,
                country=application.requesting_authority.state_id,
                roll_forward=True,
            )
            if today > limit.due:
                raise ValidationFailed(
                    _(
                        "The accelerated procedure had to be used by %(due)s (%(value)s %(unit)s after apprehension, %(source)s). Use the normal procedure."
                    )
                    % {
                        "due": local_date(limit.due),
                        "value": window.value,
                        "unit": RuleUnit(window.unit).label,
                        "source": window.source,
                    },
                    fields={"procedure": [_("Too late for the accelerated procedure.")]},
                )
    if (
        application.kind == ApplicationKind.THIRD_COUNTRY_NATIONALS
        and application.knowledge_on is not None
    ):
        window = rules.get(RuleKey.TCN_APPLICATION_WINDOW)
        if window is not None:
            limit = _deadline(
                window,
                start=application.knowledge_on,
                country=application.requesting_authority.state_id,
                roll_forward=True,
            )
            if today > limit.due:
                raise ValidationFailed(
                    _(
                        "A third-country-national application had to be submitted by %(due)s (%(source)s)."
                    )
                    % {"due": local_date(limit.due), "source": window.source},
                    fields={"knowledge_on": [_("The application window has passed.")]},
                )
    if application.return_case_id is not None:
        require_clear(application.return_case, purpose="submit_application", on=today)  # type: ignore[arg-type]

    application.status = step.to
    application.submitted_at = now
    # Delivered on the platform at once: the day of submission is the day of receipt.
    application.received_on = today
    if application.kind == ApplicationKind.NOTIFICATION_ONLY:
        # The person holds a valid travel document: no reply is awaited (DOMAIN.md §1.4).
        for person in persons:
            person.status = _consequence(workflow.PERSON, person.status, "notification_only")
            person.save(update_fields=["status"])
        application.status = _consequence(workflow.APPLICATION, application.status, "all_replied")
        application.replied_at = now
    elif _reply_clock_starts_at(rules, application.procedure) != ClockStart.ACKNOWLEDGEMENT:
        _start_reply_clock(application, start=today, rules=rules)
    application.version += 1
    application.save()
    _event(
        application,
        actor=actor,
        action="submitted",
        at=now,
        due=application.reply_due,
        summary=lambda: (
            _("Application submitted to %(state)s.") % {"state": application.requested_state.name}
        ),
    )
    _audit(
        actor,
        "application.submitted",
        application,
        application,
        {"status": application.status, "reply_due": application.reply_due},
        now,
    )
    _transmit(actor, application, "application", to_requested=True, fields=SHARED_MESSAGE_FIELDS)
    _notify_other_side(
        application,
        acting_side=REQUESTING,
        action="application.submitted",
        title=lambda: _("New readmission application %(ref)s") % {"ref": application.reference},
        capability=Capability.ACKNOWLEDGE_APPLICATION,
    )
    return application


@transaction.atomic
def application_acknowledge(*, actor: User, application_id: int) -> Application:
    application = _lock(actor, application_id)
    step = _app_step(actor, application, "acknowledge")
    today, now = _today(), timezone.now()
    application.status = step.to
    application.acknowledged_on = today
    rules = _rules(application, application.received_on or today)
    if application.clock_started_on is None:
        # CH–AZ Art. 8(2): the reply period runs from the acknowledgement of receipt.
        _start_reply_clock(application, start=today, rules=rules)
    application.version += 1
    application.save()
    _event(
        application,
        actor=actor,
        action="acknowledged",
        at=now,
        due=application.reply_due,
        summary=lambda: _("Receipt acknowledged."),
    )
    _audit(
        actor,
        "application.acknowledged",
        application,
        application,
        {"reply_due": application.reply_due},
        now,
    )
    _transmit(
        actor,
        application,
        "acknowledgement",
        to_requested=False,
        fields=("reference", "acknowledged_on", "reply_due"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="application.acknowledged",
        title=lambda: _("%(ref)s: receipt acknowledged") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return application


@transaction.atomic
def identification_record(
    *, actor: User, application_id: int, result: str, note: str = ""
) -> Application:
    """Record a registry check (civil or passport registry) and its result."""
    application = _lock(actor, application_id)
    step = _app_step(actor, application, "record_identification")
    if not result.strip():
        raise ValidationFailed(
            _("Say what the registry check found."), fields={"result": [_("Enter the result.")]}
        )
    now = timezone.now()
    application.status = step.to
    application.version += 1
    application.save(update_fields=["status", "version"])
    _event(
        application,
        actor=actor,
        action="identification_recorded",
        at=now,
        summary=lambda: _("Registry check: %(result)s") % {"result": result.strip()[:200]},
        data={"note": note[:500]},
    )
    _audit(
        actor, "identification.recorded", application, application, {"result": result[:200]}, now
    )
    _transmit(
        actor,
        application,
        "identification_result",
        to_requested=False,
        fields=("reference", "result"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="identification.recorded",
        title=lambda: _("%(ref)s: registry check recorded") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return application


@transaction.atomic
def interview_request(
    *,
    actor: User,
    application_id: int,
    person_id: int,
    scheduled_for: dt.datetime | None = None,
    place: str = "",
) -> Interview:
    application = _lock(actor, application_id)
    step = _app_step(actor, application, "interview")
    person = application.persons.filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person in this application."))
    now = timezone.now()
    if scheduled_for is not None and scheduled_for < now:
        raise ValidationFailed(
            _("An interview is scheduled in the future."),
            fields={"scheduled_for": [_("Choose a future date and time.")]},
        )
    interview = Interview.objects.create(
        application=application,
        person=person,
        place=place.strip(),
        scheduled_for=scheduled_for,
        status=Interview.Status.SCHEDULED if scheduled_for else Interview.Status.REQUESTED,
    )
    application.status = step.to
    application.version += 1
    application.save(update_fields=["status", "version"])
    _event(
        application,
        actor=actor,
        action="interview_scheduled" if scheduled_for else "interview_requested",
        at=now,
        person=person,
        summary=lambda: (
            (
                _("Interview scheduled for %(when)s at %(place)s.")
                % {"when": local_datetime(scheduled_for), "place": place or "–"}
            )
            if scheduled_for
            else _("Interview requested.")
        ),
    )
    _audit(
        actor,
        "interview.requested",
        interview,
        application,
        {"scheduled_for": scheduled_for, "place": place},
        now,
    )
    _transmit(
        actor,
        application,
        "interview_request",
        to_requested=False,
        fields=("reference", "person", "scheduled_for", "place"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="interview.requested",
        title=lambda: _("%(ref)s: interview") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return interview


@transaction.atomic
def interview_record(
    *,
    actor: User,
    application_id: int,
    interview_id: int,
    held_on: dt.date,
    result: str,
    notes: str = "",
) -> Interview:
    application = _lock(actor, application_id)
    _app_step(actor, application, "interview")
    interview = application.interviews.filter(pk=interview_id).first()
    if interview is None:
        raise NotFound(_("No such interview."))
    errors: dict[str, list[str]] = {}
    if held_on > _today():
        errors["held_on"] = [_("An interview cannot be recorded before it is held.")]
    if result not in Interview.Result.values:
        errors["result"] = [_("Choose the interview's result.")]
    if errors:
        raise ValidationFailed(_("The interview was not recorded."), fields=errors)
    now = timezone.now()
    interview.status, interview.held_on, interview.result, interview.notes = (
        Interview.Status.HELD,
        held_on,
        result,
        notes.strip(),
    )
    interview.save()
    _event(
        application,
        actor=actor,
        action="interview_held",
        at=now,
        person=interview.person,
        summary=lambda: (
            _("Interview held: %(result)s.") % {"result": Interview.Result(result).label}
        ),
    )
    _audit(
        actor, "interview.held", interview, application, {"held_on": held_on, "result": result}, now
    )
    _transmit(
        actor,
        application,
        "interview_result",
        to_requested=False,
        fields=("reference", "person", "held_on", "result"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="interview.held",
        title=lambda: _("%(ref)s: interview held") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return interview


# --------------------------------------------------------------------------------------
# Information requests and extensions
# --------------------------------------------------------------------------------------


@transaction.atomic
def information_request(*, actor: User, application_id: int, question: str) -> Application:
    application = _lock(actor, application_id)
    step = _app_step(actor, application, "request_information")
    if len(question.strip()) < 10:
        raise ValidationFailed(
            _("Say what information is needed."), fields={"question": [_("Write the question.")]}
        )
    now = timezone.now()
    application.status = step.to
    # No agreement in the registry says the clock stops while information is awaited, so it
    # keeps running; the timeline says so (DOMAIN.md has no such clause).
    application.version += 1
    application.save(update_fields=["status", "version"])
    _event(
        application,
        actor=actor,
        action="information_requested",
        at=now,
        due=application.reply_due,
        summary=lambda: (
            _(
                "More information requested. The reply period keeps running (no pause is configured for %(code)s)."
            )
            % {"code": application.agreement.code}
        ),
        data={"question": question.strip()[:2000]},
    )
    _audit(actor, "information.requested", application, application, {}, now)
    _transmit(
        actor,
        application,
        "information_request",
        to_requested=False,
        fields=("reference", "question", "reply_due"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="information.requested",
        title=lambda: _("%(ref)s: more information requested") % {"ref": application.reference},
        capability=Capability.SUBMIT_APPLICATION,
    )
    return application


@transaction.atomic
def information_provide(*, actor: User, application_id: int, answer: str) -> Application:
    application = _lock(actor, application_id)
    step = _app_step(actor, application, "provide_information")
    if not answer.strip():
        raise ValidationFailed(
            _("Write the information."), fields={"answer": [_("Enter the answer.")]}
        )
    now = timezone.now()
    application.status = step.to
    application.version += 1
    application.save(update_fields=["status", "version"])
    _event(
        application,
        actor=actor,
        action="information_provided",
        at=now,
        summary=lambda: _("Information provided."),
        data={"answer": answer.strip()[:4000]},
    )
    _audit(actor, "information.provided", application, application, {}, now)
    _transmit(
        actor,
        application,
        "information",
        to_requested=True,
        fields=("answer", "observations", "evidence"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTING,
        action="information.provided",
        title=lambda: _("%(ref)s: information provided") % {"ref": application.reference},
        capability=Capability.REPLY_APPLICATION,
    )
    return application


@transaction.atomic
def reply_period_extend(
    *, actor: User, application_id: int, amount: int, reason: str
) -> Application:
    """The requested state extends the reply period within the agreement's maximum."""
    application = _lock(actor, application_id)
    _app_step(actor, application, "extend")
    rules = _rules(application, application.received_on or _today())
    maximum = rules.get(RuleKey.REPLY_EXTENSION_MAX)
    errors: dict[str, list[str]] = {}
    if maximum is None:
        raise ValidationFailed(
            _("%(code)s has no configured extension of the reply period, so none can be recorded.")
            % {"code": application.agreement.code},
            code="not_configured",
        )
    if application.reply_due is None:
        raise Conflict(_("The reply period has not started or is not configured."))
    if amount < 1 or amount > int(maximum.value):
        errors["amount"] = [
            _("At most %(max)s %(unit)s (%(source)s).")
            % {"max": maximum.value, "unit": RuleUnit(maximum.unit).label, "source": maximum.source}
        ]
    if len(reason.strip()) < 10:
        errors["reason"] = [
            _("An extension needs a substantiated reason (legal or factual obstacles).")
        ]
    if errors:
        raise ValidationFailed(_("The extension was not recorded."), fields=errors)
    already = application.events.filter(action="extended").exists()
    if already:
        raise Conflict(_("The reply period was already extended once."))
    assert application.clock_started_on is not None and application.reply_due_amount is not None
    current = period_deadline(
        start=application.clock_started_on,
        amount=application.reply_due_amount,
        unit=application.reply_due_unit,
        country=application.calendar_country,
        roll_forward=application.roll_forward,
    )
    extended = deadline_extend(current, amount=amount, unit=maximum.unit, maximum=maximum)
    now = timezone.now()
    previous = application.reply_due
    application.reply_due = extended.due
    application.overdue_since = None
    application.version += 1
    application.save(update_fields=["reply_due", "overdue_since", "version"])
    _event(
        application,
        actor=actor,
        action="extended",
        at=now,
        due=extended.due,
        summary=lambda: (
            _("Reply period extended by %(n)s %(unit)s: due %(due)s (%(source)s).")
            % {
                "n": amount,
                "unit": RuleUnit(maximum.unit).label,
                "due": local_date(extended.due),
                "source": maximum.source,
            }
        ),
        data={"reason": reason.strip()[:2000], "previous_due": str(previous)},
    )
    _audit(
        actor,
        "application.extended",
        application,
        application,
        {"reply_due": [previous, extended.due], "amount": amount},
        now,
        reason=reason.strip(),
    )
    _transmit(
        actor,
        application,
        "extension",
        to_requested=False,
        fields=("reference", "reply_due", "reason"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="application.extended",
        title=lambda: _("%(ref)s: reply period extended") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return application


# --------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------


def acceptance_deadlines(
    application: Application, person: ApplicationPerson, accepted_on: dt.date
) -> dict[str, RuleValue]:
    """The travel document's and the transfer's due dates from the acceptance. One that the
    requested state's calendar cannot count (its holiday data ends before it) stays unknown
    (None), never guessed and never a refusal of the acceptance: returned, field → rule."""
    rules = _rules(application, application.received_on or accepted_on)
    roll, _source = roll_forward_setting(rules)
    person.accepted_on = accepted_on
    unknown: dict[str, RuleValue] = {}
    # Like every deadline of the application, counted in the requested state's calendar: the
    # handover happens at its border (the same choice as `readmit deadlines`).
    for key, field in (
        (RuleKey.TD_ISSUE_PERIOD, "td_due"),
        (RuleKey.TRANSFER_PERIOD, "transfer_due"),
    ):
        rule = rules.get(key)
        if rule is None:
            continue
        try:
            due: dt.date | None = _count(
                rule, start=accepted_on, country=application.requested_state_id, roll_forward=roll
            ).due
        except CalendarError:
            due = None
            unknown[field] = rule
        setattr(person, field, due)
    return unknown


def _unknown_dues(unknown: dict[str, RuleValue]) -> str:
    """What the timeline says of due dates the calendar could not count yet."""
    what = {"td_due": _("Travel document due date"), "transfer_due": _("Transfer due date")}
    return " ".join(
        _(
            "%(what)s unknown: the requested state's working-day calendar does not reach it "
            "yet (%(value)s %(unit)s, %(source)s)."
        )
        % {
            "what": what[field],
            "value": rule.value,
            "unit": RuleUnit(rule.unit).label,
            "source": rule.source,
        }
        for field, rule in unknown.items()
    )


def _consequence(table: dict[str, dict[str, Step]], status: str, action: str) -> str:
    """The next status of a step the platform takes as the consequence of another one (already
    authorised): looked up in the table like every other step."""
    what = _("application") if table is workflow.APPLICATION else _("person's case")
    return workflow.step_for(table, status, action, what=what).to


def _all_replied(application: Application, now: dt.datetime) -> None:
    """After a reply: once nobody waits any more, the application is replied."""
    if (
        application.status in OPEN_STATUSES
        and not application.persons.filter(status=PersonStatus.PENDING).exists()
    ):
        application.status = _consequence(workflow.APPLICATION, application.status, "all_replied")
        application.replied_at = now


def close_if_finished(application: Application, now: dt.datetime) -> bool:
    """Close a replied application once every person is finished (refused, closed or
    withdrawn). The caller holds the application's lock."""
    if application.status != ApplicationStatus.REPLIED or (
        application.persons.exclude(status__in=workflow.FINISHED).exists()
    ):
        return False
    application.status = _consequence(workflow.APPLICATION, application.status, "close")
    application.closed_at = now
    application.version += 1
    application.save(update_fields=["status", "closed_at", "version"])
    _event(
        application,
        actor=None,
        action="closed",
        at=now,
        summary=lambda: _("Application closed: every person's case is finished."),
    )
    _audit(None, "application.closed", application, application, {"status": "closed"}, now)
    return True


@transaction.atomic
def person_reply(
    *,
    actor: User,
    application_id: int,
    person_id: int,
    accept: bool,
    reason: str = "",
    explanation: str = "",
    expected_version: int | None = None,
) -> ApplicationPerson:
    """The requested state's reply for one person: acceptance, or refusal with written reasons."""
    application = _lock(actor, application_id)
    if (
        application.status == ApplicationStatus.REPLIED
        and application.persons.filter(pk=person_id, status=PersonStatus.TACITLY_ACCEPTED).exists()
    ):
        raise Conflict(
            _(
                "Too late: the time limit passed and the transfer was deemed agreed (tacit acceptance)."
            ),
            code="already_tacitly_accepted",
        )
    person = application.persons.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person in this application."))
    if person.status != PersonStatus.PENDING:
        raise Conflict(
            _("This person was already answered (%(status)s).")
            % {"status": PersonStatus(person.status).label},
            code="already_replied",
        )
    _app_step(actor, application, "reply")
    step = _person_step(actor, application, person, "accept" if accept else "refuse")
    errors: dict[str, list[str]] = {}
    if not accept:
        if reason not in RefusalReason.values:
            errors["reason"] = [_("Choose the reason for the refusal.")]
        # Reasons for refusal must be given in writing (CH–AZ Art. 8(3)).
        if len(explanation.strip()) < 20:
            errors["explanation"] = [_("Explain the refusal in writing (at least a sentence).")]
    if errors:
        raise ValidationFailed(_("The reply was not recorded."), fields=errors)
    today, now = _today(), timezone.now()
    person.status = step.to
    person.reply_on = today
    unknown: dict[str, RuleValue] = {}
    if accept:
        unknown = acceptance_deadlines(application, person, today)
    else:
        person.refusal_reason = reason
        person.refusal_explanation = explanation.strip()
    person.save()
    _all_replied(application, now)
    application.version += 1
    application.save(update_fields=["status", "replied_at", "version"])

    def summary() -> str:
        if not accept:
            return _("Refused: %(reason)s.") % {"reason": RefusalReason(reason).label}
        parts = [_("Accepted.")]
        if person.transfer_due:
            parts.append(_("Transfer due by %(due)s.") % {"due": local_date(person.transfer_due)})
        if unknown:
            parts.append(_unknown_dues(unknown))
        return " ".join(parts)

    _event(
        application,
        actor=actor,
        action="accepted" if accept else "refused",
        at=now,
        person=person,
        due=person.transfer_due if accept else None,
        due_kind=DueKind.TRANSFER,
        summary=summary,
        data={} if accept else {"reason": reason, "explanation": explanation.strip()},
    )
    _audit(
        actor,
        "person.accepted" if accept else "person.refused",
        person,
        application,
        {"status": person.status, "reason": reason},
        now,
        reason=explanation.strip(),
    )
    _transmit(
        actor,
        application,
        "reply",
        to_requested=False,
        fields=REPLY_FIELDS if accept else (*REPLY_FIELDS, "refusal_reason", "refusal_explanation"),
    )
    close_if_finished(application, now)
    if accept and application.return_case_id:
        case_mark_identified(actor=None, case_id=application.return_case_id, on=today)
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="person.replied",
        title=lambda: _("%(ref)s: reply received") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return person


# --------------------------------------------------------------------------------------
# Travel documents
# --------------------------------------------------------------------------------------


@transaction.atomic
def travel_document_request(
    *, actor: User, application_id: int, person_id: int
) -> ApplicationPerson:
    application = _lock(actor, application_id)
    person = application.persons.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person in this application."))
    step = _person_step(actor, application, person, "request_td")
    now = timezone.now()
    person.status = step.to
    person.save(update_fields=["status"])
    _event(
        application,
        actor=actor,
        action="td_requested",
        at=now,
        person=person,
        due=person.td_due,
        summary=lambda: _("Travel document requested."),
    )
    _audit(actor, "td.requested", person, application, {}, now)
    _transmit(actor, application, "td_request", to_requested=True, fields=("reference", "person"))
    _notify_other_side(
        application,
        acting_side=REQUESTING,
        action="td.requested",
        title=lambda: _("%(ref)s: travel document requested") % {"ref": application.reference},
        capability=Capability.ISSUE_TRAVEL_DOCUMENT,
    )
    return person


@transaction.atomic
def travel_document_issue(
    *,
    actor: User,
    application_id: int,
    person_id: int,
    kind: str,
    number: str,
    issued_on: dt.date,
    valid_until: dt.date,
) -> TravelDocument:
    application = _lock(actor, application_id)
    person = application.persons.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person in this application."))
    step = _person_step(actor, application, person, "issue_td")
    today = _today()
    errors: dict[str, list[str]] = {}
    if kind not in TravelDocumentKind.values:
        errors["kind"] = [_("Choose the kind of travel document.")]
    if not number.strip():
        errors["number"] = [_("Enter the document number.")]
    if issued_on > today:
        errors["issued_on"] = [_("The date of issue cannot be in the future.")]
    if valid_until <= issued_on:
        errors["valid_until"] = [_("The document must be valid after its date of issue.")]
    rules = _rules(application, application.received_on or today)
    minimum = rules.get(RuleKey.TD_MIN_VALIDITY)
    if minimum is not None and not errors:
        try:
            least = add_period(
                start=issued_on,
                amount=int(minimum.value),
                unit=minimum.unit,
                country=application.requested_state_id,
            )
        except CalendarError as exc:
            raise ValidationFailed(str(exc)) from None
        if valid_until < least:
            errors["valid_until"] = [
                _(
                    "It must be valid for at least %(n)s %(unit)s (%(source)s): until %(day)s or later."
                )
                % {
                    "n": minimum.value,
                    "unit": RuleUnit(minimum.unit).label,
                    "source": minimum.source,
                    "day": local_date(least),
                }
            ]
    if errors:
        raise ValidationFailed(_("The travel document was not recorded."), fields=errors)
    now = timezone.now()
    person.travel_documents.filter(status=TravelDocument.Status.ISSUED).update(
        status=TravelDocument.Status.CANCELLED
    )
    document = TravelDocument.objects.create(
        person=person,
        kind=kind,
        number=number.strip(),
        issued_on=issued_on,
        valid_until=valid_until,
        issued_by=actor.authority,
    )
    person.status = step.to
    person.save(update_fields=["status"])
    _event(
        application,
        actor=actor,
        action="td_issued",
        at=now,
        person=person,
        due=valid_until,
        due_kind=DueKind.VALIDITY,
        summary=lambda: (
            _("Travel document issued (%(kind)s), valid until %(day)s.")
            % {"kind": TravelDocumentKind(kind).label, "day": local_date(valid_until)}
        ),
    )
    _audit(
        actor, "td.issued", document, application, {"kind": kind, "valid_until": valid_until}, now
    )
    _transmit(
        actor,
        application,
        "travel_document",
        to_requested=False,
        fields=("reference", "person", "kind", "number", "issued_on", "valid_until"),
    )
    if application.return_case_id:
        case_mark_documented(actor=None, case_id=application.return_case_id, on=today)
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="td.issued",
        title=lambda: _("%(ref)s: travel document issued") % {"ref": application.reference},
        capability=Capability.NOTIFY_TRANSFER,
    )
    return document


# --------------------------------------------------------------------------------------
# Transfers
# --------------------------------------------------------------------------------------


def _transfer_persons(
    application: Application, person_ids: Sequence[int]
) -> list[ApplicationPerson]:
    persons = list(application.persons.select_for_update().filter(pk__in=person_ids))
    if not persons or len(persons) != len(set(person_ids)):
        raise ValidationFailed(
            _("Choose the persons to transfer."),
            fields={"persons": [_("Choose at least one person of this application.")]},
        )
    return persons


@transaction.atomic
def transfer_notify(
    *,
    actor: User,
    application_id: int,
    person_ids: Sequence[int],
    planned_at: dt.datetime,
    border_crossing_point: str,
    flight: str = "",
    escorts: str = "",
    medical_needs: str = "",
) -> Transfer:
    application = _lock(actor, application_id)
    persons = _transfer_persons(application, person_ids)
    steps = [_person_step(actor, application, p, "notify_transfer") for p in persons]
    today, now = _today(), timezone.now()
    errors: dict[str, list[str]] = {}
    if planned_at <= now:
        errors["planned_at"] = [_("A transfer is notified before it takes place.")]
    if not border_crossing_point.strip():
        errors["border_crossing_point"] = [_("Enter the border crossing point.")]
    rules = _rules(application, application.received_on or today)
    lead = rules.get(RuleKey.TRANSFER_NOTICE_LEAD_TIME)
    if lead is not None and not errors:
        try:
            earliest = add_period(
                start=today,
                amount=int(lead.value),
                unit=lead.unit,
                country=application.requested_state_id,
            )
        except CalendarError as exc:
            raise ValidationFailed(str(exc)) from None
        if planned_at.date() < earliest:
            errors["planned_at"] = [
                _(
                    "The notice must reach the requested state %(n)s %(unit)s before the transfer (%(source)s): the earliest date is %(day)s."
                )
                % {
                    "n": lead.value,
                    "unit": RuleUnit(lead.unit).label,
                    "source": lead.source,
                    "day": local_date(earliest),
                }
            ]
    for person in persons:
        document = person.travel_documents.filter(status=TravelDocument.Status.ISSUED).first()
        if document is not None and document.valid_until < planned_at.date():
            errors["planned_at"] = [
                _("The travel document expires before the transfer (%(day)s).")
                % {"day": local_date(document.valid_until)}
            ]
    if errors:
        raise ValidationFailed(_("The transfer was not notified."), fields=errors)
    if application.return_case_id is not None:
        require_clear(application.return_case, purpose="transfer", on=planned_at.date())  # type: ignore[arg-type]
    confirmation = rules.get(RuleKey.TRANSFER_NOTICE_CONFIRMATION_PERIOD)
    confirmation_due = None
    if confirmation is not None:
        confirmation_due = _deadline(
            confirmation, start=today, country=application.requested_state_id, roll_forward=True
        ).due
    transfer = Transfer.objects.create(
        application=application,
        planned_at=planned_at,
        border_crossing_point=border_crossing_point.strip(),
        flight=flight.strip(),
        escorts=escorts.strip(),
        medical_needs=medical_needs.strip(),
        notified_on=today,
        confirmation_due=confirmation_due,
    )
    transfer.persons.set(persons)
    for person, step in zip(persons, steps, strict=True):
        person.status = step.to
        person.save(update_fields=["status"])
    _event(
        application,
        actor=actor,
        action="transfer_notified",
        at=now,
        # The requested state's confirmation where a rule sets one, else the transfer period.
        due=confirmation_due
        if confirmation_due is not None
        else _earliest_deadline(application, persons)[0],
        due_kind=DueKind.TRANSFER_CONFIRMATION
        if confirmation_due is not None
        else _earliest_deadline(application, persons)[1],
        summary=lambda: (
            _("Transfer notified for %(when)s via %(bcp)s%(flight)s.")
            % {
                "when": local_datetime(planned_at),
                "bcp": border_crossing_point.strip(),
                "flight": f", {_('flight')} {flight.strip()}" if flight.strip() else "",
            }
        ),
        data={"persons": [p.pk for p in persons]},
    )
    _audit(
        actor,
        "transfer.notified",
        transfer,
        application,
        {
            "planned_at": planned_at,
            "border_crossing_point": border_crossing_point,
            "persons": len(persons),
        },
        now,
    )
    _transmit(
        actor,
        application,
        "transfer_notice",
        to_requested=True,
        fields=("planned_at", "border_crossing_point", "flight", "escorts", "medical_needs"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTING,
        action="transfer.notified",
        title=lambda: _("%(ref)s: transfer notified") % {"ref": application.reference},
        capability=Capability.CONFIRM_TRANSFER,
    )
    return transfer


_TRANSFER_EVENTS = {
    "confirm_transfer": "transfer_confirmed",
    "postpone_transfer": "transfer_postponed",
    "carry_out_transfer": "transferred",
    "confirm_handover": "handover_confirmed",
}


def _transfer_transition(
    *,
    actor: User,
    application_id: int,
    transfer_id: int,
    action: str,
    transfer_status: str,
    allowed_from: Sequence[str],
    summary: Text,
    notify_capability: Capability,
    reason: str = "",
    check_safeguards: bool = False,
) -> Transfer:
    application = _lock(actor, application_id)
    transfer = application.transfers.select_for_update().filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFound(_("No such transfer."))
    _may_ever(actor, _side(actor, application), workflow.PERSON, action)
    if transfer.status not in allowed_from:
        raise IllegalTransition(
            _("The transfer is %(status)s: this is not possible now.")
            % {"status": Transfer.Status(transfer.status).label}
        )
    persons = list(transfer.persons.select_for_update())
    steps = [_person_step(actor, application, p, action) for p in persons]
    today, now = _today(), timezone.now()
    if check_safeguards and application.return_case_id is not None:
        require_clear(application.return_case, purpose="transfer", on=today)  # type: ignore[arg-type]
    transfer.status = transfer_status
    if action == "confirm_transfer":
        transfer.confirmed_on = today
    elif action == "carry_out_transfer":
        transfer.carried_out_on = today
    elif action == "confirm_handover":
        transfer.handover_on = today
    elif action == "postpone_transfer":
        transfer.postponement_reason = reason
    transfer.save()
    rules = (
        _rules(application, application.received_on or today)
        if action == "carry_out_transfer"
        else {}
    )
    for person, step in zip(persons, steps, strict=True):
        person.status = step.to
        if action == "carry_out_transfer":
            person.transferred_on = today
            key = (
                RuleKey.READMISSION_IN_ERROR_WINDOW_NATIONALS
                if application.kind
                in (ApplicationKind.OWN_NATIONALS, ApplicationKind.NOTIFICATION_ONLY)
                else RuleKey.READMISSION_IN_ERROR_WINDOW_TCN
            )
            window = rules.get(key)
            if window is not None:
                person.in_error_window_until = _deadline(
                    window,
                    start=today,
                    country=application.requested_state_id,
                    roll_forward=application.roll_forward,
                ).due
            person.travel_documents.filter(status=TravelDocument.Status.ISSUED).update(
                status=TravelDocument.Status.USED
            )
        person.save()
    due, due_kind = _earliest_deadline(application, persons)
    _event(
        application,
        actor=actor,
        action=_TRANSFER_EVENTS[action],
        at=now,
        due=due,
        due_kind=due_kind,
        summary=summary,
        data={"reason": reason} if reason else {},
    )
    _audit(
        actor,
        f"transfer.{transfer_status}",
        transfer,
        application,
        {"status": transfer_status},
        now,
        reason=reason,
    )
    side = _side_of(actor, application)
    _transmit(
        actor,
        application,
        f"transfer_{transfer_status}",
        to_requested=side == REQUESTING,
        fields=(*TRANSFER_FIELDS, "reason") if reason else TRANSFER_FIELDS,
    )
    _notify_other_side(
        application,
        acting_side=side,
        action=f"transfer.{transfer_status}",
        title=lambda: (
            _("%(ref)s: %(what)s") % {"ref": application.reference, "what": render(summary)}
        ),
        capability=notify_capability,
    )
    return transfer


def transfer_confirm(*, actor: User, application_id: int, transfer_id: int) -> Transfer:
    with transaction.atomic():
        return _transfer_transition(
            actor=actor,
            application_id=application_id,
            transfer_id=transfer_id,
            action="confirm_transfer",
            transfer_status=Transfer.Status.CONFIRMED,
            allowed_from=[Transfer.Status.NOTIFIED],
            summary=lambda: _("Transfer confirmed by the requested state."),
            notify_capability=Capability.NOTIFY_TRANSFER,
        )


def transfer_postpone(
    *, actor: User, application_id: int, transfer_id: int, reason: str
) -> Transfer:
    if len(reason.strip()) < 10:
        raise ValidationFailed(
            _("Say why the transfer is postponed."), fields={"reason": [_("Enter the obstacle.")]}
        )
    with transaction.atomic():
        return _transfer_transition(
            actor=actor,
            application_id=application_id,
            transfer_id=transfer_id,
            action="postpone_transfer",
            transfer_status=Transfer.Status.POSTPONED,
            allowed_from=[Transfer.Status.NOTIFIED, Transfer.Status.CONFIRMED],
            summary=lambda: _("Transfer postponed."),
            reason=reason.strip(),
            notify_capability=Capability.CONFIRM_TRANSFER,
        )


def transfer_carry_out(*, actor: User, application_id: int, transfer_id: int) -> Transfer:
    with transaction.atomic():
        return _transfer_transition(
            actor=actor,
            application_id=application_id,
            transfer_id=transfer_id,
            action="carry_out_transfer",
            transfer_status=Transfer.Status.CARRIED_OUT,
            allowed_from=[Transfer.Status.CONFIRMED],
            summary=lambda: _("Transfer carried out."),
            notify_capability=Capability.CONFIRM_TRANSFER,
            check_safeguards=True,
        )


def handover_confirm(*, actor: User, application_id: int, transfer_id: int) -> Transfer:
    with transaction.atomic():
        return _transfer_transition(
            actor=actor,
            application_id=application_id,
            transfer_id=transfer_id,
            action="confirm_handover",
            transfer_status=Transfer.Status.HANDOVER_CONFIRMED,
            allowed_from=[Transfer.Status.CARRIED_OUT],
            summary=lambda: _("Handover confirmed."),
            notify_capability=Capability.VIEW_CASES,
        )


@transaction.atomic
def readmission_in_error_claim(
    *, actor: User, application_id: int, person_id: int, explanation: str
) -> ApplicationPerson:
    """The requested state claims, within the agreement's window, that the conditions were not met."""
    application = _lock(actor, application_id)
    person = application.persons.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person in this application."))
    step = _person_step(actor, application, person, "claim_in_error")
    today, now = _today(), timezone.now()
    if person.in_error_window_until is None:
        raise ValidationFailed(
            _(
                "%(code)s has no configured readmission-in-error window, so the claim cannot be checked against it."
            )
            % {"code": application.agreement.code},
            code="not_configured",
        )
    if today > person.in_error_window_until:
        raise Conflict(
            _("The readmission-in-error window ended on %(day)s.")
            % {"day": local_date(person.in_error_window_until)}
        )
    if len(explanation.strip()) < 20:
        raise ValidationFailed(
            _("Explain why the conditions were not met."),
            fields={"explanation": [_("Explain the claim.")]},
        )
    person.status = step.to
    person.save(update_fields=["status"])
    _event(
        application,
        actor=actor,
        action="in_error_claimed",
        at=now,
        person=person,
        summary=lambda: _("Readmission in error claimed."),
        data={"explanation": explanation.strip()},
    )
    _audit(
        actor, "person.in_error_claimed", person, application, {}, now, reason=explanation.strip()
    )
    _transmit(
        actor,
        application,
        "readmission_in_error",
        to_requested=False,
        fields=("reference", "person", "explanation"),
    )
    _notify_other_side(
        application,
        acting_side=REQUESTED,
        action="person.in_error",
        title=lambda: _("%(ref)s: readmission in error claimed") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return person


@transaction.atomic
def person_close(
    *, actor: User, application_id: int, person_id: int, reason: str = ""
) -> ApplicationPerson:
    """The requesting state closes a person's case: after the handover where the agreement
    configures no readmission-in-error window (otherwise the sweep closes it when the window
    ends), or after a readmission-in-error claim once the person was taken back."""
    application = _lock(actor, application_id)
    person = application.persons.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person in this application."))
    step = _person_step(actor, application, person, "close_case")
    if person.status == PersonStatus.HANDOVER_CONFIRMED and person.in_error_window_until:
        raise Conflict(
            _(
                "The readmission-in-error window runs until %(day)s; the case closes by itself when it ends."
            )
            % {"day": local_date(person.in_error_window_until)},
            code="window_running",
        )
    if person.status == PersonStatus.READMISSION_IN_ERROR and len(reason.strip()) < 10:
        raise ValidationFailed(
            _("Say how the readmission-in-error claim was settled."),
            fields={"reason": [_("Enter how the claim was settled.")]},
        )
    now = timezone.now()
    person.status = step.to
    person.save(update_fields=["status"])
    _event(
        application,
        actor=actor,
        action="person_closed",
        at=now,
        person=person,
        summary=lambda: _("Case closed by the requesting state."),
        data={"reason": reason.strip()[:2000]} if reason.strip() else {},
    )
    _audit(actor, "person.closed", person, application, {}, now, reason=reason.strip())
    _transmit(
        actor,
        application,
        "case_closed",
        to_requested=True,
        fields=("reference", "person", "status", "reason")
        if reason.strip()
        else (
            "reference",
            "person",
            "status",
        ),
    )
    close_if_finished(application, now)
    _notify_other_side(
        application,
        acting_side=REQUESTING,
        action="person.closed",
        title=lambda: _("%(ref)s: case closed") % {"ref": application.reference},
        capability=Capability.VIEW_CASES,
    )
    return person


@transaction.atomic
def application_withdraw(*, actor: User, application_id: int, reason: str) -> Application:
    application = _lock(actor, application_id)
    step = _app_step(actor, application, "withdraw")
    if len(reason.strip()) < 10:
        raise ValidationFailed(
            _("Say why the application is withdrawn."), fields={"reason": [_("Enter the reason.")]}
        )
    was_sent = application.status != ApplicationStatus.DRAFT
    # Each person still in the procedure is withdrawn through the person table: a person whose
    # transfer is notified, carried out or handed over cannot be (postpone the transfer first).
    persons = list(application.persons.select_for_update().exclude(status__in=workflow.FINISHED))
    person_steps = [_person_step(actor, application, p, "withdraw") for p in persons]
    now = timezone.now()
    application.status = step.to
    application.closed_at = now
    application.version += 1
    application.save(update_fields=["status", "closed_at", "version"])
    for person, person_step in zip(persons, person_steps, strict=True):
        person.status = person_step.to
        person.save(update_fields=["status"])
    _event(
        application,
        actor=actor,
        action="withdrawn",
        at=now,
        summary=lambda: _("Application withdrawn."),
        data={"reason": reason.strip()[:2000]},
        visibility=EventVisibility.BOTH if was_sent else EventVisibility.REQUESTING,
    )
    _audit(actor, "application.withdrawn", application, application, {}, now, reason=reason.strip())
    if was_sent:
        _transmit(
            actor, application, "withdrawal", to_requested=True, fields=("reference", "reason")
        )
        _notify_other_side(
            application,
            acting_side=REQUESTING,
            action="application.withdrawn",
            title=lambda: _("%(ref)s: withdrawn") % {"ref": application.reference},
            capability=Capability.VIEW_CASES,
        )
    return application


__all__ = [
    "OPEN_STATUSES",
    "PersonInput",
    "application_acknowledge",
    "application_draft",
    "application_submit",
    "application_withdraw",
    "evidence_add",
    "handover_confirm",
    "identification_record",
    "information_provide",
    "information_request",
    "interview_record",
    "interview_request",
    "person_close",
    "person_reply",
    "readmission_in_error_claim",
    "reply_period_extend",
    "transfer_carry_out",
    "transfer_confirm",
    "transfer_notify",
    "transfer_postpone",
    "travel_document_issue",
    "travel_document_request",
]
