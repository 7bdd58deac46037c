"""The checked-in OpenAPI document (`docs/openapi.json`) and how it is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

# The repository's docs/ folder (src/readmit/api/schema.py → ../../../docs).
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI 3.1 document, in English whatever the active language."""
    from readmit.api.v1 import api

    with translation.override("en"):
        # A JSON round trip turns translated labels (lazy strings) into text, as served.
        document: dict[str, Any] = json.loads(
            json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder)
        )
    return document


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
