"""The permission matrix: every web route and every API operation, for every kind of caller.

- anonymous: the sign-in page (web) or 401 (API), unless the route is public;
- a user of another state's authority: 404 for anything that names an object;
- a user in scope but without the capability: 403;
- the right user: success.

A route or operation missing from the matrix fails `test_every_route_is_classified`, so no new
route can be forgotten.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.api.v1 import api
from readmit.imports.models import ImportJob
from readmit.notifications.models import Notification
from readmit.notifications.services import notify
from readmit.persons.services import identifier_add, person_create, person_photo_set
from readmit.readmission.services import (
    PersonInput,
    application_draft,
    application_submit,
    evidence_add,
)
from readmit.returns.services import case_create
from readmit.webhooks.models import WebhookDelivery
from readmit.webhooks.services import endpoint_create


@dataclass
class Ctx:
    target: User  # an account of de-lea-berlin
    token_id: int  # an API token of that account
    person_id: int = 0  # a person of de-lea-berlin, with a photo
    case_id: int = 0  # a return case of de-lea-berlin for that person
    application_id: int = 0  # an application of that case, submitted to Azerbaijan
    evidence_id: int = 0  # a PDF attached to it
    notification_id: int = 0  # a notification for de-officer
    webhook_id: int = 0  # a webhook endpoint of de-lea-berlin
    delivery_id: int = 0  # a delivery to it
    import_job_id: int = 0  # an import job of de-lea-berlin
    application_person_id: int = 0  # the person in that application
    identifier_id: int = 0  # a document of the person


@dataclass(frozen=True)
class Route:
    url: Callable[[Ctx], str]
    method: str = "get"
    public: bool = False
    allowed: str = ""  # persona for whom it succeeds
    ok: tuple[int, ...] = (200,)
    forbidden: str = ""  # persona in scope without the capability → 403
    strangers: tuple[str, ...] = ()  # personas to whom the object does not exist → 404
    not_listed: tuple[str, ...] = field(default=())  # usernames the allowed user must not see
    # API: the JSON body (default: the operation's documented example), or multipart data.
    body: Callable[[Ctx], dict[str, Any]] | None = None
    multipart: Callable[[Ctx], dict[str, Any]] | None = None


def _r(name: str, *args: Any) -> Callable[[Ctx], str]:
    return lambda ctx: reverse(name, args=[a(ctx) if callable(a) else a for a in args])


def _target(ctx: Ctx) -> int:
    return ctx.target.pk


def _token(ctx: Ctx) -> int:
    return ctx.token_id


def _person(ctx: Ctx) -> int:
    return ctx.person_id


def _case(ctx: Ctx) -> int:
    return ctx.case_id


def _persons(**kwargs: Any) -> Route:
    """A person route: strangers (another state's authorities) never see the person."""
    return Route(strangers=("nl-officer", "az-officer"), **kwargs)


WEB: dict[str, Route] = {
    "web:home": Route(_r("web:home"), allowed="de-officer"),
    "web:healthz": Route(_r("web:healthz"), public=True),
    "accounts:login": Route(_r("accounts:login"), public=True),
    # The language switch works before signing in too (the sign-in page has it).
    "accounts:language": Route(_r("accounts:language"), method="post", public=True, ok=(302,)),
    "accounts:logout": Route(_r("accounts:logout"), method="post", allowed="de-officer", ok=(302,)),
    # Without an enrolled authenticator the code page sends the user to enrol one.
    "accounts:two_factor": Route(_r("accounts:two_factor"), allowed="de-officer", ok=(302,)),
    "accounts:two_factor_setup": Route(_r("accounts:two_factor_setup"), allowed="de-officer"),
    "accounts:user_list": Route(
        _r("accounts:user_list"),
        allowed="az-admin",
        forbidden="az-officer",
        not_listed=("de-officer",),
    ),
    "accounts:user_create": Route(
        _r("accounts:user_create"), allowed="de-admin", forbidden="de-officer"
    ),
    "accounts:user_detail": Route(
        _r("accounts:user_detail", _target),
        allowed="de-admin",
        forbidden="de-supervisor",
        strangers=("az-admin", "nl-admin"),
    ),
    "accounts:user_reset_two_factor": Route(
        _r("accounts:user_reset_two_factor", _target),
        method="post",
        allowed="de-admin",
        ok=(302,),
        forbidden="de-supervisor",
        strangers=("az-admin", "nl-admin"),
    ),
    "accounts:token_list": Route(_r("accounts:token_list"), allowed="de-readonly"),
    # A token is visible to its owner and the owner's authority administrators only, so a
    # colleague without the capability does not see it at all (404, not 403).
    "accounts:token_revoke": Route(
        _r("accounts:token_revoke", _token),
        method="post",
        allowed="de-admin",
        ok=(302,),
        strangers=("az-admin", "de-supervisor"),
    ),
    "audit:audit_list": Route(_r("audit:audit_list"), allowed="de-admin", forbidden="de-officer"),
    "audit:audit_export": Route(
        _r("audit:audit_export"), allowed="de-admin", forbidden="de-officer"
    ),
    "audit:access_log_list": Route(
        _r("audit:access_log_list"), allowed="de-admin", forbidden="de-supervisor"
    ),
    "audit:access_log_export": Route(
        _r("audit:access_log_export"), allowed="de-admin", forbidden="de-readonly"
    ),
    "api:openapi-json": Route(_r("api:openapi-json"), public=True),
    # Swagger UI on the public schema; any other path under the API answers the error shape.
    "api:docs": Route(_r("api:docs"), public=True),
    "api:not_found": Route(lambda c: "/api/v1/no/such/operation", public=True, ok=(404,)),
    "readmission:work_queue": Route(
        _r("readmission:work_queue"), allowed="az-officer", forbidden="de-admin"
    ),
    "readmission:application_draft": Route(
        lambda c: reverse("readmission:application_draft", args=[c.case_id]),
        allowed="de-officer",
        forbidden="de-readonly",
        # Another authority's case does not exist for them, whether or not they may draft.
        strangers=("nl-officer", "az-officer"),
    ),
    # Both states see the application (each its own zone); other states and roles without
    # casework do not know it exists.
    "readmission:application_detail": Route(
        lambda c: reverse("readmission:application_detail", args=[c.application_id]),
        allowed="az-officer",
        strangers=("pk-officer", "nl-officer", "de-admin", "az-admin"),
    ),
    "readmission:evidence_add": Route(
        lambda c: reverse("readmission:evidence_add", args=[c.application_id]),
        allowed="de-officer",
        forbidden="az-officer",
        strangers=("nl-officer",),
    ),
    "readmission:evidence_file": Route(
        lambda c: reverse("readmission:evidence_file", args=[c.application_id, c.evidence_id]),
        allowed="az-consul",
        strangers=("pk-officer", "nl-officer"),
    ),
    "readmission:application_act": Route(
        lambda c: reverse("readmission:application_act", args=[c.application_id, "acknowledge"]),
        method="post",
        allowed="az-officer",
        ok=(302,),
        forbidden="de-officer",
        strangers=("pk-officer", "nl-officer"),
    ),
    "notifications:list": Route(_r("notifications:list"), allowed="de-officer"),
    "notifications:open": Route(
        lambda c: reverse("notifications:open", args=[c.notification_id]),
        method="post",
        allowed="de-officer",
        ok=(302,),
        strangers=("de-supervisor", "az-officer"),
    ),
    "notifications:read_all": Route(
        _r("notifications:read_all"), method="post", allowed="de-readonly", ok=(302,)
    ),
    # Ninja's root: it only anchors the API's prefix and answers 404 to everyone.
    "api:api-root": Route(_r("api:api-root"), public=True, ok=(404,)),
    # Persons and return cases: the owning authority only; read-only users may look, not edit.
    "persons:person_list": Route(
        _r("persons:person_list"), allowed="de-readonly", forbidden="de-admin"
    ),
    "persons:person_create": Route(
        _r("persons:person_create"), allowed="de-officer", forbidden="de-readonly"
    ),
    "persons:person_detail": _persons(
        url=_r("persons:person_detail", _person), allowed="de-readonly"
    ),
    "persons:person_photo": _persons(
        url=_r("persons:person_photo", _person), allowed="de-readonly"
    ),
    # An empty form is shown again with its messages (200).
    "persons:person_post": _persons(
        url=_r("persons:person_post", _person, "identifier"),
        method="post",
        allowed="de-officer",
        forbidden="de-readonly",
    ),
    "returns:case_list": Route(
        _r("returns:case_list"), allowed="de-readonly", forbidden="de-admin"
    ),
    "returns:case_create": _persons(
        url=_r("returns:case_create", _person), allowed="de-officer", forbidden="de-readonly"
    ),
    "returns:case_detail": _persons(url=_r("returns:case_detail", _case), allowed="de-readonly"),
    "returns:case_post": _persons(
        url=_r("returns:case_post", _case, "appeal"),
        method="post",
        allowed="de-officer",
        forbidden="de-readonly",
    ),
    "returns:safeguard_override": _persons(
        url=_r("returns:safeguard_override", _case),
        method="post",
        allowed="de-supervisor",
        forbidden="de-officer",
    ),
    # The agreements registry: every signed-in user reads it, platform admins edit it.
    "agreements:agreement_list": Route(_r("agreements:agreement_list"), allowed="az-consul"),
    "agreements:agreement_detail": Route(
        _r("agreements:agreement_detail", "EU-AZ"), allowed="de-readonly"
    ),
    "agreements:deadlines": Route(
        lambda c: reverse("agreements:deadlines", args=["EU-RS"]) + "?received=2026-03-02",
        allowed="pk-officer",
    ),
    "agreements:agreement_edit": Route(
        _r("agreements:agreement_edit", "EU-AZ"), allowed="platform-admin", forbidden="de-admin"
    ),
    "agreements:rule_set": Route(
        _r("agreements:rule_set", "EU-RS"), allowed="platform-admin", forbidden="de-admin"
    ),
    "agreements:rule_remove": Route(
        _r("agreements:rule_remove", "EU-RS", "reply_period_normal", "2008-01-01"),
        method="post",
        allowed="platform-admin",
        ok=(302,),
        forbidden="de-admin",
    ),
    "agreements:evidence_set": Route(
        _r("agreements:evidence_set", "EU-PK"), allowed="platform-admin", forbidden="de-admin"
    ),
    "agreements:evidence_remove": Route(
        _r("agreements:evidence_remove", "EU-PK", "passport"),
        method="post",
        allowed="platform-admin",
        ok=(302,),
        forbidden="de-admin",
    ),
    "agreements:registry_export": Route(
        _r("agreements:registry_export"), allowed="platform-admin", forbidden="de-admin"
    ),
    # Webhook endpoints: the authority's administrators; other authorities do not see them.
    "webhooks:endpoint_list": Route(
        _r("webhooks:endpoint_list"), allowed="de-admin", forbidden="de-officer"
    ),
    "webhooks:endpoint_create": Route(
        _r("webhooks:endpoint_create"), allowed="de-admin", forbidden="de-supervisor"
    ),
    "webhooks:endpoint_detail": Route(
        lambda c: reverse("webhooks:endpoint_detail", args=[c.webhook_id]),
        allowed="de-admin",
        forbidden="de-officer",
        strangers=("az-admin", "nl-admin"),
    ),
    "webhooks:endpoint_rotate": Route(
        lambda c: reverse("webhooks:endpoint_rotate", args=[c.webhook_id]),
        method="post",
        allowed="de-admin",
        forbidden="de-readonly",
        strangers=("az-admin",),
    ),
    "webhooks:delivery_retry": Route(
        lambda c: reverse("webhooks:delivery_retry", args=[c.webhook_id, c.delivery_id]),
        method="post",
        allowed="de-admin",
        ok=(302,),
        forbidden="de-officer",
        strangers=("nl-admin",),
    ),
    # Bulk import: caseworkers of the requesting authority; jobs stay with their authority.
    "imports:import_page": Route(
        _r("imports:import_page"), allowed="de-officer", forbidden="de-readonly"
    ),
    "imports:job_detail": Route(
        lambda c: reverse("imports:job_detail", args=[c.import_job_id]),
        allowed="de-officer",
        forbidden="de-readonly",
        strangers=("az-officer", "nl-officer"),
    ),
    "imports:template": Route(
        _r("imports:template", "xlsx"), allowed="de-officer", forbidden="de-admin"
    ),
    # List exports: each viewer's own scope (a requested state gets the shared fields only).
    "exports:applications": Route(
        _r("exports:applications", "csv"), allowed="az-officer", forbidden="az-admin"
    ),
    "exports:return_cases": Route(
        _r("exports:return_cases", "xlsx"), allowed="de-readonly", forbidden="de-admin"
    ),
    "exports:persons": Route(
        _r("exports:persons", "csv"), allowed="de-officer", forbidden="de-admin"
    ),
    "agreements:registry_import": Route(
        _r("agreements:registry_import"), allowed="platform-admin", forbidden="de-officer"
    ),
}

PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


def _p(suffix: str) -> Callable[[Ctx], str]:
    return lambda c: f"/api/v1/persons/{c.person_id}{suffix}"


def _c(suffix: str) -> Callable[[Ctx], str]:
    return lambda c: f"/api/v1/return-cases/{c.case_id}{suffix}"


def _application(suffix: str, **kwargs: Any) -> Route:
    """An application operation: other states and roles without casework get 404."""
    kwargs.setdefault("url", lambda c: f"/api/v1/applications/{c.application_id}{suffix}")
    return Route(strangers=("pk-officer", "nl-officer"), **kwargs)


API: dict[str, Route] = {
    "GET /api/v1/exports/applications": Route(
        lambda c: "/api/v1/exports/applications?format=xlsx",
        allowed="az-consul",
        forbidden="az-admin",
    ),
    "GET /api/v1/exports/return-cases": Route(
        lambda c: "/api/v1/exports/return-cases", allowed="de-readonly", forbidden="de-admin"
    ),
    "GET /api/v1/exports/persons": Route(
        lambda c: "/api/v1/exports/persons?format=csv", allowed="de-officer", forbidden="nl-admin"
    ),
    "POST /api/v1/imports": Route(
        lambda c: "/api/v1/imports",
        method="post",
        allowed="de-officer",
        ok=(202,),
        forbidden="de-readonly",
        multipart=lambda c: {
            "file": SimpleUploadedFile(
                "cases.csv",
                b"surname_latin,given_names_latin,sex,birth_year\nMatrix,Upload,X,1990\n",
            )
        },
    ),
    "GET /api/v1/imports/template": Route(
        lambda c: "/api/v1/imports/template?format=csv",
        allowed="nl-officer",
        forbidden="nl-admin",
    ),
    "GET /api/v1/imports/{job_id}": Route(
        lambda c: f"/api/v1/imports/{c.import_job_id}",
        allowed="de-officer",
        forbidden="de-readonly",
        strangers=("az-officer", "nl-officer"),
    ),
    "GET /api/v1/webhooks": Route(
        lambda c: "/api/v1/webhooks", allowed="de-admin", forbidden="de-officer"
    ),
    "POST /api/v1/webhooks": Route(
        lambda c: "/api/v1/webhooks",
        method="post",
        allowed="az-admin",
        ok=(201,),
        forbidden="az-officer",
        body=lambda c: {
            "url": "https://receiver.invalid/az",
            "event_types": ["application.submitted"],
        },
    ),
    "GET /api/v1/webhooks/{endpoint_id}": Route(
        lambda c: f"/api/v1/webhooks/{c.webhook_id}",
        allowed="de-admin",
        forbidden="de-supervisor",
        strangers=("az-admin", "nl-admin"),
    ),
    "PATCH /api/v1/webhooks/{endpoint_id}": Route(
        lambda c: f"/api/v1/webhooks/{c.webhook_id}",
        method="patch",
        allowed="de-admin",
        forbidden="de-officer",
        strangers=("az-admin",),
        body=lambda c: {"enabled": False},
    ),
    "GET /api/v1/webhooks/{endpoint_id}/deliveries": Route(
        lambda c: f"/api/v1/webhooks/{c.webhook_id}/deliveries",
        allowed="de-admin",
        forbidden="de-readonly",
        strangers=("nl-admin",),
    ),
    "GET /api/v1/me": Route(lambda c: "/api/v1/me", allowed="az-consul"),
    "GET /api/v1/states": Route(lambda c: "/api/v1/states", allowed="de-readonly"),
    "GET /api/v1/authorities": Route(lambda c: "/api/v1/authorities", allowed="pk-officer"),
    "GET /api/v1/users": Route(
        lambda c: "/api/v1/users",
        allowed="az-admin",
        forbidden="az-supervisor",
        not_listed=("de-officer",),
    ),
    "GET /api/v1/users/{user_id}": Route(
        lambda c: f"/api/v1/users/{c.target.pk}",
        allowed="de-admin",
        forbidden="de-supervisor",
        strangers=("az-admin", "nl-admin"),
    ),
    "GET /api/v1/audit": Route(
        lambda c: "/api/v1/audit", allowed="de-admin", forbidden="de-officer"
    ),
    "GET /api/v1/agreements": Route(lambda c: "/api/v1/agreements", allowed="ge-officer"),
    "GET /api/v1/agreements/{code}": Route(
        lambda c: "/api/v1/agreements/EU-GE", allowed="ge-officer"
    ),
    "GET /api/v1/deadlines": Route(
        lambda c: "/api/v1/deadlines?agreement=EU-RS&received=2026-03-02", allowed="de-officer"
    ),
    # Persons and return cases: the owning authority only; read-only users may look, not edit.
    "GET /api/v1/persons": Route(lambda c: "/api/v1/persons", allowed="de-readonly",
                                 forbidden="de-admin"),
    "POST /api/v1/persons": Route(lambda c: "/api/v1/persons", method="post",
                                  allowed="de-officer", ok=(201,), forbidden="de-readonly"),
    "GET /api/v1/persons/{person_id}": _persons(url=_p(""), allowed="de-readonly"),
    "PATCH /api/v1/persons/{person_id}": _persons(url=_p(""), method="patch",
                                                  allowed="de-officer", forbidden="de-readonly"),
    **{
        f"POST /api/v1/persons/{{person_id}}/{segment}": _persons(
            url=_p(f"/{segment}"), method="post", allowed="de-officer", forbidden="de-readonly",
            # the documented example names record 1, which may not be this person's
            ok=(200, 422),
            body={
                "family-links": lambda c: {"relation": "child", "relative_id": c.person_id},
                "identifiers/remove": lambda c: {"identifier_id": c.identifier_id},
            }.get(segment),
        )
        for segment in ("identifiers", "identifiers/remove", "nationalities", "names",
                        "family-links")
    },
    "POST /api/v1/persons/{person_id}/photo": _persons(
        url=_p("/photo"), method="post", allowed="de-officer", forbidden="de-readonly",
        multipart=lambda c: {"photo": io.BytesIO(PNG)},
    ),
    "GET /api/v1/persons/{person_id}/photo": _persons(url=_p("/photo"), allowed="de-readonly"),
    "GET /api/v1/return-cases": Route(lambda c: "/api/v1/return-cases", allowed="de-readonly",
                                      forbidden="de-admin"),
    # The matrix's person already has an active case: opening another is a conflict (409).
    "POST /api/v1/return-cases": _persons(
        url=lambda c: "/api/v1/return-cases", method="post", allowed="de-officer", ok=(409,),
        forbidden="de-readonly", body=lambda c: {"person_id": c.person_id},
    ),
    "GET /api/v1/return-cases/{case_id}": _persons(url=_c(""), allowed="de-readonly"),
    **{
        f"POST /api/v1/return-cases/{{case_id}}/{form}": _persons(
            url=_c(f"/{form}"), method="post", allowed="de-officer", forbidden="de-readonly",
            # past the permission checks, the documented example may not fit this case
            ok=(200, 409, 422),
        )
        for form in ("decision", "vd-extend", "vd-shorten", "appeal", "appeal-decide", "asylum",
                     "asylum-decide", "detention", "detention-end", "detention-extend",
                     "postponement", "postponement-end", "vulnerability", "risk",
                     "availability", "transition")
    },
    "POST /api/v1/return-cases/{case_id}/safeguard-override": _persons(
        url=_c("/safeguard-override"), method="post", allowed="de-supervisor", ok=(422,),
        forbidden="de-officer",
    ),
    # Applications: both states see them (each its own zone); others do not know they exist.
    "GET /api/v1/applications": Route(lambda c: "/api/v1/applications", allowed="az-officer",
                                      forbidden="de-admin"),
    "GET /api/v1/applications/{application_id}": _application("", allowed="az-officer"),
    "GET /api/v1/applications/{application_id}/events": _application(
        "/events", allowed="az-consul"
    ),
    "POST /api/v1/return-cases/{case_id}/applications": _persons(
        url=_c("/applications"), method="post", allowed="de-officer", ok=(201, 409, 422),
        forbidden="de-readonly",
    ),
    **{
        f"POST /api/v1/applications/{{application_id}}/{segment}": _application(
            f"/{segment}", method="post", allowed=side,
            # The matrix's application is just submitted: an action the transition table
            # does not allow yet answers 409 once the permission checks are passed.
            ok=(200, 409, 422),
            forbidden="de-readonly" if segment == "withdrawal" else "",
        )
        for segment, side in (
            ("submit", "de-officer"), ("acknowledge", "az-officer"),
            ("identification", "az-officer"), ("interviews", "az-officer"),
            ("interviews/result", "az-officer"), ("information-requests", "az-officer"),
            ("information", "de-officer"), ("extension", "az-officer"),
            ("replies", "az-officer"), ("travel-documents/request", "de-officer"),
            ("travel-documents", "az-consul"), ("transfers", "de-officer"),
            ("transfers/confirm", "az-officer"), ("transfers/postpone", "de-officer"),
            ("transfers/carry-out", "de-officer"), ("transfers/handover", "az-officer"),
            ("readmission-in-error", "az-officer"), ("withdrawal", "de-officer"),
        )
    },
    "POST /api/v1/applications/{application_id}/evidence": _application(
        "/evidence", method="post", allowed="de-officer", ok=(409,), forbidden="de-readonly",
        multipart=lambda c: {"person": c.application_person_id, "evidence_code": "passport",
                             "file": io.BytesIO(b"%PDF-1.4\n" + bytes(64))},
    ),
    "GET /api/v1/applications/{application_id}/evidence/{evidence_id}/file": _application(
        "", url=lambda c: f"/api/v1/applications/{c.application_id}/evidence/{c.evidence_id}/file",
        allowed="az-consul",
    ),
    "GET /api/v1/notifications": Route(lambda c: "/api/v1/notifications", allowed="de-officer"),
    "POST /api/v1/notifications/{notification_id}/read": Route(
        lambda c: f"/api/v1/notifications/{c.notification_id}/read", method="post",
        allowed="de-officer", strangers=("de-supervisor", "az-officer"),
    ),
    "POST /api/v1/notifications/read": Route(
        lambda c: "/api/v1/notifications/read", method="post", allowed="de-readonly"
    ),
}  # fmt: skip


def _web_routes() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                found.add(f"{namespace}:{p.name}")

    walk(get_resolver().url_patterns, "")
    return found


def _api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops}


def _api_route_names() -> set[str]:
    schema = api.get_openapi_schema()
    names = set()
    for ops in schema["paths"].values():
        for op in ops.values():
            names.add("api:" + op["operationId"].rsplit("_api_", 1)[1])
    return names


def test_every_route_is_classified() -> None:
    web_routes = _web_routes() - _api_route_names()
    assert web_routes == set(WEB), (
        f"unclassified web routes: {sorted(web_routes - set(WEB))}; "
        f"stale entries: {sorted(set(WEB) - web_routes)}"
    )
    operations = _api_operations()
    assert operations == set(API), (
        f"unclassified API operations: {sorted(operations - set(API))}; "
        f"stale entries: {sorted(set(API) - operations)}"
    )


@pytest.fixture
def ctx(persona: Callable[[str], User], settings: Any, tmp_path: Path) -> Ctx:
    target = persona("de-officer")
    token = token_create(actor=None, user=target, name="matrix", days=30)
    settings.MEDIA_ROOT = tmp_path / "media"
    person = person_create(actor=target, surname_latin="Matrix", given_names_latin="Test", sex="X",
                           birth_year=1990)  # fmt: skip
    person_photo_set(
        actor=target, person_id=person.pk, file=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(16))
    )
    case = case_create(actor=target, person_id=person.pk)
    application = application_draft(
        actor=target,
        return_case_id=case.pk,
        kind="own_nationals",
        requested_state="AZ",
        persons=[PersonInput(person_id=person.pk, role="principal")],
    )
    evidence = evidence_add(
        actor=target,
        application_id=application.pk,
        person_id=application.persons.get().pk,
        evidence_code="passport",
        upload=io.BytesIO(b"%PDF-1.4\n" + bytes(64)),
        file_name="p.pdf",
    )
    application_submit(actor=target, application_id=application.pk)
    notify(
        authorities=[target.authority], capability=None, action="matrix", title="Matrix", url="/"
    )
    note = next(
        n for n in Notification.objects.filter(action="matrix") if n.recipient_id == target.pk
    )
    hook = endpoint_create(
        actor=persona("de-admin"),
        url="https://receiver.invalid/hook",
        event_types=["application.submitted"],
        enabled=False,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=hook.endpoint, event_type="application.submitted", body="{}", status="failed"
    )
    job = ImportJob.objects.create(authority=target.authority, created_by=target, status="done")
    return Ctx(
        import_job_id=job.pk,
        webhook_id=hook.endpoint.pk,
        delivery_id=delivery.pk,
        target=target,
        token_id=token.token.pk,
        person_id=person.pk,
        case_id=case.pk,
        application_id=application.pk,
        evidence_id=evidence.pk,
        notification_id=note.pk,
        application_person_id=application.persons.get().pk,
        identifier_id=identifier_add(
            actor=target, person_id=person.pk, kind="passport", number="M4TR1X"
        ).pk,
    )


def _call(client: Client, route: Route, ctx: Ctx, **extra: Any) -> Any:
    return getattr(client, route.method)(route.url(ctx), **extra)


@functools.cache
def _openapi() -> dict[str, Any]:
    return api.get_openapi_schema()


def _documented_example(route: Route, name: str) -> dict[str, Any] | None:
    """The example body the OpenAPI document gives for the operation, if it takes one."""
    method, path = name.split(" ", 1)
    operation = _openapi()["paths"][path][method.lower()]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    ref = content["schema"]["$ref"].rsplit("/", 1)[1]
    schema = _openapi()["components"]["schemas"][ref]
    examples: list[dict[str, Any]] = schema.get("examples", [{}])
    return examples[0]


def _call_api(client: Client, route: Route, name: str, ctx: Ctx, **extra: Any) -> Any:
    """Call with the same valid body for everyone: the answer then depends on the caller only."""
    if route.multipart is not None:
        return client.post(route.url(ctx), route.multipart(ctx), **extra)
    body = route.body(ctx) if route.body else _documented_example(route, name)
    if body is None:
        return _call(client, route, ctx, **extra)
    return getattr(client, route.method)(
        route.url(ctx), json.dumps(body), content_type="application/json", **extra
    )


@pytest.mark.parametrize("name", sorted(WEB))
@pytest.mark.django_db
def test_web_route(name: str, ctx: Ctx, client_as: Callable[[str], Client]) -> None:
    route = WEB[name]
    anonymous = _call(Client(), route, ctx)
    if route.public:
        assert anonymous.status_code in route.ok
        return
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))

    for stranger in route.strangers:
        assert _call(client_as(stranger), route, ctx).status_code == 404, stranger
    if route.forbidden:
        assert _call(client_as(route.forbidden), route, ctx).status_code == 403
    response = _call(client_as(route.allowed), route, ctx)
    assert response.status_code in route.ok
    if route.not_listed:
        body = response.content.decode()
        assert route.allowed in body
        for username in route.not_listed:
            assert username not in body


def _bearer(persona: Callable[[str], User], username: str) -> dict[str, str]:
    issued = token_create(actor=None, user=persona(username), name="matrix", days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


@pytest.mark.parametrize("name", sorted(API))
@pytest.mark.django_db
def test_api_operation(name: str, ctx: Ctx, persona: Callable[[str], User]) -> None:
    route = API[name]
    client = Client()
    anonymous = _call_api(client, route, name, ctx)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    bad = _call_api(
        client, route, name, ctx, HTTP_AUTHORIZATION="Bearer rdm_deadbeef_not-a-real-token"
    )
    assert bad.status_code == 401

    for stranger in route.strangers:
        response = _call_api(client, route, name, ctx, **_bearer(persona, stranger))
        assert response.status_code == 404, stranger
        assert response.json()["error"]["code"] == "not_found"
    if route.forbidden:
        response = _call_api(client, route, name, ctx, **_bearer(persona, route.forbidden))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "capability_required"
    response = _call_api(client, route, name, ctx, **_bearer(persona, route.allowed))
    assert response.status_code in route.ok
    if route.not_listed:
        usernames = {u["username"] for u in response.json()}
        assert route.allowed in usernames
        assert not usernames & set(route.not_listed)
