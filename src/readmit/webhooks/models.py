"""Webhook endpoints of an authority and the deliveries of application events to them."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from readmit.accounts.capabilities import Capability, has

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User


def new_salt() -> str:
    return secrets.token_urlsafe(32)


class EndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def visible_to(self, user: User | AnonymousUser) -> EndpointQuerySet:
        """The endpoints of the user's own authority, for those who manage its integrations."""
        authority_id = getattr(user, "authority_id", None)
        if authority_id is None or not has(user, Capability.MANAGE_TOKENS):
            return self.none()
        return self.filter(authority_id=authority_id)


class WebhookEndpoint(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    # The signing secret is derived from this salt and the server key (webhooks.signing).
    secret_salt = models.CharField(max_length=64, default=new_salt, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["authority_id", "id"]

    def __str__(self) -> str:
        return f"webhook endpoint {self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Failed, will retry")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, gave up")
    SKIPPED = "skipped", _("Skipped (endpoint disabled)")


class WebhookDelivery(models.Model):
    """One event for one endpoint. The body is fixed when the event is published, so every
    retry sends the same bytes (receivers deduplicate on the `id` inside it)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=60)
    event_id = models.PositiveBigIntegerField(null=True)
    body = models.TextField()
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: when, the response status or the error, how long."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True)
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"attempt {self.delivery_id}/{self.number}"
