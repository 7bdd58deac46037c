"""Named capabilities, and who holds them.

A user holds a capability when both the user's role grants it and the user's authority is of a
kind that may exercise it: a supervisor at a consular post can reply to an application but
never override a safeguard of the requesting state, and an authority administrator manages
accounts but handles no case. Services check capabilities with `require`; views and API
endpoints only translate the outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from readmit.core.errors import Forbidden

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User


class Capability(models.TextChoices):
    VIEW_CASES = "view_cases", _("View cases and applications")
    EDIT_RETURN_CASE = "edit_return_case", _("Register and edit return cases")
    SUBMIT_APPLICATION = "submit_application", _("Draft and submit readmission applications")
    WITHDRAW_APPLICATION = "withdraw_application", _("Withdraw an application")
    OVERRIDE_SAFEGUARD = "override_safeguard", _("Override a safeguard stop with a reason")
    NOTIFY_TRANSFER = "notify_transfer", _("Notify and carry out transfers")
    ACKNOWLEDGE_APPLICATION = "acknowledge_application", _("Acknowledge receipt of applications")
    REPLY_APPLICATION = "reply_application", _("Reply to applications")
    REQUEST_EXTENSION = "request_extension", _("Request information or an extension")
    CONDUCT_INTERVIEW = "conduct_interview", _("Record identification and interviews")
    ISSUE_TRAVEL_DOCUMENT = "issue_travel_document", _("Issue travel documents")
    CONFIRM_TRANSFER = "confirm_transfer", _("Confirm transfers and handovers")
    MANAGE_REINTEGRATION = "manage_reintegration", _("Follow up reintegration cases")
    MONITOR_OPERATIONS = "monitor_operations", _("Monitor return operations")
    VIEW_STATISTICS = "view_statistics", _("View cooperation statistics")
    MANAGE_USERS = "manage_users", _("Manage the authority's users")
    MANAGE_TOKENS = "manage_tokens", _("Manage API tokens of the authority")
    VIEW_AUDIT = "view_audit", _("View and export the authority's audit and access log")
    MANAGE_AGREEMENTS = "manage_agreements", _("Edit the agreements registry")
    MANAGE_AUTHORITIES = "manage_authorities", _("Manage states and authorities")
    USE_API = "use_api", _("Use the API with a personal token")


C = Capability

_CASEWORK_REQUESTING = {
    C.VIEW_CASES,
    C.EDIT_RETURN_CASE,
    C.SUBMIT_APPLICATION,
    C.WITHDRAW_APPLICATION,
    C.NOTIFY_TRANSFER,
}
_CASEWORK_REQUESTED = {
    C.VIEW_CASES,
    C.ACKNOWLEDGE_APPLICATION,
    C.REPLY_APPLICATION,
    C.REQUEST_EXTENSION,
    C.CONDUCT_INTERVIEW,
    C.ISSUE_TRAVEL_DOCUMENT,
    C.CONFIRM_TRANSFER,
}
# Administration and API access exist at every kind of authority.
_ADMINISTRATION = {C.MANAGE_USERS, C.MANAGE_TOKENS, C.VIEW_AUDIT, C.USE_API}

# What each kind of authority may do at all.
KIND_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "return_authority": frozenset(_CASEWORK_REQUESTING | {C.OVERRIDE_SAFEGUARD} | _ADMINISTRATION),
    "border_police": frozenset(_CASEWORK_REQUESTING | {C.OVERRIDE_SAFEGUARD} | _ADMINISTRATION),
    "central_authority": frozenset(_CASEWORK_REQUESTED | _ADMINISTRATION),
    "consular_post": frozenset(_CASEWORK_REQUESTED | _ADMINISTRATION),
    # Not VIEW_CASES: a partner sees a person only through a referral with consent, a monitor
    # only the operations it is assigned to, and neither exists yet; the readmission lists and
    # exports would rest on these authorities owning no case (deny by default, not by luck).
    "reintegration_partner": frozenset({C.MANAGE_REINTEGRATION} | _ADMINISTRATION),
    "monitoring_body": frozenset({C.MONITOR_OPERATIONS} | _ADMINISTRATION),
    "statistics_office": frozenset({C.VIEW_STATISTICS} | _ADMINISTRATION),
    "platform_administration": frozenset(
        {C.MANAGE_AGREEMENTS, C.MANAGE_AUTHORITIES, C.VIEW_STATISTICS} | _ADMINISTRATION
    ),
}

_WORK = {
    C.EDIT_RETURN_CASE,
    C.SUBMIT_APPLICATION,
    C.WITHDRAW_APPLICATION,
    C.NOTIFY_TRANSFER,
    C.ACKNOWLEDGE_APPLICATION,
    C.REPLY_APPLICATION,
    C.REQUEST_EXTENSION,
    C.CONDUCT_INTERVIEW,
    C.ISSUE_TRAVEL_DOCUMENT,
    C.CONFIRM_TRANSFER,
    C.MANAGE_REINTEGRATION,
    C.MONITOR_OPERATIONS,
}
_READ = {C.VIEW_CASES, C.VIEW_STATISTICS, C.USE_API}

# What each role grants, whatever the authority.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "read_only": frozenset(_READ),
    "officer": frozenset(_READ | _WORK),
    "supervisor": frozenset(_READ | _WORK | {C.OVERRIDE_SAFEGUARD}),
    # Separation of duties: administrators manage accounts and read the logs; they handle no case.
    "authority_admin": frozenset(_ADMINISTRATION | {C.USE_API}),
    "platform_admin": frozenset(
        _ADMINISTRATION | {C.MANAGE_AGREEMENTS, C.MANAGE_AUTHORITIES, C.VIEW_STATISTICS, C.USE_API}
    ),
}


def capabilities_of(user: User | AnonymousUser) -> frozenset[Capability]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    authority = getattr(user, "authority", None)
    if authority is None or not authority.is_active:
        return frozenset()
    role_caps = ROLE_CAPABILITIES.get(user.role, frozenset())
    if user.role == "platform_admin" and authority.kind != "platform_administration":
        return frozenset()
    return role_caps & KIND_CAPABILITIES.get(authority.kind, frozenset())


def has(user: User | AnonymousUser, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def require(user: User | AnonymousUser, capability: Capability) -> None:
    """Raise `Forbidden` unless the user holds the capability."""
    if not has(user, capability):
        raise Forbidden(
            _("Your role does not allow this: %(capability)s.") % {"capability": capability.label},
            code="capability_required",
        )
