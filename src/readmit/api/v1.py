"""REST API v1: `/api/v1/`, OpenAPI at `/api/v1/openapi.json`, docs at `/api/v1/docs`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from ninja import NinjaAPI

from readmit.accounts.api import router as accounts_router
from readmit.agreements.api import router as agreements_router
from readmit.api import errors
from readmit.api.auth import BearerToken
from readmit.audit.api import router as audit_router
from readmit.audit.context import channel
from readmit.exports.api import router as exports_router
from readmit.imports.api import router as imports_router
from readmit.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="Readmit API",
    version="1",
    description=(
        "Readmission case management. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `readmit token create --user NAME` or on the API tokens page). "
        "Out-of-scope objects answer 404, in scope without the capability 403."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    # The interactive docs page loads Swagger UI from a CDN; it stays off until the assets
    # are vendored (strict CSP, no CDN). The schema itself is served.
    docs_url=None,
)
errors.install(api)
api.add_router("/", accounts_router)
api.add_router("/", audit_router)
api.add_router("/", agreements_router)
api.add_router("/", webhooks_router)
api.add_router("/", imports_router)
api.add_router("/", exports_router)


def urlpatterns() -> list[Any]:
    """The API's URL patterns, exempt from the web sign-in (the API answers 401 itself)."""
    patterns, _app, _ns = api.urls
    for pattern in patterns:
        view = pattern.callback

        def wrapped(request: HttpRequest, *args: Any, __view: Any = view, **kwargs: Any) -> Any:
            with channel("api"):
                return __view(request, *args, **kwargs)

        wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # bearer tokens, no cookies
        pattern.callback = login_not_required(wrapped)
    return patterns
