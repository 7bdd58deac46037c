"""Turn domain errors raised under a web view into the right page."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
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
