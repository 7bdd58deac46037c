"""The Content-Security-Policy header, built once (web.middleware), is django-csp's own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from csp.utils import build_policy
from django.test import Client

pytestmark = pytest.mark.django_db


def test_every_response_carries_the_policy_django_csp_builds_from_the_settings(
    client_as: Callable[[str], Client],
) -> None:
    expected = build_policy()
    assert "default-src 'self'" in expected and "frame-ancestors 'none'" in expected
    anonymous = Client()
    officer = client_as("de-officer")
    for response in (
        anonymous.get("/healthz"),
        anonymous.get("/accounts/login/"),
        anonymous.get("/api/v1/me"),  # 401, in the API's error shape
        officer.get("/"),
        officer.get("/"),
    ):
        assert response["Content-Security-Policy"] == expected
