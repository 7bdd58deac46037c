"""Reads for accounts, always starting from the viewer's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import ApiToken, Authority, State, User
from readmit.core.scoping import get_visible

if TYPE_CHECKING:
    from django.db.models import QuerySet


def user_list(*, viewer: User) -> QuerySet[User]:
    require(viewer, Capability.MANAGE_USERS)
    return User.objects.visible_to(viewer).select_related("authority").order_by("username")


def user_get(*, viewer: User, user_id: int) -> User:
    """404 when the account is outside the viewer's authority, 403 when the viewer cannot manage it."""
    user = get_visible(User.objects.visible_to(viewer).select_related("authority"), pk=user_id)
    require(viewer, Capability.MANAGE_USERS)
    return user


def token_list(*, viewer: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.visible_to(viewer).select_related("user", "created_by")


def token_get(*, viewer: User, token_id: int) -> ApiToken:
    return get_visible(token_list(viewer=viewer), pk=token_id)


def authority_list(*, viewer: User) -> QuerySet[Authority]:
    return Authority.objects.visible_to(viewer).select_related("state", "located_in")


def state_list() -> QuerySet[State]:
    return State.objects.order_by("name")
