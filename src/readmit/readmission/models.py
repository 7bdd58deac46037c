"""Readmission applications, the persons in them, evidence, travel documents, transfers and events.

The application is the zone shared with the requested state (ARCHITECTURE.md §3): it holds a
*snapshot* of the particulars the agreement's data-protection article allows, taken when the
application is drafted, and never a reference the requested state could follow into the
requesting state's return file. The link to the return case is on the requesting side only
(`return_case`), and no requested-state view, export or notification reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from readmit.accounts.models import AuthorityKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User


class ApplicationKind(models.TextChoices):
    OWN_NATIONALS = "own_nationals", _("Readmission of own nationals")
    THIRD_COUNTRY_NATIONALS = (
        "third_country_nationals",
        _("Readmission of third-country nationals or stateless persons"),
    )
    NOTIFICATION_ONLY = "notification_only", _("Transfer notification (valid travel document)")
    TRANSIT = "transit", _("Transit")
    READMISSION_IN_ERROR = "readmission_in_error", _("Readmission in error")


class Procedure(models.TextChoices):
    NORMAL = "normal", _("Normal procedure")
    ACCELERATED = "accelerated", _("Accelerated procedure (border apprehension)")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Receipt acknowledged")
    IDENTIFICATION = "identification", _("Identification under way")
    INFORMATION_REQUESTED = "information_requested", _("More information requested")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ACKNOWLEDGED,
        ApplicationStatus.IDENTIFICATION,
        ApplicationStatus.INFORMATION_REQUESTED,
    }
)

# The same, as the plain list the partial indexes' conditions are written with (in this order).
OPEN_STATUS_VALUES = ["submitted", "acknowledged", "identification", "information_requested"]


class PersonRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Minor unmarried child")


class PersonStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting reply")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    TACITLY_ACCEPTED = "tacitly_accepted", _("Tacitly accepted")
    TD_REQUESTED = "td_requested", _("Travel document requested")
    TD_ISSUED = "td_issued", _("Travel document issued")
    TD_EXPIRED = "td_expired", _("Travel document expired")
    TRANSFER_NOTIFIED = "transfer_notified", _("Transfer notified")
    TRANSFER_CONFIRMED = "transfer_confirmed", _("Transfer confirmed")
    TRANSFER_POSTPONED = "transfer_postponed", _("Transfer postponed")
    TRANSFERRED = "transferred", _("Transferred")
    HANDOVER_CONFIRMED = "handover_confirmed", _("Handover confirmed")
    READMISSION_IN_ERROR = "readmission_in_error", _("Readmission in error claimed")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RefusalReason(models.TextChoices):
    """Coded reasons for a refusal, for the statistics; the written explanation is always
    required as well (reasons for refusal must be given in writing: CH–AZ Art. 8(3), DOMAIN.md
    §1.7(4))."""

    NOT_A_NATIONAL = "not_a_national", _("Not a national of the requested state")
    IDENTITY_NOT_ESTABLISHED = "identity_not_established", _("Identity could not be established")
    EVIDENCE_INSUFFICIENT = (
        "evidence_insufficient",
        _("The evidence does not establish the conditions"),
    )
    EVIDENCE_FALSE = "evidence_false", _("The evidence is false")
    CONDITIONS_NOT_MET = "conditions_not_met", _("The agreement's conditions are not met")
    OUT_OF_TIME = "out_of_time", _("The application was submitted out of time")
    EXCEPTION_APPLIES = "exception_applies", _("An exception of the agreement applies")
    OTHER = "other", _("Other reason (explained)")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def bulk_create(
        self, objs: Iterable[Application], *args: Any, **kwargs: Any
    ) -> list[Application]:
        """Rows made in bulk (fixtures, imports) have no people yet: who acts next follows
        from the status alone (a replied application's people decide: set by the caller)."""
        objs = list(objs)
        for obj in objs:
            if obj.status != ApplicationStatus.REPLIED:
                obj.requesting_acts, obj.requested_acts = sides_to_act(obj.status, set())
        return super().bulk_create(objs, *args, **kwargs)

    def visible_to(self, user: User | AnonymousUser) -> ApplicationQuerySet:
        """The requesting authority sees its applications; the requested state's central
        authority sees those addressed to its state, and its consular posts those from the
        state they are located in. Drafts never leave the requesting authority."""
        return self.in_scope(application_scope(user))

    def in_scope(self, scope: Scope | None) -> ApplicationQuerySet:
        """The applications a viewer with this `application_scope` sees (None: none)."""
        if scope is None:
            return self.none()
        if scope.kind == SCOPE_SENDER:
            return self.filter(requesting_authority_id=scope.authority)
        sent = self.exclude(status=ApplicationStatus.DRAFT)
        if scope.kind == SCOPE_STATE:
            return sent.filter(requested_state_id=scope.state)
        # A post serves its own state only (the services assign a post of the requested
        # state), so the requested state comes first: the queues walk its indexes. The host
        # state's senders are a list of ids (a state has a handful), so the condition is on
        # the application's own columns and its indexes serve the queues.
        return sent.filter(
            Q(consular_post_id=scope.authority) | Q(requesting_authority_id__in=scope.senders),
            requested_state_id=scope.state,
        )


SCOPE_SENDER, SCOPE_STATE, SCOPE_POST = "sender", "state", "post"


class Scope(NamedTuple):
    """Everything that decides which applications a viewer sees (`application_scope`).

    `kind` is SENDER (a return authority: its own applications), STATE (a central authority:
    those sent to its state) or POST (a consular post: those of its host state's `senders`,
    or assigned to it, sent to its state).
    """

    kind: str
    authority: int | None = None
    state: str | None = None
    senders: tuple[int, ...] = ()


def application_scope(user: User | AnonymousUser) -> Scope | None:
    """The viewer's scope on applications, or None when they see none.

    The whole input of `ApplicationQuerySet.visible_to`: two viewers with the same scope see
    the same applications, so a read compiled for one scope serves every viewer who has it
    (`core.compiled`).
    """
    from readmit.accounts.capabilities import Capability, has

    if not has(user, Capability.VIEW_CASES):
        return None
    authority = getattr(user, "authority", None)
    if authority is None:
        return None
    if authority.kind in (AuthorityKind.RETURN_AUTHORITY, AuthorityKind.BORDER_POLICE):
        return Scope(SCOPE_SENDER, authority=authority.pk)
    if authority.kind == AuthorityKind.CENTRAL_AUTHORITY:
        return Scope(SCOPE_STATE, state=authority.state_id)
    if authority.kind == AuthorityKind.CONSULAR_POST:
        from readmit.accounts.models import Authority

        # Read once per request: a queue page builds five querysets (the page, four counts).
        senders = getattr(user, "_host_state_senders", None)
        if senders is None:
            senders = tuple(
                Authority.objects.filter(state_id=authority.located_in_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            user._host_state_senders = senders  # type: ignore[union-attr]
        return Scope(SCOPE_POST, authority=authority.pk, state=authority.state_id, senders=senders)
    return None


# Who must act next on an application (the "action needed" queues), besides its status: once
# replied, each side acts while one of its people is in one of these statuses.
REQUESTING_ACTS_STATUSES = frozenset(
    {ApplicationStatus.DRAFT, ApplicationStatus.INFORMATION_REQUESTED}
)
REQUESTED_ACTS_STATUSES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.ACKNOWLEDGED, ApplicationStatus.IDENTIFICATION}
)
REQUESTING_ACTS_PERSON_STATUSES = frozenset(
    {
        PersonStatus.ACCEPTED,
        PersonStatus.TACITLY_ACCEPTED,
        PersonStatus.TD_ISSUED,
        PersonStatus.TD_EXPIRED,
        PersonStatus.TRANSFER_CONFIRMED,
        PersonStatus.TRANSFER_POSTPONED,
    }
)
REQUESTED_ACTS_PERSON_STATUSES = frozenset(
    {PersonStatus.TD_REQUESTED, PersonStatus.TRANSFER_NOTIFIED, PersonStatus.TRANSFERRED}
)


def sides_to_act(status: str, person_statuses: set[str]) -> tuple[bool, bool]:
    """(the requesting side must act, the requested side must act) for an application in
    `status` whose people are in `person_statuses`: what Application.requesting_acts and
    requested_acts hold."""
    replied = status == ApplicationStatus.REPLIED
    return (
        status in REQUESTING_ACTS_STATUSES
        or (replied and bool(person_statuses & REQUESTING_ACTS_PERSON_STATUSES)),
        status in REQUESTED_ACTS_STATUSES
        or (replied and bool(person_statuses & REQUESTED_ACTS_PERSON_STATUSES)),
    )


class Application(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ApplicationKind.choices)
    procedure = models.CharField(
        _("procedure"), max_length=12, choices=Procedure.choices, default=Procedure.NORMAL
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.PROTECT, related_name="applications"
    )
    # No index of their own: the composite indexes below (each side's queues, the newest
    # application) start with them and serve every lookup by either (and the deletes of the
    # referenced row); two indexes fewer to write per application (the bulk import).
    requesting_authority = models.ForeignKey(
        "accounts.Authority",
        on_delete=models.PROTECT,
        related_name="applications_sent",
        db_index=False,
    )
    requested_state = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="applications_received",
        db_index=False,
    )
    requested_authority = models.ForeignKey(
        "accounts.Authority",
        on_delete=models.PROTECT,
        related_name="applications_received",
        null=True,
        blank=True,
    )
    consular_post = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Requesting side only: never rendered to the requested state.
    return_case = models.ForeignKey(
        "returns.ReturnCase", on_delete=models.PROTECT, related_name="applications", null=True
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    apprehended_on = models.DateField(_("apprehended on"), null=True, blank=True)
    knowledge_on = models.DateField(
        _("unlawful stay known since"),
        null=True,
        blank=True,
        help_text=_(
            "For third-country nationals: when the authority learnt the conditions were not met."
        ),
    )
    observations = models.TextField(_("observations"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_on = models.DateField(_("received"), null=True, blank=True)
    acknowledged_on = models.DateField(_("acknowledged"), null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Deadlines, computed when the clock starts and recomputed only by events.
    clock_started_on = models.DateField(null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True, db_index=True)
    reply_due_source = models.CharField(max_length=300, blank=True)
    reply_due_confidence = models.CharField(max_length=12, blank=True)
    reply_due_unit = models.CharField(max_length=16, blank=True)
    reply_due_amount = models.PositiveIntegerField(null=True, blank=True)
    tacit_acceptance = models.BooleanField(null=True)
    tacit_acceptance_source = models.CharField(max_length=300, blank=True)
    clock_paused_on = models.DateField(null=True, blank=True)
    overdue_since = models.DateField(null=True, blank=True)
    calendar_country = models.CharField(max_length=2, blank=True)
    roll_forward = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=0)
    # Who must act next (see sides_to_act), kept by the services with every status change so
    # the "action needed" queues are an index range scan, not a search through the people.
    requesting_acts = models.BooleanField(default=True)
    requested_acts = models.BooleanField(default=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("readmission application")
        verbose_name_plural = _("readmission applications")
        indexes = [
            # The requested state's work queue: open applications, soonest due first.
            models.Index(
                fields=["requested_state", "reply_due", "id"],
                condition=Q(status__in=OPEN_STATUS_VALUES),
                name="application_open_due",
            ),
            models.Index(
                fields=["requesting_authority", "status", "created_at"], name="application_sender"
            ),
            # Both sides' work queues (every status, soonest due first): walked in order and
            # stopped at the first page, whatever mix of statuses a queue asks for.
            models.Index(
                fields=["requested_state", "reply_due", "id"], name="application_requested_due"
            ),
            models.Index(
                fields=["requesting_authority", "reply_due", "id"],
                name="application_requesting_due",
            ),
            # Each side's "action needed" queue, soonest due first.
            models.Index(
                fields=["requested_state", "requested_acts", "reply_due", "id"],
                name="application_requested_acts",
            ),
            models.Index(
                fields=["requesting_authority", "requesting_acts", "reply_due", "id"],
                name="application_requesting_acts",
            ),
            # The requesting side's deadline queues (overdue, due soon, waiting): its open
            # applications only, soonest due first, like application_open_due for the other side.
            models.Index(
                fields=["requesting_authority", "reply_due", "id"],
                condition=Q(status__in=OPEN_STATUS_VALUES),
                name="application_sender_open_due",
            ),
            # The next reference of an authority: its newest application (services._reference).
            models.Index(fields=["requesting_authority", "id"], name="application_sender_newest"),
        ]

    def __str__(self) -> str:
        return self.reference


class ApplicationPerson(models.Model):
    """One person in an application, with the particulars shared with the requested state."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("role"), max_length=12, choices=PersonRole.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=PersonStatus.choices, default=PersonStatus.PENDING
    )
    # Requesting side only.
    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+")
    particulars = models.JSONField(_("particulars"), default=dict)
    health_statement = models.TextField(
        _("statement on help or care needed"),
        blank=True,
        help_text=_("Only with the person's express consent (application form, DOMAIN.md §1.5)."),
    )
    health_consent_recorded_on = models.DateField(null=True, blank=True)
    surname_latin = models.CharField(max_length=200, db_index=True)
    given_names_latin = models.CharField(max_length=200)
    # Derived from the snapshot (readmission.filters.person_search_fields), for the work
    # queue's search and nationality filter: folded names in every script and document
    # numbers; the nationalities' ISO codes between spaces (" AZ RU ").
    search_text = models.TextField(blank=True, editable=False)
    nationality_codes = models.CharField(max_length=60, blank=True, editable=False)
    reply_on = models.DateField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=40, choices=RefusalReason.choices, blank=True)
    refusal_explanation = models.TextField(blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    td_due = models.DateField(null=True, blank=True)
    transfer_due = models.DateField(null=True, blank=True)
    transferred_on = models.DateField(null=True, blank=True)
    in_error_window_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["application_id", "id"]
        indexes = [
            # The work queues' "a person waits for this side": every application with a
            # person in the given statuses, read from the index alone.
            models.Index(fields=["status", "application"], name="application_person_waiting"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(role="principal"),
                name="application_one_principal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.pk}"


class Evidence(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    person = models.ForeignKey(ApplicationPerson, on_delete=models.CASCADE, related_name="evidence")
    evidence_type = models.ForeignKey(
        "agreements.EvidenceType", on_delete=models.PROTECT, related_name="+"
    )
    is_copy = models.BooleanField(_("copy"), default=False)
    authenticated = models.BooleanField(_("authenticated copy"), default=False)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued"), null=True, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    file = models.FileField(upload_to="evidence/%Y/%m/", null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"evidence {self.pk}"


class Interview(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class Result(models.TextChoices):
        NATIONALITY_CONFIRMED = "nationality_confirmed", _("Nationality confirmed")
        NATIONALITY_NOT_CONFIRMED = "nationality_not_confirmed", _("Nationality not confirmed")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    person = models.ForeignKey(
        ApplicationPerson, on_delete=models.CASCADE, related_name="interviews"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    held_on = models.DateField(null=True, blank=True)
    result = models.CharField(max_length=30, choices=Result.choices, blank=True)
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"interview {self.pk}"


class TravelDocumentKind(models.TextChoices):
    NATIONAL_PASSPORT = "national_passport", _("National passport")
    LAISSEZ_PASSER = "laissez_passer", _("Emergency travel document / laissez-passer")
    EU_TRAVEL_DOCUMENT = (
        "eu_travel_document",
        _("European travel document for return (Reg. 2016/1953)"),
    )
    COMMON_PROVISIONAL = "common_provisional", _("Common provisional travel document")


class TravelDocument(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        EXPIRED = "expired", _("Expired")
        USED = "used", _("Used")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey(
        ApplicationPerson, on_delete=models.CASCADE, related_name="travel_documents"
    )
    kind = models.CharField(max_length=24, choices=TravelDocumentKind.choices)
    number = models.CharField(max_length=40)
    issued_on = models.DateField()
    valid_until = models.DateField()
    issued_by = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ISSUED)

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"TD {self.pk}"


class Transfer(models.Model):
    class Status(models.TextChoices):
        NOTIFIED = "notified", _("Notified")
        CONFIRMED = "confirmed", _("Confirmed by the requested state")
        POSTPONED = "postponed", _("Postponed")
        CARRIED_OUT = "carried_out", _("Carried out")
        HANDOVER_CONFIRMED = "handover_confirmed", _("Handover confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transfers")
    persons = models.ManyToManyField(ApplicationPerson, related_name="transfers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOTIFIED)
    planned_at = models.DateTimeField(_("date and time of transfer"))
    border_crossing_point = models.CharField(_("border crossing point"), max_length=200)
    flight = models.CharField(_("flight"), max_length=40, blank=True)
    escorts = models.TextField(_("escorts"), blank=True)
    medical_needs = models.TextField(_("medical assistance needed"), blank=True)
    notified_on = models.DateField()
    confirmation_due = models.DateField(null=True, blank=True)
    confirmed_on = models.DateField(null=True, blank=True)
    carried_out_on = models.DateField(null=True, blank=True)
    handover_on = models.DateField(null=True, blank=True)
    postponement_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-planned_at", "-id"]

    def __str__(self) -> str:
        return f"transfer {self.pk}"


class EventVisibility(models.TextChoices):
    BOTH = "both", _("Both states")
    REQUESTING = "requesting", _("Requesting state only")


# The actor of a step no user took (the deadline sweep, a consequence of another step).
PLATFORM = "platform"


class DueKind(models.TextChoices):
    """Which deadline an event's `due` is (kept in the event's data as "due_kind")."""

    REPLY = "reply", _("Reply due")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document due")
    TRANSFER = "transfer", _("Transfer due")
    READMISSION_IN_ERROR = "readmission_in_error", _("Readmission-in-error window ends")
    TRANSFER_CONFIRMATION = "transfer_confirmation", _("Confirmation of the transfer due")
    VALIDITY = "validity", _("Valid until")


class ApplicationEvent(models.Model):
    """One step of the timeline: what happened, who did it, when, and the deadline it set."""

    # No index of its own: event_timeline (application, at) starts with it and serves it.
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    person = models.ForeignKey(
        ApplicationPerson, on_delete=models.CASCADE, null=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    at = models.DateTimeField(db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_authority_code = models.CharField(max_length=40, blank=True)
    visibility = models.CharField(
        max_length=12, choices=EventVisibility.choices, default=EventVisibility.BOTH
    )
    summary = models.CharField(max_length=300)
    due = models.DateField(null=True, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="event_timeline")]

    def __str__(self) -> str:
        return f"{self.action} @ {self.at:%Y-%m-%d}"

    @property
    def summary_text(self) -> str:
        """The step in the reader's language (each step is stored in every interface language)."""
        return self.summary_in_language(self.summary, self.data)

    @staticmethod
    def summary_in_language(summary: str, data: dict[str, Any]) -> str:
        """`summary_text` from an event's stored `summary` and `data` (reads without instances)."""
        from readmit.core.i18n import pick

        return pick(data.get("summary_i18n"), summary)

    @property
    def due_kind(self) -> str:
        """Which deadline `due` is (a `DueKind` value), "" when no clock ran."""
        return str(self.data.get("due_kind", "")) if self.due is not None else ""

    @property
    def due_label(self) -> str:
        kind = self.due_kind
        return str(DueKind(kind).label) if kind in DueKind.values else ""

    @property
    def actor_label(self) -> str:
        """Who took the step: the user and their authority, or the platform."""
        if self.actor_username:
            return f"{self.actor_username} ({self.actor_authority_code})"
        return str(_("the platform"))


class Reminder(models.Model):
    """A deadline reminder already sent: the sweep never sends the same one twice."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    due = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "due", "days_before"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"reminder {self.application_id} {self.days_before}d"
