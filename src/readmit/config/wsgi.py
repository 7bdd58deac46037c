"""WSGI entry point for `readmit serve` (granian)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readmit.config.settings")
_django = get_wsgi_application()

# granian starts each request's environ from a copy of the process environment, which holds
# DATABASE_URL with its password: never a request's (error reports list request.META). The
# names the request itself sets (the CGI ones, HTTP_*, wsgi.*) stay.
_CGI_PREFIXES = ("HTTP_", "SERVER_", "REMOTE_", "REQUEST_", "CONTENT_", "wsgi.")
_CGI_NAMES = {"PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "GATEWAY_INTERFACE"}
_PROCESS_ONLY = tuple(
    name for name in os.environ if not name.startswith(_CGI_PREFIXES) and name not in _CGI_NAMES
)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django's WSGI application, without the process environment in the request; a response
    already in memory is handed over as a list of its bytes, which granian sends in one call
    instead of iterating it from Rust."""
    for name in _PROCESS_ONLY:
        environ.pop(name, None)
    response: Any = _django(environ, start_response)
    if getattr(response, "streaming", True):
        return response  # streamed, or a file for the server's file wrapper
    try:
        return [response.content]
    finally:
        response.close()
