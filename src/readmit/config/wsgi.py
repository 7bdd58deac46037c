"""WSGI entry point for `readmit serve` (granian)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readmit.config.settings")
_django = get_wsgi_application()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django's WSGI application; a response already in memory is handed over as a list of
    its bytes, which granian sends in one call instead of iterating it from Rust."""
    response: Any = _django(environ, start_response)
    if getattr(response, "streaming", True):
        return response  # streamed, or a file for the server's file wrapper
    try:
        return [response.content]
    finally:
        response.close()
