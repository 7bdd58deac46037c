"""Reads of webhook endpoints and their delivery history: the actor's authority only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from readmit.accounts.capabilities import Capability, require
from readmit.core.scoping import get_visible
from readmit.webhooks.models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from readmit.accounts.models import User


def endpoint_list(*, viewer: User) -> QuerySet[WebhookEndpoint]:
    require(viewer, Capability.MANAGE_TOKENS)
    return WebhookEndpoint.objects.visible_to(viewer)


def endpoint_get(*, viewer: User, endpoint_id: int) -> WebhookEndpoint:
    """404 when another authority's (or absent), 403 without the capability."""
    endpoint = get_visible(_scope(viewer), pk=endpoint_id)
    require(viewer, Capability.MANAGE_TOKENS)
    return endpoint


def _scope(viewer: User) -> QuerySet[WebhookEndpoint]:
    # Visible to the authority's administrators; for a colleague without the capability
    # the endpoint exists (403), for another authority it does not (404).
    authority_id = getattr(viewer, "authority_id", None)
    return WebhookEndpoint.objects.filter(authority_id=authority_id or -1)


def delivery_list(
    *, viewer: User, endpoint_id: int, limit: int = 100, before_id: int | None = None
) -> list[WebhookDelivery]:
    endpoint = endpoint_get(viewer=viewer, endpoint_id=endpoint_id)
    deliveries = endpoint.deliveries.prefetch_related("attempt_log").order_by("-id")
    if before_id is not None:
        deliveries = deliveries.filter(pk__lt=before_id)
    return list(deliveries[: max(1, min(limit, 500))])
