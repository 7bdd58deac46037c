"""Turn domain errors raised under a web view into the right page; the policy header."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from readmit.core.errors import DomainError, Forbidden, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exc, DomainError):
            return None
        if isinstance(exc, NotFound):
            raise Http404(exc.message)
        if isinstance(exc, Forbidden):
            raise PermissionDenied(exc.message)
        return render(
            request,
            "web/error.html",
            {"message": exc.message, "code": exc.code},
            status=exc.http_status,
        )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the header built once.

    django-csp builds the policy on every response, for the nonces and the views' own
    adjustments (`_csp_update`, `_csp_replace`, `_csp_config`); Readmit's pages use no nonce and
    one view adjusts the policy, so every other response carries the same header. Building it
    was a twentieth of the API's busiest read. A response with an adjustment or a nonce, or
    exempted, goes through django-csp as it is.
    """

    _ADJUSTMENTS = tuple(
        f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace", "exempt")
        for suffix in ("", "_ro")
    )  # fmt: skip
    _built: tuple[str | None, str | None] | None = None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        plain = (
            getattr(request, "_csp_nonce", None) is None
            and not any(hasattr(response, name) for name in self._ADJUSTMENTS)
            and HEADER not in response
            and HEADER_REPORT_ONLY not in response
            and not settings.DEBUG
        )
        built = type(self)._built
        if not plain or built is None:
            response = super().process_response(request, response)
            if plain:
                type(self)._built = (response.get(HEADER), response.get(HEADER_REPORT_ONLY))
            return response
        policy, report_only = built
        if policy:
            response[HEADER] = policy
        if report_only:
            response[HEADER_REPORT_ONLY] = report_only
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
