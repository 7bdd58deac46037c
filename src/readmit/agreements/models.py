"""The agreements registry: agreements and arrangements, their rules, evidence and protocols.

Every legal value is a row with its source and a confidence mark, never a constant in code
(ARCHITECTURE.md §6). A rule that is not in the registry is "not configured": the product
says so instead of guessing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from readmit.agreements.choices import (
    BOOLEAN_RULES,
    EU_KINDS,
    AgreementKind,
    AuthorityFunction,
    Category,
    ClockStart,
    Confidence,
    CrossingKind,
    Establishes,
    EvidenceClass,
    RuleKey,
    RuleUnit,
)

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User

CODE_PATTERN = r"^(EU|[A-Z]{2})-[A-Z]{2}$"


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def visible_to(self, user: User | AnonymousUser) -> AgreementQuerySet:
        # The registry is reference data every signed-in user needs: the requesting officer to
        # choose the agreement, the requested state to know its time limits.
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()


class Agreement(models.Model):
    """An EU readmission agreement, an EU non-binding arrangement or a bilateral agreement."""

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(CODE_PATTERN, _("Use EU-XX or XX-YY (ISO 3166 codes)."))],
        help_text=_("EU-<partner> for EU agreements and arrangements, XX-YY for bilateral ones."),
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    first_party = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("first party"),
        help_text=_("Empty for EU agreements and arrangements: the EU with its Member States."),
    )
    partner = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("partner"),
        help_text=_("The third country of an EU instrument, the second party of a bilateral one."),
    )
    signed = models.DateField(_("signature"), null=True, blank=True)
    entry_into_force = models.DateField(_("entry into force"), null=True, blank=True)
    end = models.DateField(
        _("end"),
        null=True,
        blank=True,
        help_text=_("The first day on which the agreement no longer applies."),
    )
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    dates_source = models.TextField(_("source of the dates"), blank=True)
    dates_confidence = models.CharField(
        _("confidence of the dates"), max_length=12, choices=Confidence.choices
    )
    covers_own_nationals = models.BooleanField(_("own nationals"), default=True)
    covers_third_country_nationals = models.BooleanField(_("third-country nationals"), default=True)
    covers_stateless_persons = models.BooleanField(_("stateless persons"), default=True)
    covers_transit = models.BooleanField(_("transit"), default=True)
    languages = models.JSONField(
        _("languages of the forms"), default=list, blank=True, help_text=_("ISO 639 codes.")
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(signed__isnull=True)
                | Q(entry_into_force__isnull=True)
                | Q(entry_into_force__gte=F("signed")),
                name="agreement_in_force_not_before_signature",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(EU_KINDS), first_party__isnull=True)
                | Q(kind="bilateral", first_party__isnull=False),
                name="agreement_parties_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.title}"

    @property
    def is_eu(self) -> bool:
        return self.kind in EU_KINDS

    @property
    def is_binding(self) -> bool:
        return self.kind != AgreementKind.EU_ARRANGEMENT

    @property
    def party_codes(self) -> tuple[str, str]:
        return ("EU" if self.first_party_id is None else str(self.first_party_id), self.partner_id)

    def covers(self, category: str) -> bool:
        return bool(getattr(self, f"covers_{category}"))

    @property
    def scope(self) -> dict[str, bool]:
        return {c.value: self.covers(c.value) for c in Category}

    def in_force_on(self, day: dt.date) -> bool:
        if self.end is not None and day >= self.end:
            return False
        return self.entry_into_force is None or day >= self.entry_into_force


class AgreementExclusion(models.Model):
    """A Member State outside an EU agreement (Denmark, DOMAIN.md §1.1): data, not an `if`."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="exclusions")
    state = models.ForeignKey(
        "accounts.State", on_delete=models.PROTECT, related_name="+", verbose_name=_("state")
    )
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["state_id"]
        verbose_name = _("excluded Member State")
        verbose_name_plural = _("excluded Member States")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "state"], name="exclusion_unique_state")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.state_id}"


class AgreementPhase(models.Model):
    """A clause that applies only from a later date (e.g. TCN obligations of EU-Turkey)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="phases")
    clause = models.CharField(_("clause"), max_length=30, choices=Category.choices)
    applies_from = models.DateField(_("applies from"))
    note = models.TextField(_("note"), blank=True)
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)

    class Meta:
        ordering = ["clause"]
        verbose_name = _("phased clause")
        verbose_name_plural = _("phased clauses")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "clause"], name="phase_unique_clause")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.clause} from {self.applies_from}"


class RuleFields(models.Model):
    """One legal value, versioned by the day from which it applies."""

    key = models.CharField(_("rule"), max_length=40, choices=RuleKey.choices)
    valid_from = models.DateField(_("valid from"))
    # One integer holds both kinds of value: a period length (> 0) or, for a yes/no rule,
    # 1 or 0. The unit says which; `typed_value` gives the Python value.
    value = models.IntegerField(_("value"))
    unit = models.CharField(_("unit"), max_length=16, choices=RuleUnit.choices)
    clock_start = models.CharField(
        _("clock starts at"), max_length=20, choices=ClockStart.choices, blank=True
    )
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["key", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit="boolean", value__in=[0, 1])
                | (
                    Q(unit__in=["calendar_days", "working_days", "months", "years"])
                    & Q(value__gt=0)
                ),
                name="%(class)s_value_fits_unit",
            ),
            models.CheckConstraint(
                condition=Q(key__in=sorted(BOOLEAN_RULES), unit="boolean")
                | (~Q(key__in=sorted(BOOLEAN_RULES)) & ~Q(unit="boolean")),
                name="%(class)s_unit_fits_key",
            ),
        ]

    @property
    def typed_value(self) -> int | bool:
        return bool(self.value) if self.unit == RuleUnit.BOOLEAN else self.value

    def display_value(self) -> str:
        if self.unit == RuleUnit.BOOLEAN:
            return str(_("yes") if self.value else _("no"))
        return f"{self.value} {RuleUnit(self.unit).label}"


class AgreementRule(RuleFields):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="rules")

    class Meta(RuleFields.Meta):
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            *RuleFields.Meta.constraints,
            models.UniqueConstraint(
                fields=["agreement", "key", "valid_from"], name="rule_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.key} from {self.valid_from}"


class EvidenceType(models.Model):
    """One means of evidence in an agreement's catalogue (its Annexes 1-4)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="evidence")
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("label"), max_length=300)
    evidence_class = models.CharField(_("class"), max_length=24, choices=EvidenceClass.choices)
    establishes = models.CharField(_("establishes"), max_length=20, choices=Establishes.choices)
    expired_counts = models.BooleanField(_("an expired document counts"), default=True)
    copy_counts = models.BooleanField(_("a copy counts"), default=False)
    copy_must_be_authenticated = models.BooleanField(
        _("a copy must be authenticated"), default=False
    )
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)

    class Meta:
        ordering = ["establishes", "evidence_class", "code"]
        verbose_name = _("means of evidence")
        verbose_name_plural = _("means of evidence")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="evidence_unique_code"),
            models.CheckConstraint(
                condition=Q(copy_counts=True) | Q(copy_must_be_authenticated=False),
                name="evidence_authentication_needs_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.code}"


class ImplementingProtocol(models.Model):
    """A Member State's protocol to an agreement: its values override the agreement's."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="protocols")
    member_state = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Member State"),
    )
    title = models.CharField(_("title"), max_length=300)
    signed = models.DateField(_("signature"), null=True, blank=True)
    entry_into_force = models.DateField(_("entry into force"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["member_state_id"]
        verbose_name = _("implementing protocol")
        verbose_name_plural = _("implementing protocols")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "member_state"], name="protocol_unique_member_state"
            ),
            models.CheckConstraint(
                condition=Q(signed__isnull=True)
                | Q(entry_into_force__isnull=True)
                | Q(entry_into_force__gte=F("signed")),
                name="protocol_in_force_not_before_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_state_id}-{self.agreement_id}: {self.title}"

    def in_force_on(self, day: dt.date) -> bool:
        if self.end is not None and day >= self.end:
            return False
        return self.entry_into_force is None or day >= self.entry_into_force


class ProtocolRule(RuleFields):
    protocol = models.ForeignKey(
        ImplementingProtocol, on_delete=models.CASCADE, related_name="rules"
    )

    class Meta(RuleFields.Meta):
        verbose_name = _("protocol rule")
        verbose_name_plural = _("protocol rules")
        constraints = [
            *RuleFields.Meta.constraints,
            models.UniqueConstraint(
                fields=["protocol", "key", "valid_from"], name="protocol_rule_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"protocol {self.protocol_id}: {self.key} from {self.valid_from}"


class ProtocolAuthority(models.Model):
    """A competent authority named by a protocol, with what it does there."""

    protocol = models.ForeignKey(
        ImplementingProtocol, on_delete=models.CASCADE, related_name="authorities"
    )
    authority = models.ForeignKey(
        "accounts.Authority",
        on_delete=models.PROTECT,
        related_name="protocol_functions",
        verbose_name=_("authority"),
    )
    function = models.CharField(_("function"), max_length=24, choices=AuthorityFunction.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["function", "authority__code"]
        verbose_name = _("competent authority")
        verbose_name_plural = _("competent authorities")
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "authority", "function"], name="protocol_authority_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.authority_id} ({self.function})"


class BorderCrossingPoint(models.Model):
    protocol = models.ForeignKey(
        ImplementingProtocol, on_delete=models.CASCADE, related_name="crossing_points"
    )
    name = models.CharField(_("name"), max_length=200)
    state = models.ForeignKey(
        "accounts.State", on_delete=models.PROTECT, related_name="+", verbose_name=_("state")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CrossingKind.choices)
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("border crossing point")
        verbose_name_plural = _("border crossing points")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "name"], name="crossing_point_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
