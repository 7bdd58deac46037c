"""REST API v1: `/api/v1/`, OpenAPI 3.1 at `/api/v1/openapi.json`, docs at `/api/v1/docs`.

Each domain app has its router in `<app>/api.py`; add yours with one `api.add_router` line.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from readmit.accounts.api import router as accounts_router
from readmit.agreements.api import router as agreements_router
from readmit.api import errors
from readmit.api.auth import BearerToken
from readmit.api.docs import DESCRIPTION, docs_view
from readmit.api.idempotency import idempotent
from readmit.api.links import add_links
from readmit.api.renderers import JSONRenderer
from readmit.audit.api import router as audit_router
from readmit.audit.context import channel
from readmit.exports.api import router as exports_router
from readmit.imports.api import router as imports_router
from readmit.notifications.api import router as notifications_router
from readmit.persons.api import router as persons_router
from readmit.readmission.api import router as readmission_router
from readmit.returns.api import router as returns_router
from readmit.webhooks.api import router as webhooks_router


class ReadmitAPI(NinjaAPI):
    """The generated document, with the links between operations (`api/links.py`)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_links(document, path_prefix)
        return document


api = ReadmitAPI(
    title="Readmit API",
    version="1",
    description=DESCRIPTION,
    auth=BearerToken(),
    renderer=JSONRenderer(),
    urls_namespace="api",
    docs_url=None,  # served by `docs_view`: Swagger UI vendored from npm, no CDN, no inline script
)
errors.install(api)
api.add_router("/", accounts_router)
api.add_router("/", audit_router)
api.add_router("/", agreements_router)
api.add_router("/", webhooks_router)
api.add_router("/", imports_router)
api.add_router("/", exports_router)
api.add_router("/", persons_router)
api.add_router("/", returns_router)
api.add_router("/", readmission_router)
api.add_router("/", notifications_router)


def _api_view(view: Any) -> Any:
    """Channel "api" for the audit trail, Idempotency-Key on POSTs, the error shape on 405."""
    once = idempotent(view, errors.error_json)

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if errors.has_nul(request):
            return errors.error_json(request, 422, "validation_failed", str(errors.NUL_MESSAGE))
        with channel("api"):
            response: HttpResponse = once(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return errors.method_not_allowed(request, response)
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # bearer tokens, no cookies
    return login_not_required(wrapped)


def urlpatterns() -> list[Any]:
    """The API's URL patterns, exempt from the web sign-in (the API answers 401 itself)."""
    patterns, _app, _ns = api.urls
    for pattern in patterns:
        pattern.callback = _api_view(pattern.callback)
    return [
        *patterns,
        path("docs", login_not_required(docs_view), name="docs"),
        re_path(r"^.*$", _api_view(errors.not_found_view), name="not_found"),
    ]
