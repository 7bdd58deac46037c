"""API tokens and the authority administrator's account management."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from readmit.accounts.models import ApiToken, User
from readmit.accounts.services import token_create, token_revoke, user_create
from readmit.audit.models import AccessLogEntry, AuditEntry
from readmit.core.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _me(token: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_a_token_is_shown_once_and_stored_only_as_a_digest(persona: Callable[[str], User]) -> None:
    issued = token_create(actor=None, user=persona("az-officer"), name="registry link", days=30)
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.plaintext.startswith(f"rdm_{stored.prefix}_")
    assert issued.plaintext not in (stored.digest, stored.prefix, stored.name)
    assert len(stored.digest) == 64
    assert _me(issued.plaintext) == 200


def test_the_token_page_shows_a_new_token_once(client_as: Callable[[str], Client]) -> None:
    client = client_as("de-officer")
    created = client.post("/accounts/tokens/", {"name": "my script", "days": 7, "user": ""})
    # The account defaults to the caller's own; a missing choice is reported, nothing is created.
    assert "There is a problem" in created.content.decode()
    me = User.objects.get(username="de-officer")
    created = client.post("/accounts/tokens/", {"name": "my script", "days": 7, "user": me.pk})
    body = created.content.decode()
    assert created["Cache-Control"] == "no-store"
    token = body.split('data-testid="new-token">')[1].split("<")[0]
    assert _me(token) == 200
    again = client.get("/accounts/tokens/").content.decode()
    assert token not in again and "my script" in again


def test_a_revoked_or_expired_token_is_refused(persona: Callable[[str], User]) -> None:
    user = persona("pk-officer")
    revoked = token_create(actor=None, user=user, name="old", days=30)
    token_revoke(actor=user, token_id=revoked.token.pk)
    assert _me(revoked.plaintext) == 401
    expiring = token_create(actor=None, user=user, name="short", days=1)
    assert _me(expiring.plaintext) == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert _me(expiring.plaintext) == 401


def test_a_deactivated_users_tokens_stop_working(persona: Callable[[str], User]) -> None:
    issued = token_create(actor=None, user=persona("nl-police"), name="x", days=5)
    User.objects.filter(username="nl-police").update(is_active=False)
    assert _me(issued.plaintext) == 401


def test_token_validity_is_bounded(persona: Callable[[str], User]) -> None:
    with pytest.raises(ValidationFailed):
        token_create(actor=None, user=persona("de-officer"), name="forever", days=10_000)
    with pytest.raises(ValidationFailed):
        token_create(actor=None, user=persona("de-officer"), name="never", days=0)


def test_an_admin_issues_tokens_for_a_system_integration_of_their_own_authority(
    persona: Callable[[str], User],
) -> None:
    admin = persona("az-admin")
    system = user_create(
        actor=admin,
        authority=admin.authority,
        username="az-registry-link",
        role="officer",
        is_system=True,
    )
    assert not system.has_usable_password()
    issued = token_create(actor=admin, user=system, name="civil registry", days=90)
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}").json()
    assert me["is_system"] is True
    assert me["authority"]["code"] == "az-sms"
    assert "reply_application" in me["capabilities"]
    with pytest.raises(NotFound):
        token_create(actor=persona("de-admin"), user=system, name="not mine", days=5)
    with pytest.raises(Forbidden):
        token_create(actor=persona("az-officer"), user=system, name="not an admin", days=5)


def test_an_admin_creates_an_account_only_at_their_own_authority(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("nl-admin")
    form = {
        "username": "nl-new",
        "role": "officer",
        "password": "a-strong-enough-password",
        "first_name": "Noor",
        "last_name": "Visser",
        "email": "noor@example.org",
    }
    response = client.post("/accounts/users/new/", form)
    assert response.status_code == 302
    created = User.objects.get(username="nl-new")
    assert created.authority is not None and created.authority.code == "nl-dtv"
    entry = AuditEntry.objects.get(action="accounts.user.created", object_id=str(created.pk))
    assert entry.actor_username == "nl-admin"
    # The role list of a national authority has no platform administrator.
    bad = client.post(
        "/accounts/users/new/", {**form, "username": "nl-sneaky", "role": "platform_admin"}
    )
    assert bad.status_code == 200
    assert not User.objects.filter(username="nl-sneaky").exists()


def test_a_rejected_form_keeps_what_was_typed(client_as: Callable[[str], Client]) -> None:
    response = client_as("de-admin").post(
        "/accounts/users/new/",
        {"username": "de-officer", "role": "officer", "password": "short", "first_name": "Heike"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This user name is taken." in body
    assert 'value="Heike"' in body
    assert 'href="#id_username"' in body  # the error summary links to the field


def test_changing_a_role_is_audited_with_old_and_new_values(
    client_as: Callable[[str], Client], persona: Callable[[str], User]
) -> None:
    target = persona("de-readonly")
    response = client_as("de-admin").post(
        f"/accounts/users/{target.pk}/",
        {
            "first_name": "Lukas",
            "last_name": "Hoffmann",
            "email": "",
            "role": "officer",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(
        action="accounts.user.updated", object_id=str(target.pk)
    ).last()
    assert entry is not None and entry.changes["role"] == ["read_only", "officer"]


def test_an_admin_cannot_deactivate_themselves(
    persona: Callable[[str], User], client_as: Callable[[str], Client]
) -> None:
    admin = persona("de-admin")
    response = client_as("de-admin").post(
        f"/accounts/users/{admin.pk}/",
        {"first_name": "Petra", "last_name": "Wagner", "email": "", "role": "authority_admin"},
    )
    assert "cannot deactivate your own account" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_reading_an_account_is_in_the_access_log(
    client_as: Callable[[str], Client], persona: Callable[[str], User]
) -> None:
    target = persona("de-officer")
    client_as("de-admin").get(f"/accounts/users/{target.pk}/")
    web = AccessLogEntry.objects.filter(
        object_type="accounts.user", object_id=str(target.pk)
    ).first()
    assert web is not None and web.actor_username == "de-admin" and web.channel == "web"

    issued = token_create(actor=None, user=persona("de-admin"), name="x", days=2)
    Client().get(f"/api/v1/users/{target.pk}", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    api = AccessLogEntry.objects.filter(object_id=str(target.pk), channel="api").first()
    assert api is not None and api.purpose == "api user detail"


def test_resetting_two_factor_removes_the_devices(
    client_as: Callable[[str], Client], persona: Callable[[str], User]
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    target = persona("az-officer")
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    response = client_as("az-admin").post(f"/accounts/users/{target.pk}/reset-two-factor/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AuditEntry.objects.filter(
        action="accounts.user.two_factor_reset", object_id=str(target.pk)
    ).exists()


def test_the_token_command_prints_a_working_token(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("token", "create", "--user", "ge-officer", "--days", "3")
    token = capsys.readouterr().out.strip()
    assert _me(token) == 200
    with pytest.raises(CommandError, match="No user is called"):
        call_command("token", "create", "--user", "nobody")


def test_the_createuser_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READMIT_NEW_PASSWORD", "an-operator-chosen-password")
    call_command("createuser", "be-second", "--authority", "be-dvz", "--role", "supervisor")
    user = User.objects.get(username="be-second")
    assert user.check_password("an-operator-chosen-password") and user.role == "supervisor"
    with pytest.raises(CommandError, match="No authority has the code"):
        call_command("createuser", "x", "--authority", "nowhere", "--role", "officer")
    with pytest.raises(CommandError, match="taken"):
        call_command("createuser", "be-second", "--authority", "be-dvz", "--role", "officer")
