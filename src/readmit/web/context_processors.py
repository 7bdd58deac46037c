from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from readmit.accounts.capabilities import capabilities_of


def readmit(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    caps = capabilities_of(user) if user is not None else frozenset()
    unread = 0
    if user is not None and user.is_authenticated:
        from readmit.notifications.services import unread_count

        unread = unread_count(user)
    return {
        "unread_notifications": unread,
        "caps": {c.value for c in caps},
        "two_factor_relaxed": not settings.READMIT_REQUIRE_2FA,
        "production": settings.PRODUCTION,
    }
