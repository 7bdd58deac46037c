"""The API's description and its interactive documentation page (Swagger UI, vendored)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

DESCRIPTION = """\
Readmission case management: the same services, scopes and rules as the web interface.

**Authentication.** Every operation needs `Authorization: Bearer <token>`. A person creates a
token on the *API tokens* page; an administrator creates one for a system integration (a
user bound to one authority) with `readmit token create --user NAME`. Tokens expire and can
be revoked. Without a valid token: 401. An object outside your scope: 404. In scope without
the capability: 403.

**Pagination.** Lists answer `{"items": [...], "next_cursor": "..."}`, newest first. Pass
`next_cursor` as `cursor` for the next page; `null` means the last page.

**Idempotency.** Every POST accepts an `Idempotency-Key` header (1 to 255 ASCII characters).
A retry with the same key and the same body answers the first response again (header
`Idempotent-Replayed: true`) without doing the work twice; the same key with another body
answers 422 `idempotency_key_reused`.

**Errors.** Always `{"error": {"code": "...", "message": "...", "fields": {...}}}`: 422 for
invalid input (`fields` names each field), 409 for an illegal transition or a conflict.

**Links.** A response that gives an identifier lists, under `links`, the operations that
take it next and where it goes (`POST /persons` → `GET /persons/{person_id}`, …).

**The border.** A requested-state user receives only the application's shared fields; the
return file (return decision, appeals, asylum, detention, vulnerability) never crosses.
"""


@require_GET
def docs_view(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", {"schema_url": reverse("api:openapi-json")})
