"""Webhooks: signed deliveries to a real HTTP receiver on 127.0.0.1, retries with backoff,
disabled and failing endpoints that never block the workflow, and the border between states."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.persons.services import person_create
from readmit.readmission.models import Application
from readmit.readmission.selectors import SHARED_APPLICATION_FIELDS
from readmit.readmission.services import (
    PersonInput,
    application_acknowledge,
    application_draft,
    application_submit,
    evidence_add,
)
from readmit.returns.services import case_create
from readmit.webhooks import services, signing
from readmit.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from readmit.webhooks.services import deliver_due, endpoint_create, endpoint_update


class Receiver:
    """A local HTTP server that records what it receives and answers with the next status."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers.items()), body))
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def draft(persona: Callable[[str], User], settings: Any, tmp_path: Any) -> Application:
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = persona("de-officer")
    person = person_create(actor=officer, surname_latin="Zzyzxname", given_names_latin="Qwerty",
                           sex="M", birth_year=1990)  # fmt: skip
    case = case_create(actor=officer, person_id=person.pk)
    application = application_draft(
        actor=officer,
        return_case_id=case.pk,
        kind="own_nationals",
        requested_state="AZ",
        persons=[PersonInput(person_id=person.pk, role="principal")],
    )
    evidence_add(
        actor=officer,
        application_id=application.pk,
        person_id=application.persons.get().pk,
        evidence_code="passport",
        upload=io.BytesIO(b"%PDF-1.4\n" + bytes(64)),
        file_name="p.pdf",
    )
    return application


def _register(persona: Callable[[str], User], username: str, url: str, *types: str) -> str:
    created = endpoint_create(actor=persona(username), url=url, event_types=list(types))
    return created.secret


def _submit(
    persona: Callable[[str], User], draft: Application, capture: Any
) -> list[WebhookDelivery]:
    with capture(execute=True):
        application_submit(actor=persona("de-officer"), application_id=draft.pk)
    return list(WebhookDelivery.objects.order_by("pk"))


@pytest.mark.django_db
def test_signed_delivery_reaches_the_requested_state_with_shared_data_only(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    secret = _register(persona, "az-admin", receiver.url, "application.submitted")
    deliveries = _submit(persona, draft, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert signing.verify(secret, headers["Readmit-Signature"], body)
    assert not signing.verify(secret, headers["Readmit-Signature"], body + b" ")
    assert not signing.verify("whsec_wrong", headers["Readmit-Signature"], body)
    payload = json.loads(body)
    assert payload["type"] == "application.submitted"
    assert payload["data"]["application"]["reference"] == draft.reference
    assert headers["Readmit-Event"] == "application.submitted"
    assert headers["Readmit-Delivery"] == payload["id"]
    # Only shared fields of the application; no name, no return-case link.
    application_keys = set(payload["data"]["application"])
    assert application_keys <= set(SHARED_APPLICATION_FIELDS), application_keys
    text = body.decode()
    assert "Zzyzxname" not in text and "Qwerty" not in text
    assert "return_case" not in text
    assert [d.status for d in deliveries] == [DeliveryStatus.DELIVERED]
    assert deliveries[0].attempt_log.get().status_code == 204


@pytest.mark.django_db
def test_only_authorities_that_see_the_event_receive_it(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    every = ("application.submitted", "application.drafted", "application.acknowledged")
    _register(persona, "nl-admin", receiver.url + "/nl", *every)  # another state: never
    _register(persona, "de-admin", receiver.url + "/de", *every)
    _register(persona, "az-admin", receiver.url + "/az", "application.acknowledged")
    _submit(persona, draft, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        application_acknowledge(actor=persona("az-officer"), application_id=draft.pk)
    paths = sorted(
        (d.event_type, d.endpoint.url.rsplit("/", 1)[1])
        for d in WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED)
    )
    assert len(receiver.requests) == 3
    assert paths == [
        ("application.acknowledged", "az"),
        ("application.acknowledged", "de"),
        ("application.submitted", "de"),
    ]


@pytest.mark.django_db
def test_a_requesting_only_event_stays_with_the_requesting_authority(
    persona: Callable[[str], User], receiver: Receiver, draft: Application
) -> None:
    from readmit.readmission.models import ApplicationEvent

    _register(persona, "az-admin", receiver.url, "application.drafted")
    _register(persona, "de-admin", receiver.url, "application.drafted")
    drafted = ApplicationEvent.objects.get(application=draft, action="drafted")
    created = services.event_published(drafted)
    assert [WebhookDelivery.objects.get(pk=pk).endpoint.authority.code for pk in created] == [
        persona("de-admin").authority.code
    ]


@pytest.mark.django_db
def test_failures_are_retried_with_exponential_backoff_then_given_up(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.READMIT_WEBHOOK_MAX_ATTEMPTS = 3
    settings.READMIT_WEBHOOK_BACKOFF_SECONDS = 30
    _register(persona, "az-admin", receiver.url, "application.submitted")
    receiver.statuses = [500, 503, 500, 500]
    (delivery,) = _submit(persona, draft, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    first_wait = delivery.next_attempt_at - timezone.now()  # type: ignore[operator]
    assert dt.timedelta(seconds=25) < first_wait <= dt.timedelta(seconds=30)

    # Not due yet: nothing is sent.
    assert deliver_due() == {}
    assert len(receiver.requests) == 1

    later = timezone.now() + dt.timedelta(seconds=31)
    assert deliver_due(now=later) == {DeliveryStatus.RETRYING: 1}
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - timezone.now()  # type: ignore[operator]
    assert dt.timedelta(seconds=55) < second_wait <= dt.timedelta(seconds=60)  # doubled

    assert deliver_due(now=later + dt.timedelta(seconds=61)) == {DeliveryStatus.FAILED: 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert delivery.next_attempt_at is None
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 500]
    # Every attempt sent the same body and a valid signature.
    assert len({body for _h, body in receiver.requests}) == 1
    # Given up: the periodic job leaves it alone.
    assert deliver_due(now=later + dt.timedelta(days=1)) == {}


@pytest.mark.django_db
def test_a_retry_succeeds_after_the_receiver_recovers(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _register(persona, "az-admin", receiver.url, "application.submitted")
    receiver.statuses = [502]
    (delivery,) = _submit(persona, draft, django_capture_on_commit_callbacks)
    deliver_due(now=timezone.now() + dt.timedelta(minutes=5))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert delivery.delivered_at is not None


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody-listens"


@pytest.mark.django_db
def test_an_unreachable_or_slow_endpoint_never_blocks_the_workflow(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.READMIT_WEBHOOK_TIMEOUT = 0.5
    _register(persona, "az-admin", _closed_port(), "application.submitted")
    _register(persona, "de-admin", receiver.url, "application.submitted")
    receiver.delay = 2.0
    deliveries = _submit(persona, draft, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == "submitted"
    by_authority = {d.endpoint.authority.code: d for d in deliveries}
    assert all(d.status == DeliveryStatus.RETRYING for d in deliveries)
    assert by_authority[persona("de-admin").authority.code].last_error == "timeout"
    assert by_authority[persona("az-admin").authority.code].last_error == "ConnectError"


@pytest.mark.django_db
def test_broken_publishing_never_raises_into_the_service(
    persona: Callable[[str], User],
    draft: Application,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(event: Any) -> list[int]:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_publish", broken)
    _submit(persona, draft, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == "submitted"


@pytest.mark.django_db
def test_disabled_endpoints_get_nothing_and_queued_deliveries_are_skipped(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = persona("az-admin")
    off = endpoint_create(
        actor=admin, url=receiver.url, event_types=["application.submitted"], enabled=False
    )
    on = endpoint_create(actor=admin, url=receiver.url, event_types=["application.submitted"])
    receiver.statuses = [500]
    (delivery,) = _submit(persona, draft, django_capture_on_commit_callbacks)
    assert delivery.endpoint_id == on.endpoint.pk
    assert off.endpoint.deliveries.count() == 0
    endpoint_update(actor=admin, endpoint_id=on.endpoint.pk, enabled=False)
    assert deliver_due(now=timezone.now() + dt.timedelta(hours=1)) == {DeliveryStatus.SKIPPED: 1}
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_endpoint_rules(persona: Callable[[str], User], settings: Any) -> None:
    from readmit.core.errors import Forbidden, ValidationFailed

    admin = persona("de-admin")
    with pytest.raises(Forbidden):
        endpoint_create(actor=persona("de-officer"), url="https://x.test/", event_types=[
            "application.submitted"])  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        endpoint_create(actor=admin, url="ftp://x.test/", event_types=["nonsense"])
    assert set(exc.value.fields) == {"url", "event_types"}
    settings.READMIT_WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ValidationFailed):
        endpoint_create(actor=admin, url="http://x.test/", event_types=["application.submitted"])
    created = endpoint_create(
        actor=admin, url="https://x.test/", event_types=["application.submitted"]
    )
    assert created.secret.startswith("whsec_")
    # Derived from a stored salt and the server key: the database alone does not hold it.
    assert created.secret not in created.endpoint.secret_salt
    assert signing.secret_for(created.endpoint.secret_salt) == created.secret
    rotated = services.endpoint_rotate_secret(actor=admin, endpoint_id=created.endpoint.pk)
    assert rotated.secret != created.secret


@pytest.mark.django_db
def test_web_pages_show_the_secret_once_and_the_delivery_history(
    client_as: Callable[[str], Client],
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_as("az-admin")
    response = client.post(
        "/webhooks/new/",
        {"url": receiver.url, "event_types": ["application.submitted"], "enabled": "on"},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    endpoint_id = response.context["endpoint"].pk
    _submit(persona, draft, django_capture_on_commit_callbacks)
    headers, body = receiver.requests[0]
    assert signing.verify(secret, headers["Readmit-Signature"], body)
    page = client.get(f"/webhooks/{endpoint_id}/").content.decode()
    assert "application.submitted" in page and "Delivered" in page
    assert secret not in page
    assert client_as("de-admin").get(f"/webhooks/{endpoint_id}/").status_code == 404
    assert client_as("az-officer").get(f"/webhooks/{endpoint_id}/").status_code == 403


@pytest.mark.django_db
def test_api_registers_an_endpoint_and_lists_deliveries(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    issued = token_create(actor=None, user=persona("az-admin"), name="t", days=5)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    client = Client()
    response = client.post(
        "/api/v1/webhooks",
        {"url": receiver.url, "event_types": ["application.submitted"]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201
    created = response.json()
    _submit(persona, draft, django_capture_on_commit_callbacks)
    headers, body = receiver.requests[0]
    assert signing.verify(created["secret"], headers["Readmit-Signature"], body)
    # The event's time is written as the API writes it, character for character.
    event = json.loads(body)["data"]["event"]
    reader = token_create(actor=None, user=persona("az-officer"), name="t", days=5)
    timeline = client.get(
        f"/api/v1/applications/{draft.pk}/events",
        HTTP_AUTHORIZATION=f"Bearer {reader.plaintext}",
    ).json()
    submitted = next(e for e in timeline if e["action"] == event["action"])
    assert event["at"] == submitted["at"] == json.loads(body)["created"]
    assert event["at"].endswith("Z")
    listed = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", **auth).json()
    assert [d["status"] for d in listed] == ["delivered"]
    assert listed[0]["attempt_log"][0]["status_code"] == 204
    assert "secret" not in client.get(f"/api/v1/webhooks/{created['id']}", **auth).json()
    patched = client.patch(
        f"/api/v1/webhooks/{created['id']}",
        {"enabled": False},
        content_type="application/json",
        **auth,
    )
    assert patched.json()["enabled"] is False


def test_every_timeline_action_is_an_event_type() -> None:
    """A new step of the workflow must be offered to webhook subscribers (and documented)."""
    import re
    from pathlib import Path

    from readmit.webhooks.events import EVENT_TYPES

    source = Path(services.__file__).parent.parent / "readmission" / "services.py"
    text = source.read_text() + (source.parent / "sweep.py").read_text()
    actions = set(re.findall(r'_event\([^)]*?action="([a-z_]+)"', text, re.S))
    assert {"submitted", "overdue", "person_closed", "withdrawn"} <= actions
    actions |= set(re.findall(r'"(?:confirm|postpone|carry_out)_[a-z_]+": "([a-z_]+)"', text))
    actions |= {"refused", "interview_requested", "handover_confirmed"}
    assert actions, "no actions found"
    missing = {f"application.{a}" for a in actions} - set(EVENT_TYPES)
    assert not missing
    docs = (source.parents[3] / "docs" / "webhooks.md").read_text()
    assert all(f"`{t.removeprefix('application.')}`" in docs for t in EVENT_TYPES)


UNUSABLE_ADDRESSES = [
    ("https://[abc/x", "This is not a valid web address."),
    ("https://hooks.example/a b", "The address must not contain spaces or line breaks."),
    ("https://hooks.example/a\tb", "The address must not contain spaces or line breaks."),
    ("https://hooks.example:0/x", "The port must be a number from 1 to 65535."),
    ("https://hooks.example:65536/x", "The port must be a number from 1 to 65535."),
    ("https://hooks.example:https/x", "The port must be a number from 1 to 65535."),
]


@pytest.mark.parametrize(("url", "message"), UNUSABLE_ADDRESSES)
@pytest.mark.django_db
def test_an_unusable_address_is_refused_in_plain_words_everywhere(
    persona: Callable[[str], User],
    client_as: Callable[[str], Client],
    url: str,
    message: str,
) -> None:
    admin = persona("de-admin")
    existing = endpoint_create(
        actor=admin, url="https://hooks.example/ok", event_types=["application.submitted"]
    ).endpoint
    issued = token_create(actor=None, user=admin, name="t", days=5)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    api = Client()
    created = api.post(
        "/api/v1/webhooks",
        {"url": url, "event_types": ["application.submitted"]},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 422
    assert created.json()["error"]["fields"] == {"url": [message]}
    patched = api.patch(
        f"/api/v1/webhooks/{existing.pk}",
        {"url": url},
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 422
    assert patched.json()["error"]["fields"] == {"url": [message]}
    page = client_as("de-admin").post(
        "/webhooks/new/", {"url": url, "event_types": ["application.submitted"], "enabled": "on"}
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "secret" not in page.context
    existing.refresh_from_db()
    assert existing.url == "https://hooks.example/ok"
    assert list(WebhookEndpoint.objects.values_list("pk", flat=True)) == [existing.pk]


@pytest.mark.django_db
def test_a_long_description_is_refused_not_cut(persona: Callable[[str], User]) -> None:
    admin = persona("de-admin")
    issued = token_create(actor=None, user=admin, name="t", days=5)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    api = Client()
    body = {"url": "https://hooks.example/x", "event_types": ["application.submitted"]}
    response = api.post(
        "/api/v1/webhooks", {**body, "description": "d" * 201}, content_type="application/json",
        **auth,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"description": ["At most 200 characters."]}
    assert not WebhookEndpoint.objects.exists()
    created = api.post(
        "/api/v1/webhooks", {**body, "description": "d" * 200}, content_type="application/json",
        **auth,
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["description"] == "d" * 200
    patched = api.patch(
        f"/api/v1/webhooks/{created.json()['id']}",
        {"description": "e" * 201},
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 422
    assert patched.json()["error"]["fields"] == {"description": ["At most 200 characters."]}
    assert WebhookEndpoint.objects.get().description == "d" * 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.7:8443/hook",
        "https://169.254.169.254/latest/meta-data",  # a cloud's instance metadata
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
    ],
)
def test_where_private_addresses_are_not_allowed_they_are_refused(
    url: str, persona: Callable[[str], User], settings: Any
) -> None:
    from readmit.core.errors import ValidationFailed

    settings.READMIT_WEBHOOK_ALLOW_PRIVATE = False  # production's default
    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(actor=persona("az-admin"), url=url, event_types=["application.submitted"])
    assert refused.value.fields == {
        "url": ["The address is on a local or private network; give a public address."]
    }
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_name_that_leads_into_a_private_network_is_not_called(
    persona: Callable[[str], User],
    draft: Application,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Registered by name while allowed; the worker checks what the name resolves to at each
    # attempt (a name can be pointed at an internal address after registration).
    by_name = receiver.url.replace("127.0.0.1", "localhost.test")
    _register(persona, "az-admin", by_name, "application.submitted")
    settings.READMIT_WEBHOOK_ALLOW_PRIVATE = False
    resolved = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
    with mock.patch("socket.getaddrinfo", return_value=resolved):
        deliveries = _submit(persona, draft, django_capture_on_commit_callbacks)
    assert [d.last_error for d in deliveries] == ["private address"]
    assert receiver.requests == []
    draft.refresh_from_db()
    assert draft.status == "submitted"  # the workflow went on
