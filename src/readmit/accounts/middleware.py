"""Two-factor enforcement and the sign-in requirement for the web interface.

When two-factor authentication is required (always in production), a signed-in user who has
not passed a one-time code in this session reaches only the enrolment and verification pages
and the sign-out. The API is not affected: it authenticates with bearer tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

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
                reverse("accounts:language"),
            }
            if request.path not in allowed:
                return redirect("accounts:two_factor")
        with channel("web"):
            return self.get_response(request)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember the interface language in the browser, so the sign-in page keeps it too."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )


def _preferred_language(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    language: str = getattr(user, "language", "")
    return language if language in dict(settings.LANGUAGES) else ""


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's (LocaleMiddleware, which runs
    first, only knows the cookie and Accept-Language). Applied on every request, so it takes
    effect at sign-in and follows the user from one browser to another."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        language = _preferred_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # After signing in, the view has replaced request.user: keep the browser in step.
        language = _preferred_language(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's, asking the view first: for a view open to all (the API, which checks its own
    bearer token, the sign-in page, the health check) it answers without loading the session's
    user, which the API's every call paid for (the session, the two-factor check)."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
