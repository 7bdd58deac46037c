"""Two-factor enforcement for the web interface.

When two-factor authentication is required (always in production), a signed-in user who has
not passed a one-time code in this session reaches only the enrolment and verification pages
and the sign-out. The API is not affected: it authenticates with bearer tokens.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from readmit.audit.context import channel

_ALLOWED_PREFIXES = ("/static/", "/api/", "/healthz")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        user = request.user
        if (
            settings.READMIT_REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            allowed = {
                reverse("accounts:two_factor"),
                reverse("accounts:two_factor_setup"),
                reverse("accounts:logout"),
            }
            if request.path not in allowed:
                return redirect("accounts:two_factor")
        with channel("web"):
            return self.get_response(request)
