"""Capabilities are what the role grants and the authority's kind allows, both at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from readmit.accounts.capabilities import Capability as C
from readmit.accounts.capabilities import capabilities_of, has, require
from readmit.accounts.models import Authority, User
from readmit.core.errors import Forbidden

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "granted", "denied"),
    [
        (
            "de-officer",
            {C.SUBMIT_APPLICATION, C.NOTIFY_TRANSFER},
            {C.REPLY_APPLICATION, C.OVERRIDE_SAFEGUARD, C.MANAGE_USERS},
        ),
        ("de-supervisor", {C.OVERRIDE_SAFEGUARD, C.SUBMIT_APPLICATION}, {C.ISSUE_TRAVEL_DOCUMENT}),
        ("de-readonly", {C.VIEW_CASES}, {C.SUBMIT_APPLICATION, C.EDIT_RETURN_CASE}),
        ("de-admin", {C.MANAGE_USERS, C.VIEW_AUDIT}, {C.VIEW_CASES, C.SUBMIT_APPLICATION}),
        (
            "az-officer",
            {C.REPLY_APPLICATION, C.ACKNOWLEDGE_APPLICATION},
            {C.SUBMIT_APPLICATION, C.NOTIFY_TRANSFER},
        ),
        # A supervisor of the requested state cannot override the requesting state's safeguards.
        ("az-supervisor", {C.REPLY_APPLICATION}, {C.OVERRIDE_SAFEGUARD}),
        ("az-consul", {C.ISSUE_TRAVEL_DOCUMENT}, {C.SUBMIT_APPLICATION}),
        # A partner and a monitor read no readmission list (their own scopes do not exist yet).
        (
            "iom-caseworker",
            {C.MANAGE_REINTEGRATION},
            {C.VIEW_CASES, C.REPLY_APPLICATION, C.SUBMIT_APPLICATION},
        ),
        ("monitor", {C.MONITOR_OPERATIONS}, {C.VIEW_CASES, C.SUBMIT_APPLICATION}),
        ("analyst", {C.VIEW_STATISTICS}, {C.VIEW_CASES}),
        (
            "platform-admin",
            {C.MANAGE_AGREEMENTS, C.MANAGE_AUTHORITIES},
            {C.VIEW_CASES, C.REPLY_APPLICATION},
        ),
    ],
)
def test_capabilities_by_persona(
    persona: Callable[[str], User], username: str, granted: set[C], denied: set[C]
) -> None:
    caps = capabilities_of(persona(username))
    assert granted <= caps
    assert not denied & caps


def test_a_platform_admin_role_outside_the_platform_administration_grants_nothing(
    persona: Callable[[str], User],
) -> None:
    user = persona("nl-officer")
    user.role = "platform_admin"
    assert capabilities_of(user) == frozenset()


def test_an_inactive_authority_or_user_has_no_capabilities(persona: Callable[[str], User]) -> None:
    user = persona("be-officer")
    assert has(user, C.SUBMIT_APPLICATION)
    Authority.objects.filter(code="be-dvz").update(is_active=False)
    user = persona("be-officer")
    assert capabilities_of(user) == frozenset()
    with pytest.raises(Forbidden) as excinfo:
        require(user, C.SUBMIT_APPLICATION)
    assert excinfo.value.code == "capability_required"
    assert "submit" in excinfo.value.message.lower()
