"""API operations for the agreements registry and the deadline computation."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["agreements"])
