"""Signing webhook deliveries, and verifying a signature (for receivers and the tests).

Header: `Readmit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.

Each endpoint's secret is derived, not stored: secret = "whsec_" + base64url(HMAC-SHA256(
server key, "readmit-webhook-secret:" + the endpoint's random salt)). The database holds only
the salt, so a copy of the database alone cannot forge deliveries; the server key is
`READMIT_WEBHOOK_KEY` (falls back to `SECRET_KEY`; changing it changes every secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from django.conf import settings

HEADER = "Readmit-Signature"
TOLERANCE_SECONDS = 300


def _server_key() -> bytes:
    key = getattr(settings, "READMIT_WEBHOOK_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"readmit-webhook-key:" + key.encode("utf-8")).digest()


def secret_for(salt: str) -> str:
    digest = hmac.new(_server_key(), b"readmit-webhook-secret:" + salt.encode(), hashlib.sha256)
    return "whsec_" + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, t, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    now: int | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
    except (ValueError, KeyError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - t) > tolerance:
        return False
    expected = signature(secret, t, body)
    return hmac.compare_digest(expected, parts.get("v1", ""))
