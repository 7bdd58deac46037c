"""API operations for an authority's webhook endpoints and their delivery history."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from readmit.accounts.models import User
from readmit.api.errors import ErrorOut
from readmit.webhooks import selectors, services
from readmit.webhooks.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class EndpointIn(Schema):
    url: str
    event_types: list[str]
    description: str = ""
    enabled: bool = True

    model_config = {
        **Schema.model_config,
        "json_schema_extra": {
            "examples": [
                {
                    "url": "https://return-system.example.org/readmit/events",
                    "event_types": ["application.submitted", "application.replied"],
                    "description": "National return case system",
                    "enabled": True,
                }
            ]
        },
    }


class EndpointPatch(Schema):
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None

    model_config = {
        **Schema.model_config,
        "json_schema_extra": {"examples": [{"enabled": False}]},
    }


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    created_at: dt.datetime


class EndpointCreatedOut(EndpointOut):
    secret: str


class AttemptOut(Schema):
    number: int
    at: dt.datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    delivery_id: str
    event_type: str
    event_id: int | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    attempt_log: list[AttemptOut]


class DeliveryFilter(Schema):
    before_id: int | None = None
    limit: int = 100


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _endpoint(e: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=e.pk,
        url=e.url,
        description=e.description,
        event_types=list(e.event_types),
        enabled=e.enabled,
        created_at=e.created_at,
    )


def _delivery(d: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        delivery_id=str(d.public_id),
        event_type=d.event_type,
        event_id=d.event_id,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
        attempt_log=[
            AttemptOut(
                number=a.number,
                at=a.at,
                status_code=a.status_code,
                error=a.error,
                duration_ms=a.duration_ms,
            )
            for a in d.attempt_log.all()
        ],
    )


@router.get(
    "/webhooks",
    response={200: list[EndpointOut], **ERRORS},
    summary="Webhook endpoints of your authority (authority administrators)",
    description=(
        "Every endpoint your authority registered, with its event types and whether it is enabled. Needs the capability to manage API tokens (authority administrators). The signing secret is never listed."
    ),
)
def webhook_list(request: HttpRequest) -> list[EndpointOut]:
    return [_endpoint(e) for e in selectors.endpoint_list(viewer=_user(request))]


@router.post(
    "/webhooks",
    response={201: EndpointCreatedOut, **ERRORS},
    summary="Register a webhook endpoint; the signing secret is in this response only",
    description=(
        "Registers an HTTPS endpoint for the given event types (see docs/webhooks.md). The response carries the signing secret once: store it, it cannot be read again (replace it on the web page if lost). Deliveries are signed with HMAC-SHA256 in the Readmit-Signature header."
    ),
)
def webhook_create(request: HttpRequest, body: EndpointIn) -> Status:
    created = services.endpoint_create(actor=_user(request), **body.dict())
    out = _endpoint(created.endpoint)
    return Status(201, EndpointCreatedOut(**out.dict(), secret=created.secret))


@router.get(
    "/webhooks/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="One webhook endpoint",
    description=("One endpoint of your authority; another authority's endpoint answers 404."),
)
def webhook_get(request: HttpRequest, endpoint_id: int) -> EndpointOut:
    return _endpoint(selectors.endpoint_get(viewer=_user(request), endpoint_id=endpoint_id))


@router.patch(
    "/webhooks/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="Change a webhook endpoint (URL, event types, description, enabled)",
    description=(
        "Changes only the fields sent. Disabling an endpoint stops new deliveries at once; it never affects the workflow."
    ),
)
def webhook_update(request: HttpRequest, endpoint_id: int, body: EndpointPatch) -> EndpointOut:
    endpoint = services.endpoint_update(
        actor=_user(request), endpoint_id=endpoint_id, **body.dict(exclude_unset=True)
    )
    return _endpoint(endpoint)


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="Delivery history of a webhook endpoint, newest first",
    description=(
        "Each delivery with its event type, status, number of attempts, next retry and the log of attempts (HTTP status, duration). Page back with before_id."
    ),
)
def webhook_deliveries(
    request: HttpRequest, endpoint_id: int, filters: Query[DeliveryFilter]
) -> list[DeliveryOut]:
    rows = selectors.delivery_list(
        viewer=_user(request),
        endpoint_id=endpoint_id,
        limit=filters.limit,
        before_id=filters.before_id,
    )
    return [_delivery(d) for d in rows]
