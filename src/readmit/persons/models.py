"""Persons: the requesting state's own record of a person to be returned.

Names are kept in Latin script and in the original script (both as the person's documents
write them), the date of birth with the precision that is known (year, year and month, or
the full date), nationalities with how far they are established, and typed identity
documents. Only the owning authority sees a person; the requested state only ever receives
the snapshot `readmit.persons.sharing.shareable_particulars` builds for an application.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from readmit.accounts.capabilities import Capability, has

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User


class Sex(models.TextChoices):
    # ICAO Doc 9303 writes F, M or X (unspecified) in the machine-readable zone.
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNKNOWN = "X", _("unknown or unspecified")


class CivilStatus(models.TextChoices):
    # The civil statuses of the common application form (DOMAIN.md §1.5, part A 7).
    SINGLE = "single", _("single")
    MARRIED = "married", _("married")
    DIVORCED = "divorced", _("divorced")
    WIDOWED = "widowed", _("widowed")
    UNKNOWN = "unknown", _("unknown")


class NameKind(models.TextChoices):
    ALIAS = "alias", _("alias, nickname or pseudonym")
    EARLIER = "earlier", _("earlier name")
    MAIDEN = "maiden", _("maiden name")


class NationalityStatus(models.TextChoices):
    CLAIMED = "claimed", _("claimed")
    ESTABLISHED = "established", _("established")


class IdentifierKind(models.TextChoices):
    PASSPORT = "passport", _("passport")
    NATIONAL_IDENTITY_CARD = "national_identity_card", _("national identity card")
    DRIVING_LICENCE = "driving_licence", _("driving licence")
    CONSULAR_CARD = "consular_card", _("consular card")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    MILITARY_BOOK = "military_book", _("military service book")
    SEAMAN_BOOK = "seaman_book", _("seaman's book")
    RESIDENCE_PERMIT = "residence_permit", _("residence permit")
    VISA = "visa", _("visa")
    OTHER = "other", _("other document")


class FamilyRelation(models.TextChoices):
    # EURAs extend the obligation to spouses and minor unmarried children (DOMAIN.md §1.3);
    # the application covers the principal with them (§1.4).
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child (minor, unmarried)")
    PARENT = "parent", _("parent")


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: User | AnonymousUser) -> PersonQuerySet:
        """The persons of the user's own authority, for users who may view cases at all."""
        if not has(user, Capability.VIEW_CASES):
            return self.none()
        authority_id = getattr(user, "authority_id", None)
        if authority_id is None:
            return self.none()
        return self.filter(owner_authority_id=authority_id)


def photo_upload_to(instance: Any, filename: str) -> str:
    # The stored name never carries personal data: a random name, the sniffed extension only.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"persons/photos/{uuid.uuid4().hex}.{extension}"


class Person(models.Model):
    # No index of its own: person_newest (owner_authority, -id) starts with it and serves it.
    owner_authority = models.ForeignKey(
        "accounts.Authority",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("owner authority"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    surname_latin = models.CharField(_("surname (Latin script)"), max_length=200)
    given_names_latin = models.CharField(_("given names (Latin script)"), max_length=200)
    surname_original = models.CharField(_("surname (original script)"), max_length=200, blank=True)
    given_names_original = models.CharField(
        _("given names (original script)"), max_length=200, blank=True
    )
    original_script = models.CharField(
        _("original script"),
        max_length=4,
        blank=True,
        help_text=_("ISO 15924 code, e.g. Cyrl, Arab, Geor, Armn."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # A partial date of birth: the year is always known, month and day only sometimes.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    birth_month = models.PositiveSmallIntegerField(_("month of birth"), null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(_("day of birth"), null=True, blank=True)
    place_of_birth = models.CharField(_("place of birth"), max_length=200, blank=True)
    birth_country = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("country of birth"),
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    civil_status = models.CharField(
        _("civil status"), max_length=10, choices=CivilStatus.choices, default=CivilStatus.UNKNOWN
    )
    last_address = models.TextField(_("last address in the requested state"), blank=True)
    last_address_country = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("country of the last address"),
    )
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), null=True, blank=True)
    eye_colour = models.CharField(_("eye colour"), max_length=50, blank=True)
    distinguishing_marks = models.TextField(_("distinguishing marks"), blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_upload_to, blank=True)
    photo_sha256 = models.CharField(_("photo SHA-256"), max_length=64, blank=True)
    photo_content_type = models.CharField(_("photo type"), max_length=20, blank=True)
    photo_size = models.PositiveIntegerField(_("photo size (bytes)"), null=True, blank=True)
    # Case-folded names in every script, aliases and identifier numbers, maintained by the
    # services: searching it behaves the same on SQLite (whose LIKE folds ASCII only) and
    # on PostgreSQL.
    search_text = models.TextField(editable=False, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["surname_latin", "given_names_latin", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # The person list pages an authority's records newest first (keyset on the id).
        indexes = [models.Index(fields=["owner_authority", "-id"], name="person_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_month__gte=1, birth_month__lte=12),
                name="person_birth_month_range",
            ),
            models.CheckConstraint(
                condition=Q(birth_day__isnull=True)
                | Q(birth_month__isnull=False, birth_day__gte=1, birth_day__lte=31),
                name="person_birth_day_needs_month",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def birth_date_display(self) -> str:
        """ISO 8601 at the known precision: 1987, 1987-03 or 1987-03-14."""
        text = f"{self.birth_year:04d}"
        if self.birth_month:
            text += f"-{self.birth_month:02d}"
            if self.birth_day:
                text += f"-{self.birth_day:02d}"
        return text


class PersonName(models.Model):
    """Another name the person uses or used: alias, earlier name, maiden name."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(_("kind"), max_length=10, choices=NameKind.choices)
    surname_latin = models.CharField(_("surname (Latin script)"), max_length=200, blank=True)
    given_names_latin = models.CharField(
        _("given names (Latin script)"), max_length=200, blank=True
    )
    surname_original = models.CharField(_("surname (original script)"), max_length=200, blank=True)
    given_names_original = models.CharField(
        _("given names (original script)"), max_length=200, blank=True
    )

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Nationality(models.Model):
    # No index of its own: nationality_unique_state (person, state) starts with it.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="nationalities", db_index=False
    )
    state = models.ForeignKey(
        "accounts.State", on_delete=models.PROTECT, related_name="+", verbose_name=_("state")
    )
    status = models.CharField(_("status"), max_length=12, choices=NationalityStatus.choices)
    current = models.BooleanField(
        _("current"), default=True, help_text=_("Untick for a former nationality.")
    )
    source_note = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["-current", "state__name"]
        verbose_name = _("nationality")
        verbose_name_plural = _("nationalities")
        constraints = [
            models.UniqueConstraint(fields=["person", "state"], name="nationality_unique_state")
        ]

    def __str__(self) -> str:
        return f"{self.state_id} ({self.status})"


class Identifier(models.Model):
    """An identity or travel document, or another document that identifies the person.

    An expired document still counts as evidence (DOMAIN.md §1.6), so an expiry date in the
    past is normal.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=30, choices=IdentifierKind.choices)
    number = models.CharField(_("number"), max_length=60)
    number_normalised = models.CharField(max_length=60, editable=False, db_index=True)
    issuing_state = models.ForeignKey(
        "accounts.State",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("issuing state"),
    )
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    place_of_issue = models.CharField(_("place of issue"), max_length=200, blank=True)
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(issue_date__isnull=True)
                | Q(expiry_date__isnull=True)
                | Q(expiry_date__gte=F("issue_date")),
                name="identifier_expiry_not_before_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class FamilyLink(models.Model):
    """`relative` is the `relation` of `person` (e.g. relation=child: relative is a child)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_links")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="linked_by")
    relation = models.CharField(_("relation"), max_length=10, choices=FamilyRelation.choices)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["relation", "pk"]
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="family_link_unique"),
            models.CheckConstraint(condition=~Q(person=F("relative")), name="family_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.relative_id} ({self.relation})"
