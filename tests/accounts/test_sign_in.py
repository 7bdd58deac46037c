"""Signing in: passwords, lockout, two-factor, idle timeout, and who the user acts for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.demo.world import AUTHORITIES, PERSONAS

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _sign_in(client: Client, username: str, password: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.username)
def test_every_demo_persona_signs_in_and_sees_its_authority(
    persona: object, demo_password: str
) -> None:
    client = Client()
    response = _sign_in(client, persona.username, demo_password)  # type: ignore[attr-defined]
    assert response.status_code == 302  # type: ignore[attr-defined]
    home = client.get("/")
    assert home.status_code == 200
    name = next(a.name for a in AUTHORITIES if a.code == persona.authority)  # type: ignore[attr-defined]
    assert name in home.content.decode()


def test_a_wrong_password_is_refused_in_plain_words(demo_password: str) -> None:
    response = _sign_in(Client(), "de-officer", "not-the-password")
    assert response.status_code == 200
    assert "user name or password is not right" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_for_the_right_password(demo_password: str) -> None:
    client = Client()
    for _ in range(3):
        _sign_in(client, "nl-officer", "wrong-password")
    locked = _sign_in(client, "nl-officer", demo_password)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert client.get("/").status_code == 302  # still signed out


def test_a_deactivated_account_cannot_sign_in(
    persona: Callable[[str], User], demo_password: str
) -> None:
    user = persona("be-police")
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = _sign_in(Client(), "be-police", demo_password)
    assert response.status_code == 200
    assert Client().get("/").status_code == 302


def test_a_system_integration_cannot_sign_in_to_the_web(persona: Callable[[str], User]) -> None:
    user = persona("pk-officer")
    user.is_system = True
    user.set_password("integration-password-123")
    user.save()
    response = _sign_in(Client(), "pk-officer", "integration-password-123")
    assert response.status_code == 200
    assert "cannot sign in to the web interface" in response.content.decode()


def test_pages_need_a_signed_in_user() -> None:
    response = Client().get("/accounts/users/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_demo_says_on_every_page_that_two_factor_is_relaxed(
    client_as: Callable[[str], Client],
) -> None:
    for path in ("/", "/accounts/tokens/"):
        assert "Demo mode" in client_as("de-officer").get(path).content.decode()
    assert "Demo mode" in Client().get(LOGIN).content.decode()


@override_settings(READMIT_REQUIRE_2FA=True)
def test_two_factor_enrolment_then_verification(demo_password: str) -> None:
    client = Client()
    _sign_in(client, "ge-officer", demo_password)
    # Signed in with a password only: every page leads to enrolment.
    first = client.get("/")
    assert first.status_code == 302 and first["Location"] == reverse("accounts:two_factor")
    assert client.get(reverse("accounts:two_factor"))["Location"] == reverse(
        "accounts:two_factor_setup"
    )
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200
    assert "<svg" in setup.content.decode()
    assert "Demo mode" not in setup.content.decode()
    device = TOTPDevice.objects.get(user__username="ge-officer", confirmed=False)

    wrong = client.post(reverse("accounts:two_factor_setup"), {"otp_token": "000000"})
    assert "not right" in wrong.content.decode()
    code = f"{totp(device.bin_key):06d}"
    done = client.post(reverse("accounts:two_factor_setup"), {"otp_token": code})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.user.two_factor_enrolled").exists()

    # A new session asks for the code, not for a new enrolment.
    other = Client()
    _sign_in(other, "ge-officer", demo_password)
    assert other.get("/")["Location"] == reverse("accounts:two_factor")
    assert other.get(reverse("accounts:two_factor")).status_code == 200
    refused = other.post(reverse("accounts:two_factor"), {"otp_token": "123456"})
    assert "not right" in refused.content.decode()
    # The code used at enrolment cannot be replayed: the next time step gives a fresh one.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    with time_machine.travel(later, tick=False):
        verified = other.post(
            reverse("accounts:two_factor"), {"otp_token": f"{totp(device.bin_key):06d}"}
        )
        assert verified.status_code == 302
        assert other.get("/").status_code == 200


def test_an_idle_session_expires(demo_password: str) -> None:
    with time_machine.travel("2026-05-04 09:00:00+00:00", tick=False) as traveller:
        client = Client()
        _sign_in(client, "de-officer", demo_password)
        assert client.get("/").status_code == 200
        traveller.shift(25 * 60)
        assert client.get("/").status_code == 200  # activity renews the session
        traveller.shift(31 * 60)
        assert client.get("/").status_code == 302
