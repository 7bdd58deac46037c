"""The national return file (requesting state only; it never crosses to another state).

A return case holds the return decision with its voluntary-departure period and entry ban,
appeals, asylum applications, detention episodes, postponements, vulnerability assessments
and the risk of absconding (Return Directive 2008/115/EC; DOMAIN.md §3). The legal numbers
(voluntary-departure range, detention caps, entry-ban maximum) are `PolicyRule` rows, never
constants. Models hold fields and constraints; rules live in the services and selectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from readmit.accounts.capabilities import Capability, has
from readmit.returns.choices import (
    ACTIVE_STATUSES,
    AppealStatus,
    AsylumStatus,
    Availability,
    CaseStatus,
    Confidence,
    DetentionExtensionReason,
    DetentionGround,
    PolicyKey,
    PolicyUnit,
    PostponementReason,
    StopCode,
    VoluntaryDepartureReason,
)

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User


class PolicyRule(models.Model):
    """One legal number of return policy, EU-wide (state empty) or for one state, from a day.

    DOMAIN.md §3 design note: RD and entry-ban durations and detention caps are policy
    configuration; they change when the 2025 Return Regulation applies.
    """

    key = models.CharField(_("rule"), max_length=40, choices=PolicyKey.choices)
    value = models.PositiveIntegerField(_("value"))
    unit = models.CharField(_("unit"), max_length=10, choices=PolicyUnit.choices)
    state = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("state"),
        help_text=_("Empty: the EU-wide default."),
    )
    valid_from = models.DateField(_("valid from"))
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["key", "state_id", "-valid_from"]
        verbose_name = _("policy rule")
        verbose_name_plural = _("policy rules")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "valid_from"],
                condition=Q(state__isnull=True),
                name="policy_rule_unique_default",
            ),
            models.UniqueConstraint(
                fields=["key", "state", "valid_from"],
                condition=Q(state__isnull=False),
                name="policy_rule_unique_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} {self.unit}"


class ReturnCaseQuerySet(models.QuerySet["ReturnCase"]):
    def visible_to(self, user: User | AnonymousUser) -> ReturnCaseQuerySet:
        """Only the owning authority's users who may view cases; nobody else, ever."""
        if not has(user, Capability.VIEW_CASES):
            return self.none()
        authority_id = getattr(user, "authority_id", None)
        if authority_id is None:
            return self.none()
        return self.filter(owner_authority_id=authority_id)


class ReturnCase(models.Model):
    # No index of its own: return_case_newest (owner_authority, -id) and the unique
    # (owner_authority, reference) start with it and serve it.
    owner_authority = models.ForeignKey(
        "accounts.Authority",
        on_delete=models.PROTECT,
        related_name="return_cases",
        verbose_name=_("owner authority"),
        db_index=False,
    )
    person = models.ForeignKey(
        "persons.Person",
        on_delete=models.PROTECT,
        related_name="return_cases",
        verbose_name=_("person"),
    )
    # Generated, e.g. DE-LEA-BERLIN-2026-000123: no personal data, safe in URLs and logs.
    reference = models.CharField(_("reference"), max_length=60)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    # Readiness (Frontex IRMA dataset 3, DOMAIN.md §5.9). Identified and documented are set
    # from the readmission application (accepted reply, travel document issued).
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    identified_source = models.CharField(_("identified by"), max_length=200, blank=True)
    documented_on = models.DateField(_("documented on"), null=True, blank=True)
    documented_source = models.CharField(_("documented by"), max_length=200, blank=True)
    availability = models.CharField(
        _("availability"),
        max_length=30,
        choices=Availability.choices,
        default=Availability.UNKNOWN,
    )
    availability_on = models.DateField(_("availability recorded on"), null=True, blank=True)
    # Risk of absconding: None = not assessed.
    risk_of_absconding = models.BooleanField(_("risk of absconding"), null=True, blank=True)
    risk_of_absconding_reason = models.TextField(_("reasons"), blank=True)
    risk_of_absconding_on = models.DateField(_("assessed on"), null=True, blank=True)
    # The entry ban runs from the actual departure (CJEU C-225/16 Ouhrami).
    actual_departure = models.DateField(_("actual departure"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    objects = ReturnCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("return case")
        verbose_name_plural = _("return cases")
        # The case list pages an authority's cases newest first (keyset on the id).
        indexes = [models.Index(fields=["owner_authority", "-id"], name="return_case_newest")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_authority", "reference"], name="return_case_unique_reference"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES]),
                name="return_case_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseReferenceCounter(models.Model):
    """The last case number an authority gave in a year; locked while a number is taken."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.authority_id}/{self.year}: {self.last_number}"


class ReturnDecision(models.Model):
    """The return decision (Return Directive Art. 6), one current per case.

    A new decision replaces the current one with a reason; the replaced row is kept.
    """

    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="decisions")
    issuing_authority = models.CharField(_("issuing authority"), max_length=200)
    reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    decided_on = models.DateField(_("decision date"))
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    # Voluntary departure (Art. 7).
    vd_granted = models.BooleanField(_("voluntary departure granted"))
    vd_refusal_reason = models.CharField(
        _("reason for refusing"),
        max_length=40,
        choices=VoluntaryDepartureReason.choices,
        blank=True,
    )
    vd_refusal_note = models.TextField(_("refusal: details"), blank=True)
    vd_start = models.DateField(_("voluntary departure from"), null=True, blank=True)
    vd_end = models.DateField(_("voluntary departure until"), null=True, blank=True)
    vd_extended_until = models.DateField(_("extended until"), null=True, blank=True)
    vd_extension_reason = models.TextField(_("reason for the extension"), blank=True)
    vd_shortened_until = models.DateField(_("shortened to end on"), null=True, blank=True)
    vd_shortening_reason = models.CharField(
        _("reason for shortening"),
        max_length=40,
        choices=VoluntaryDepartureReason.choices,
        blank=True,
    )
    vd_shortening_note = models.TextField(_("shortening: details"), blank=True)
    # Entry ban (Art. 11): its length; it runs from the case's actual departure.
    entry_ban_imposed = models.BooleanField(_("entry ban imposed"), default=False)
    entry_ban_length = models.PositiveSmallIntegerField(
        _("entry ban length"), null=True, blank=True
    )
    entry_ban_unit = models.CharField(
        _("entry ban unit"), max_length=10, choices=PolicyUnit.choices, blank=True
    )
    entry_ban_longer_reason = models.TextField(
        _("serious threat justifying a longer ban"),
        blank=True,
        help_text=_(
            "Art. 11(2): a ban beyond the maximum needs a serious threat to public policy or security."
        ),
    )
    removal_order_on = models.DateField(_("removal order"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    replacement_reason = models.TextField(_("why it was replaced"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("return decision")
        verbose_name_plural = _("return decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(replaced_at__isnull=True),
                name="return_decision_one_current",
            ),
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(notified_on__gte=F("decided_on")),
                name="return_decision_notified_after_decision",
            ),
            models.CheckConstraint(
                condition=Q(vd_start__isnull=True)
                | Q(vd_end__isnull=True)
                | Q(vd_end__gte=F("vd_start")),
                name="return_decision_vd_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"decision #{self.pk}"

    @property
    def vd_effective_end(self) -> dt.date | None:
        """The last day of the voluntary-departure period as it stands now."""
        if not self.vd_granted:
            return None
        return self.vd_shortened_until or self.vd_extended_until or self.vd_end


class Appeal(models.Model):
    """A remedy against the return-related decision (Art. 13); suspensive or not."""

    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="appeals")
    lodged_on = models.DateField(_("lodged on"))
    body = models.CharField(_("appeal body"), max_length=200)
    suspensive_effect = models.BooleanField(_("suspensive effect"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    outcome = models.TextField(_("outcome"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-lodged_on", "-pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("lodged_on")),
                name="appeal_decided_after_lodged",
            )
        ]

    def __str__(self) -> str:
        return f"appeal #{self.pk}"


class AsylumApplication(models.Model):
    case = models.ForeignKey(
        ReturnCase, on_delete=models.PROTECT, related_name="asylum_applications"
    )
    lodged_on = models.DateField(_("lodged on"))
    status = models.CharField(
        _("status"), max_length=12, choices=AsylumStatus.choices, default=AsylumStatus.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-lodged_on", "-pk"]
        verbose_name = _("asylum application")
        verbose_name_plural = _("asylum applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("lodged_on")),
                name="asylum_decided_after_lodged",
            )
        ]

    def __str__(self) -> str:
        return f"asylum application #{self.pk}"


class DetentionEpisode(models.Model):
    """One period of pre-removal detention (Art. 15). All periods count towards the caps
    (CJEU C-357/09 Kadzoev)."""

    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="detentions")
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty while ongoing."))
    ground = models.CharField(_("ground"), max_length=30, choices=DetentionGround.choices)
    ordered_on = models.DateField(_("detention order of"))
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    # Art. 15(6): extension by a written reasoned decision (CJEU C-146/14 Mahdi).
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.CharField(
        _("reason for the extension"),
        max_length=40,
        choices=DetentionExtensionReason.choices,
        blank=True,
    )
    extension_decided_on = models.DateField(_("extension decided on"), null=True, blank=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("detention episode")
        verbose_name_plural = _("detention episodes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="detention_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(end__isnull=True), name="detention_one_ongoing"
            ),
        ]

    def __str__(self) -> str:
        return f"detention #{self.pk}"


class Postponement(models.Model):
    """A postponement of removal (Art. 9). It applies from `starts_on` through `until`
    (open-ended when empty) and stops applying on `ended_on` when it is ended early."""

    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="postponements")
    reason = models.CharField(_("reason"), max_length=30, choices=PostponementReason.choices)
    starts_on = models.DateField(_("from"))
    until = models.DateField(_("until"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("postponement")
        verbose_name_plural = _("postponements")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("starts_on")),
                name="postponement_until_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                name="postponement_ended_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"postponement #{self.pk}"

    def applies_on(self, day: dt.date) -> bool:
        if day < self.starts_on:
            return False
        if self.until is not None and day > self.until:
            return False
        return self.ended_on is None or day < self.ended_on


class VulnerabilityAssessment(models.Model):
    """A vulnerability assessment; the latest is current, earlier ones are the history.

    Art. 3(9) vulnerable persons; Art. 10 unaccompanied minors: before removal the Member
    State must be satisfied that the child is returned to a family member, a nominated
    guardian or adequate reception facilities.
    """

    case = models.ForeignKey(
        ReturnCase, on_delete=models.PROTECT, related_name="vulnerability_assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    minor = models.BooleanField(_("minor"), default=False)
    unaccompanied_minor = models.BooleanField(_("unaccompanied minor"), default=False)
    disabled = models.BooleanField(_("disabled person"), default=False)
    elderly = models.BooleanField(_("elderly person"), default=False)
    pregnant = models.BooleanField(_("pregnant woman"), default=False)
    single_parent_with_minor_children = models.BooleanField(
        _("single parent with minor children"), default=False
    )
    torture_or_serious_violence_victim = models.BooleanField(
        _("subjected to torture, rape or other serious violence"), default=False
    )
    trafficking_victim = models.BooleanField(_("victim of trafficking"), default=False)
    serious_illness = models.BooleanField(_("serious illness"), default=False)
    guardian_recorded = models.BooleanField(_("guardian recorded"), default=False)
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_body = models.CharField(
        _("guardian's body or organisation"), max_length=200, blank=True
    )
    reception_arrangement_confirmed = models.BooleanField(
        _("reception arrangement confirmed"), default=False
    )
    reception_description = models.TextField(
        _("reception arrangement"),
        blank=True,
        help_text=_("A family member, a nominated guardian or adequate reception facilities."),
    )
    health_notes = models.TextField(_("health notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("vulnerability assessment")
        verbose_name_plural = _("vulnerability assessments")

    def __str__(self) -> str:
        return f"vulnerability assessment #{self.pk}"


class SafeguardOverride(models.Model):
    """A supervisor's reasoned decision to go ahead despite one safeguard stop.

    It covers the facts the stop rested on when it was overridden (`facts`); a new blocking
    fact (another appeal, a new assessment, ...) makes the stop block again.
    """

    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="overrides")
    code = models.CharField(_("safeguard stop"), max_length=40, choices=StopCode.choices)
    facts = models.TextField(_("facts covered"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("safeguard override")
        verbose_name_plural = _("safeguard overrides")

    def __str__(self) -> str:
        return f"override #{self.pk} ({self.code})"

    @property
    def fact_set(self) -> frozenset[str]:
        return frozenset(f for f in self.facts.split(",") if f)


class CaseEvent(models.Model):
    """The case's timeline, written by the services in the transaction of each change.

    `detail` holds codes, dates and ids only (no names), so the timeline can be shown and
    exported without another access check than the case's own.
    """

    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"))
    action = models.CharField(_("event"), max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"
