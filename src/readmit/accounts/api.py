"""API operations for the signed-in account, states, authorities and users."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from readmit.accounts import selectors
from readmit.accounts.capabilities import capabilities_of
from readmit.accounts.models import User
from readmit.api.errors import ErrorOut
from readmit.audit.services import access_log_record

router = Router(tags=["accounts"])


class AuthorityOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    state: str
    located_in: str | None


class StateOut(Schema):
    code: str
    alpha3: str
    name: str
    is_eu_member: bool
    is_schengen_associated: bool
    is_partner: bool


class MeOut(Schema):
    id: int
    username: str
    role: str
    is_system: bool
    authority: AuthorityOut | None
    capabilities: list[str]


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    is_active: bool
    is_system: bool
    authority: str
    last_login: dt.datetime | None


def _authority(a: object) -> AuthorityOut | None:
    if a is None:
        return None
    return AuthorityOut(
        id=a.pk,  # type: ignore[attr-defined]
        code=a.code,  # type: ignore[attr-defined]
        name=a.name,  # type: ignore[attr-defined]
        kind=a.kind,  # type: ignore[attr-defined]
        state=a.state_id,  # type: ignore[attr-defined]
        located_in=a.located_in_id,  # type: ignore[attr-defined]
    )


def _viewer(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The account behind the token")
def me(request: HttpRequest) -> MeOut:
    """Your account, authority and capabilities: what the token may do."""
    user = _viewer(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        role=user.role,
        is_system=user.is_system,
        authority=_authority(user.authority),
        capabilities=sorted(c.value for c in capabilities_of(user)),
    )


@router.get(
    "/states", response={200: list[StateOut], 401: ErrorOut}, summary="All states (ISO 3166-1)"
)
def state_list(request: HttpRequest) -> list[StateOut]:
    """Every state with its EU, Schengen-associated and partner flags."""
    return [
        StateOut(
            code=s.code,
            alpha3=s.alpha3,
            name=s.name,
            is_eu_member=s.is_eu_member,
            is_schengen_associated=s.is_schengen_associated,
            is_partner=s.is_partner,
        )
        for s in selectors.state_list()
    ]


@router.get(
    "/authorities",
    response={200: list[AuthorityOut], 401: ErrorOut, 422: ErrorOut},
    summary="Competent authorities",
)
def authority_list(request: HttpRequest) -> list[AuthorityOut | None]:
    """The competent authorities you may address or work with."""
    return [_authority(a) for a in selectors.authority_list(viewer=_viewer(request))]


def _user_out(u: User) -> UserOut:
    return UserOut(
        id=u.pk,
        username=u.username,
        first_name=u.first_name,
        last_name=u.last_name,
        email=u.email,
        role=u.role,
        is_active=u.is_active,
        is_system=u.is_system,
        authority=u.authority.code if u.authority else "",
        last_login=u.last_login,
    )


@router.get(
    "/users",
    response={200: list[UserOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Accounts of your authority (authority administrators)",
)
def user_list(request: HttpRequest) -> list[UserOut]:
    """The accounts of your authority; each is written to the access log."""
    viewer = _viewer(request)
    users = list(selectors.user_list(viewer=viewer))
    access_log_record(
        actor=viewer,
        records=[("accounts.user", u.pk, u.authority_id) for u in users],
        purpose="api user list",
    )
    return [_user_out(u) for u in users]


@router.get(
    "/users/{user_id}",
    response={200: UserOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="One account of your authority",
)
def user_detail(request: HttpRequest, user_id: int) -> UserOut:
    """One account of your authority (404 for another authority's); access-logged."""
    viewer = _viewer(request)
    user = selectors.user_get(viewer=viewer, user_id=user_id)
    access_log_record(
        actor=viewer,
        records=[("accounts.user", user.pk, user.authority_id)],
        purpose="api user detail",
    )
    return _user_out(user)
