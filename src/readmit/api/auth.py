from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from readmit.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer rdm_…`: a user's or a system integration's token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The Idempotency-Key check may have authenticated this very header already.
        user = getattr(request, "_bearer_user", None) or token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user
