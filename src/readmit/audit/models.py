"""The audit trail (hash-chained, append-only) and the access log.

No code path updates or deletes an entry: the models refuse it, their querysets refuse it,
and database triggers refuse it (see migration 0002). Corrections are new entries with a
reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def _scoped(
        self, user: User | AnonymousUser, *, platform_also: models.Q | None = None
    ) -> AppendOnlyQuerySet:
        """Rows the user's authority made or that concern it. The platform administration
        sees every row, or, given `platform_also`, its own and those that clause admits."""
        from readmit.accounts.capabilities import Capability, has

        if not has(user, Capability.VIEW_AUDIT):
            return self.none()
        assert user.is_authenticated
        own = models.Q(actor_authority_id=user.authority_id) | models.Q(
            owner_authority_id=user.authority_id
        )
        if user.role == "platform_admin":
            if platform_also is None:
                return self.all()
            own |= platform_also
        return self.filter(own)


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")


class AuditEntryQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> AppendOnlyQuerySet:
        """Authority admins see entries their authority made or that concern it. The platform
        administration sees no case content (ARCHITECTURE.md §2): the entries of its own
        authority and those that concern no authority (reference data, the agreements'
        registry), not an authority's people, cases or applications, whose changed values
        the entries hold."""
        return self._scoped(user, platform_also=models.Q(owner_authority_id__isnull=True))


class AuditEntry(AppendOnlyModel):
    # Actors and owners are stored as plain values, not foreign keys: deleting or renaming
    # an account must never rewrite (or cascade into) the trail.
    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor"), null=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    actor_authority_id = models.BigIntegerField(null=True, db_index=True)
    actor_authority_code = models.CharField(_("actor's authority"), max_length=40, blank=True)
    owner_authority_id = models.BigIntegerField(null=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, default="system")
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    changes = models.JSONField(_("changed values"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """The end of the chain. Locking this row serialises appends, so the chain never forks;
    comparing it with the last entry shows a removed tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AccessLogQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> AppendOnlyQuerySet:
        return self._scoped(user)


class AccessLogEntry(AppendOnlyModel):
    """One read of a person's personal data: who, which record, when, through which channel."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("reader"), null=True)
    actor_username = models.CharField(_("reader"), max_length=150, blank=True)
    actor_authority_id = models.BigIntegerField(null=True, db_index=True)
    actor_authority_code = models.CharField(_("reader's authority"), max_length=40, blank=True)
    owner_authority_id = models.BigIntegerField(null=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=10)
    object_type = models.CharField(_("record type"), max_length=60)
    object_id = models.CharField(_("record"), max_length=64)
    purpose = models.CharField(_("view"), max_length=100, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")

    def __str__(self) -> str:
        return f"{self.actor_username} read {self.object_type} {self.object_id}"


class TransmissionQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> AppendOnlyQuerySet:
        from readmit.accounts.capabilities import Capability, has

        if not has(user, Capability.VIEW_AUDIT):
            return self.none()
        assert user.is_authenticated
        if user.role == "platform_admin":
            return self.all()
        return self.filter(
            models.Q(sender_authority_id=user.authority_id)
            | models.Q(recipient_authority_id=user.authority_id)
        )


class Transmission(AppendOnlyModel):
    """A message that crossed from one state's authority to another's (DOMAIN.md §1.14 (i):
    both sides keep a written record of communication and receipt)."""

    at = models.DateTimeField(_("time"), db_index=True)
    sender_authority_id = models.BigIntegerField(db_index=True)
    sender_authority_code = models.CharField(_("sender"), max_length=40)
    recipient_authority_id = models.BigIntegerField(null=True, db_index=True)
    recipient_authority_code = models.CharField(_("recipient"), max_length=40, blank=True)
    recipient_state = models.CharField(_("recipient state"), max_length=2)
    actor_username = models.CharField(_("sent by"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=10)
    message = models.CharField(_("message"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=64)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    fields_sent = models.JSONField(_("fields sent"), default=list)

    objects = TransmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")

    def __str__(self) -> str:
        return f"{self.message} {self.sender_authority_code}→{self.recipient_state}"
