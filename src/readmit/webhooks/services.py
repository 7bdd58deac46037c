"""Webhook endpoints (registered by an authority's administrators) and the delivery of
application events to them.

Publishing never blocks the workflow: `event_published` runs after the event's transaction
commits, only writes delivery rows and enqueues the worker, and swallows (and logs, without
personal data) anything that goes wrong. Delivery happens in the worker with a timeout;
a failed attempt is retried with exponential backoff up to READMIT_WEBHOOK_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic_core import to_json

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import User
from readmit.audit.services import audit_record
from readmit.core.errors import NotFound, ValidationFailed
from readmit.webhooks import signing
from readmit.webhooks.events import EVENT_TYPES, event_type_of
from readmit.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

if TYPE_CHECKING:
    from readmit.accounts.models import Authority
    from readmit.readmission.models import Application, ApplicationEvent

logger = logging.getLogger(__name__)

USER_AGENT = "Readmit-Webhooks/1"


def max_attempts() -> int:
    return int(getattr(settings, "READMIT_WEBHOOK_MAX_ATTEMPTS", 8))


def backoff(attempts_made: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: base x 2^(n-1), at most six hours."""
    base = float(getattr(settings, "READMIT_WEBHOOK_BACKOFF_SECONDS", 30))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts_made - 1, 0), 6 * 3600))


# --------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


URL_MAX = 500
DESCRIPTION_MAX = 200  # the column's length


def _not_public(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified: not the Internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is no address
    mapped = getattr(ip, "ipv4_mapped", None)
    ip = mapped or ip
    return not ip.is_global or ip.is_multicast


def _private_host(hostname: str) -> bool:
    """The host names an address that is not public (a literal address, or localhost)."""
    if hostname.lower() in ("localhost", "localhost.localdomain") or hostname.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        return _not_public(hostname)
    except ValueError:
        return False  # a name: checked against what it resolves to, at each delivery


def _resolves_to_private(hostname: str, port: int | None) -> bool:
    """At delivery: any address the name resolves to is not public (or it does not resolve,
    which the attempt then reports as it would)."""
    try:
        found = socket.getaddrinfo(hostname, port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return any(_not_public(str(info[4][0])) for info in found)


def _allow_private() -> bool:
    return bool(getattr(settings, "READMIT_WEBHOOK_ALLOW_PRIVATE", False))


def _url_problem(url: str) -> str:
    """Why the address cannot be used, in plain words; empty when it can."""
    allow_http = getattr(settings, "READMIT_WEBHOOK_ALLOW_HTTP", False)
    scheme_message = (
        _("Enter an http:// or https:// address.")
        if allow_http
        else _("Enter an https:// address.")
    )
    if len(url) > URL_MAX:
        return _("At most %(n)d characters.") % {"n": URL_MAX}
    # urlsplit quietly drops tabs and line breaks; an address with any white space (or
    # another control character) is refused rather than sent somewhere else.
    if any(c.isspace() or not c.isprintable() for c in url):
        return _("The address must not contain spaces or line breaks.")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        return _("This is not a valid web address.")
    if parts.scheme not in (("https", "http") if allow_http else ("https",)) or not hostname:
        return scheme_message
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        port = 0
    if port == 0:
        return _("The port must be a number from 1 to 65535.")
    if parts.username or parts.password:
        return _("The address must not contain a user name or password.")
    if not _allow_private() and _private_host(hostname):
        return _("The address is on a local or private network; give a public address.")
    return ""


def _clean(
    url: str | None, event_types: Iterable[str] | None, description: str | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if url is not None:
        url = url.strip()
        problem = _url_problem(url)
        if problem:
            errors["url"] = [problem]
        clean["url"] = url
    if event_types is not None:
        chosen = sorted(set(event_types))
        unknown = [e for e in chosen if e not in EVENT_TYPES]
        if unknown:
            errors["event_types"] = [_("Unknown event type.")]
        elif not chosen:
            errors["event_types"] = [_("Choose at least one event type.")]
        clean["event_types"] = chosen
    if description is not None:
        description = description.strip()
        if len(description) > DESCRIPTION_MAX:
            errors["description"] = [_("At most %(n)d characters.") % {"n": DESCRIPTION_MAX}]
        clean["description"] = description
    if errors:
        raise ValidationFailed(_("The webhook endpoint was not saved."), fields=errors)
    return clean


@transaction.atomic
def endpoint_create(
    *,
    actor: User,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    enabled: bool = True,
) -> CreatedEndpoint:
    """Register an endpoint of the actor's authority; the signing secret is returned once."""
    require(actor, Capability.MANAGE_TOKENS)
    clean = _clean(url, event_types, description)
    assert actor.authority_id is not None
    endpoint = WebhookEndpoint.objects.create(
        authority_id=actor.authority_id, enabled=enabled, created_by=actor, **clean
    )
    audit_record(
        actor=actor,
        action="webhooks.endpoint.created",
        obj=endpoint,
        owner_authority_id=endpoint.authority_id,
        changes={**clean, "enabled": enabled},
    )
    return CreatedEndpoint(endpoint, signing.secret_for(endpoint.secret_salt))


def _locked(actor: User, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint of the actor's authority, locked: 404 otherwise, then 403 without the
    capability."""
    try:
        endpoint = (
            WebhookEndpoint.objects.filter(authority_id=actor.authority_id or -1)
            .select_for_update()
            .get(pk=endpoint_id)
        )
    except (WebhookEndpoint.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found, or not visible to you.")) from None
    require(actor, Capability.MANAGE_TOKENS)
    return endpoint


@transaction.atomic
def endpoint_update(
    *,
    actor: User,
    endpoint_id: int,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    endpoint = _locked(actor, endpoint_id)
    clean = _clean(url, event_types, description)
    if enabled is not None:
        clean["enabled"] = enabled
    changed = {k: v for k, v in clean.items() if getattr(endpoint, k) != v}
    if not changed:
        return endpoint
    for name, value in changed.items():
        setattr(endpoint, name, value)
    endpoint.save()
    audit_record(
        actor=actor,
        action="webhooks.endpoint.updated",
        obj=endpoint,
        owner_authority_id=endpoint.authority_id,
        changes=changed,
    )
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, actor: User, endpoint_id: int) -> CreatedEndpoint:
    """A new signing secret (shown once); the old one stops working at once."""
    from readmit.webhooks.models import new_salt

    endpoint = _locked(actor, endpoint_id)
    endpoint.secret_salt = new_salt()
    endpoint.save(update_fields=["secret_salt"])
    audit_record(
        actor=actor,
        action="webhooks.endpoint.secret_rotated",
        obj=endpoint,
        owner_authority_id=endpoint.authority_id,
    )
    return CreatedEndpoint(endpoint, signing.secret_for(endpoint.secret_salt))


@transaction.atomic
def delivery_retry(*, actor: User, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now (e.g. after the receiver was repaired)."""
    endpoint = _locked(actor, endpoint_id)
    try:
        delivery = WebhookDelivery.objects.select_for_update().get(
            pk=delivery_id, endpoint=endpoint
        )
    except (WebhookDelivery.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found, or not visible to you.")) from None
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    audit_record(
        actor=actor,
        action="webhooks.delivery.retried",
        obj=delivery,
        owner_authority_id=endpoint.authority_id,
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


# --------------------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------------------


def _sees(authority: Authority, application: Application, event: ApplicationEvent) -> bool:
    """Whether users of `authority` see this event: the application's own scope rule
    (`Application.objects.visible_to`), and requesting-only events stay with the requester."""
    from readmit.readmission.models import Application, EventVisibility

    if not authority.is_active:
        return False
    if event.visibility != EventVisibility.BOTH and authority.pk != (
        application.requesting_authority_id
    ):
        return False
    reader = User(authority=authority, role="read_only", is_active=True)
    return Application.objects.visible_to(reader).filter(pk=application.pk).exists()


def _json_time(value: dt.date | dt.datetime | None) -> str | None:
    """A date or an instant as the API writes it (pydantic-core: `2026-03-02T10:15:00Z`), so
    that an integration reads one format from both."""
    return None if value is None else to_json(value).decode()[1:-1]


def payload(event: ApplicationEvent, application: Application) -> dict[str, Any]:
    """What a delivery says: ids, the event type, the reference, shared statuses and links.
    Every value is on the shared side of the border (readmission.selectors allow-lists), so
    the same body may go to either state; names and return-file facts never do."""
    base = settings.READMIT_BASE_URL
    person = None
    if event.person_id is not None and event.person is not None:
        person = {"id": event.person_id, "role": event.person.role, "status": event.person.status}
    return {
        "type": event_type_of(event.action),
        "created": _json_time(event.at),
        "data": {
            "application": {
                "id": application.pk,
                "reference": application.reference,
                "status": application.status,
                "kind": application.kind,
                "requesting_state": application.requesting_authority.state_id,
                "requested_state": application.requested_state_id,
                "reply_due": _json_time(application.reply_due),
            },
            "event": {
                "id": event.pk,
                "action": event.action,
                "at": _json_time(event.at),
                "due": _json_time(event.due),
            },
            "person": person,
        },
        "links": {
            "web": base + reverse("readmission:application_detail", args=[application.pk]),
            "api": f"{base}/api/v1/applications/{application.pk}",
        },
    }


def subscribed(event_type: str) -> bool:
    """Whether any enabled endpoint subscribes to `event_type` (bulk paths skip reading their
    events back when none does). Never raises: a webhook problem must never reach the workflow."""
    try:
        return any(
            event_type in (types or [])
            for types in WebhookEndpoint.objects.filter(enabled=True).values_list(
                "event_types", flat=True
            )
        )
    except Exception:
        logger.exception("Webhook subscriptions could not be read")
        return True


def event_published(event: ApplicationEvent) -> list[int]:
    """Queue a delivery of `event` to every enabled endpoint subscribed to its type whose
    authority may see it. Call after the event's transaction commits; never raises."""
    try:
        return _publish(event)
    except Exception:  # a webhook problem must never reach the workflow
        logger.exception("Webhook publishing failed for event %s", getattr(event, "pk", None))
        return []


def _publish(event: ApplicationEvent) -> list[int]:
    event_type = event_type_of(event.action)
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(enabled=True).select_related("authority")
        if event_type in (e.event_types or [])
    ]
    if not endpoints:
        return []
    from readmit.readmission.models import Application

    # The application as committed (the service may have changed it after the event).
    application = Application.objects.select_related("requesting_authority").get(
        pk=event.application_id
    )
    endpoints = [e for e in endpoints if _sees(e.authority, application, event)]
    if not endpoints:
        return []
    now = timezone.now()
    created = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(
            endpoint=endpoint,
            event_type=event_type,
            event_id=event.pk,
            next_attempt_at=now,
        )
        body = {"id": str(delivery.public_id), **payload(event, application)}
        delivery.body = json.dumps(body, separators=(",", ":"), sort_keys=True)
        delivery.save()
        created.append(delivery.pk)
    _enqueue(created)
    return created


def _enqueue(delivery_ids: list[int]) -> None:
    from readmit.webhooks.tasks import deliver_webhooks

    try:
        deliver_webhooks.enqueue(delivery_ids)
    except Exception:  # the retry job picks them up
        logger.exception("Could not enqueue webhook deliveries")


# --------------------------------------------------------------------------------------
# Delivering (the worker)
# --------------------------------------------------------------------------------------


def _claim(delivery_id: int, now: dt.datetime) -> WebhookDelivery | None:
    """Take the delivery for one attempt; another worker that races gets None. The lease
    (next_attempt_at moved ahead) lets a crashed worker's attempt be retried later."""
    timeout = float(getattr(settings, "READMIT_WEBHOOK_TIMEOUT", 10))
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + dt.timedelta(seconds=timeout * 3),
        )
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


class _PrivateAddress(Exception):
    """The endpoint's address is not public and private addresses are not allowed."""


def attempt(delivery_id: int, *, now: dt.datetime | None = None) -> str | None:
    """One attempt of one delivery. Returns its new status, or None when not due."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SKIPPED, next_attempt_at=None, attempts=F("attempts") - 1
        )
        return DeliveryStatus.SKIPPED
    body = delivery.body.encode()
    secret = signing.secret_for(endpoint.secret_salt)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.signature_header(secret, body, int(time.time())),
        "Readmit-Delivery": str(delivery.public_id),
        "Readmit-Event": delivery.event_type,
    }
    status_code: int | None = None
    error = ""
    started = time.monotonic()
    try:
        parts = urlsplit(endpoint.url)
        if not _allow_private() and (
            _private_host(parts.hostname or "")
            or _resolves_to_private(parts.hostname or "", parts.port)
        ):
            # Not sent: the name (now) leads into a local or private network.
            raise _PrivateAddress
        response = httpx.post(
            endpoint.url,
            content=body,
            headers=headers,
            timeout=float(getattr(settings, "READMIT_WEBHOOK_TIMEOUT", 10)),
            follow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except _PrivateAddress:
        error = "private address"
    except httpx.TimeoutException:
        error = "timeout"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    except Exception as exc:  # never let a delivery crash the worker
        error = type(exc).__name__
    duration = int((time.monotonic() - started) * 1000)
    finished = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=finished,
        status_code=status_code,
        error=error[:200],
        duration_ms=duration,
    )
    if not error:
        status = DeliveryStatus.DELIVERED
        fields: dict[str, Any] = {"delivered_at": finished, "next_attempt_at": None}
    elif delivery.attempts >= max_attempts():
        status = DeliveryStatus.FAILED
        fields = {"next_attempt_at": None}
    else:
        status = DeliveryStatus.RETRYING
        fields = {"next_attempt_at": finished + backoff(delivery.attempts)}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, last_status_code=status_code, last_error=error[:200], **fields
    )
    return status


def deliver(delivery_ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for delivery_id in delivery_ids:
        try:
            status = attempt(delivery_id, now=now)
        except Exception:
            logger.exception("Webhook delivery %s failed unexpectedly", delivery_id)
            status = "error"
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    return counts


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Attempt every delivery whose next attempt is due (the worker's periodic job)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return deliver(due, now=now)
