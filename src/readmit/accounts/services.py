"""Writes for accounts: users, roles, two-factor devices and API tokens.

Every service checks the actor's capability, runs in one transaction and writes its audit
entry in that transaction. `actor=None` means an operator at the server's command line
(`readmit createuser`, `readmit token create`), recorded as such in the trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from readmit.accounts.capabilities import Capability, has, require
from readmit.accounts.models import ApiToken, Authority, AuthorityKind, Role, User, token_usable
from readmit.audit.services import audit_record
from readmit.core.compiled import CompiledQuery, model_from_row
from readmit.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

TOKEN_PREFIX = "rdm"  # noqa: S105 - the public prefix of every token


def _check_can_manage(actor: User | None, authority: Authority) -> None:
    if actor is None:
        return  # the operator at the command line
    require(actor, Capability.MANAGE_USERS)
    if actor.role != Role.PLATFORM_ADMIN and actor.authority_id != authority.pk:
        raise NotFound(_("No such authority."))


def _check_role(actor: User | None, authority: Authority, role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed(
            _("Choose one of the roles offered."), fields={"role": [_("Unknown role.")]}
        )
    if role == Role.PLATFORM_ADMIN:
        if authority.kind != AuthorityKind.PLATFORM_ADMINISTRATION:
            raise ValidationFailed(
                _("Only the platform administration can have platform administrators."),
                fields={"role": [_("Not available for this authority.")]},
            )
        if actor is not None and actor.role != Role.PLATFORM_ADMIN:
            raise Forbidden(_("Only a platform administrator can appoint another."))


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    authority: Authority,
    username: str,
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_system: bool = False,
) -> User:
    _check_can_manage(actor, authority)
    _check_role(actor, authority, role)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Enter a user name.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    user = User(
        username=username,
        authority=authority,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        is_system=is_system,
    )
    if is_system or password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        user.set_password(password)
    if errors:
        raise ValidationFailed(_("The account was not created."), fields=errors)
    user.save()
    audit_record(
        actor=actor,
        action="accounts.user.created",
        obj=user,
        owner_authority_id=authority.pk,
        changes={
            "username": user.username,
            "role": role,
            "authority": authority.code,
            "is_system": is_system,
        },
    )
    return user


def _locked_user(actor: User | None, user_id: int) -> User:
    try:
        user = (
            User.objects.select_for_update(of=("self",)).select_related("authority").get(pk=user_id)
        )
    except User.DoesNotExist:
        raise NotFound(_("No such user.")) from None
    if actor is not None and not User.objects.visible_to(actor).filter(pk=user.pk).exists():
        raise NotFound(_("No such user."))
    assert user.authority is not None
    _check_can_manage(actor, user.authority)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user_id: int,
    role: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
) -> User:
    user = _locked_user(actor, user_id)
    assert user.authority is not None
    changes: dict[str, object] = {}
    if role is not None and role != user.role:
        _check_role(actor, user.authority, role)
        changes["role"] = [user.role, role]
        user.role = role
    for field, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
        if value is not None and value.strip() != getattr(user, field):
            changes[field] = [getattr(user, field), value.strip()]
            setattr(user, field, value.strip())
    if is_active is not None and is_active != user.is_active:
        if actor is not None and user.pk == actor.pk and not is_active:
            raise Conflict(_("You cannot deactivate your own account."))
        changes["is_active"] = [user.is_active, is_active]
        user.is_active = is_active
    if not changes:
        return user
    user.save()
    audit_record(
        actor=actor,
        action="accounts.user.updated",
        obj=user,
        owner_authority_id=user.authority_id,
        changes=changes,
    )
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user_id: int, password: str) -> User:
    user = _locked_user(actor, user_id)
    if user.is_system:
        raise Conflict(_("A system integration signs in with API tokens, not a password."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            _("The password was not changed."), fields={"password": list(exc.messages)}
        ) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="accounts.user.password_set",
        obj=user,
        owner_authority_id=user.authority_id,
        changes={"password": "changed"},
    )
    return user


@transaction.atomic
def user_language_set(*, actor: User, language: str) -> User:
    """The signed-in user chooses the language of their own interface (no capability needed:
    it changes nothing but their own pages). An empty language means the browser's."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationFailed(
            _("Choose one of the languages offered."),
            fields={"language": [_("This language is not available.")]},
        )
    user = User.objects.select_for_update(of=("self",)).get(pk=actor.pk)
    if user.language == language:
        return user
    audit_record(
        actor=actor,
        action="accounts.user.language_changed",
        obj=user,
        owner_authority_id=user.authority_id,
        changes={"language": [user.language, language]},
    )
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_reset_two_factor(*, actor: User | None, user_id: int) -> User:
    """Remove the user's authenticator devices; the next sign-in enrols a new one."""
    user = _locked_user(actor, user_id)
    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="accounts.user.two_factor_reset",
        obj=user,
        owner_authority_id=user.authority_id,
        changes={"devices_removed": removed},
    )
    return user


@transaction.atomic
def totp_device_start(*, actor: User) -> TOTPDevice:
    """An unconfirmed authenticator for the actor; it counts once a code has confirmed it."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, actor: User, device_id: int, code: str) -> TOTPDevice:
    try:
        device = TOTPDevice.objects.select_for_update().get(
            pk=device_id, user=actor, confirmed=False
        )
    except TOTPDevice.DoesNotExist:
        raise NotFound(_("Start the set-up again.")) from None
    if not device.verify_token(code.strip().replace(" ", "")):
        raise ValidationFailed(
            _("That code is not right."),
            fields={"otp_token": [_("Enter the 6-digit code your app shows now.")]},
        )
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=actor,
        action="accounts.user.two_factor_enrolled",
        obj=actor,
        owner_authority_id=actor.authority_id,
    )
    return device


# --- API tokens --------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: a slow hash protects
    # guessable passwords, and would cost every API call.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str


@transaction.atomic
def token_create(
    *, actor: User | None, user: User, name: str, days: int | None = None
) -> IssuedToken:
    """Issue a token for `user`. The plaintext is returned once and never stored."""
    if actor is not None:
        if actor.pk == user.pk:
            require(actor, Capability.USE_API)
        else:
            require(actor, Capability.MANAGE_TOKENS)
            if actor.authority_id != user.authority_id:
                raise NotFound(_("No such user."))
    if not user.is_active:
        raise Conflict(_("This account is deactivated."))
    days = settings.READMIT_TOKEN_DEFAULT_DAYS if days is None else days
    if days < 1 or days > settings.READMIT_TOKEN_MAX_DAYS:
        raise ValidationFailed(
            _("A token is valid for 1 to %(max)d days.") % {"max": settings.READMIT_TOKEN_MAX_DAYS},
            fields={"days": [_("Out of range.")]},
        )
    name = name.strip() or _("API token")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        digest=_digest(plaintext),
        created_by=actor,
        expires_at=now + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="accounts.token.created",
        obj=token,
        owner_authority_id=user.authority_id,
        changes={"user": user.username, "name": token.name, "expires_at": token.expires_at},
        at=now,
    )
    return IssuedToken(token=token, plaintext=plaintext)


@transaction.atomic
def token_revoke(*, actor: User | None, token_id: int) -> ApiToken:
    try:
        token = (
            ApiToken.objects.select_for_update(of=("self",)).select_related("user").get(pk=token_id)
        )
    except ApiToken.DoesNotExist:
        raise NotFound(_("No such token.")) from None
    if actor is not None:
        if not ApiToken.objects.visible_to(actor).filter(pk=token.pk).exists():
            raise NotFound(_("No such token."))
        if token.user_id != actor.pk:
            require(actor, Capability.MANAGE_TOKENS)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="accounts.token.revoked",
        obj=token,
        owner_authority_id=token.user.authority_id,
        changes={"name": token.name},
    )
    return token


_LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


_TOKEN_FIELDS = ("id", "digest", "expires_at", "revoked_at", "last_used_at")
_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_AUTHORITY_FIELDS = tuple(f.attname for f in Authority._meta.concrete_fields)
# Every API call starts here: compiled once (core.compiled), the token, its user and the
# user's authority in one read.
_TOKEN = CompiledQuery(
    lambda _key, prefix: (
        ApiToken.objects.filter(prefix=prefix)
        .order_by()
        .values_list(
            *_TOKEN_FIELDS,
            *(f"user__{name}" for name in _USER_FIELDS),
            *(f"user__authority__{name}" for name in _AUTHORITY_FIELDS),
        )
    )
)


def token_authenticate(plaintext: str) -> User | None:
    """The active user behind a bearer token, or None for any unknown, expired or revoked one."""
    parts = plaintext.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    rows = _TOKEN(parts[1])
    if not rows:
        return None
    row = rows[0]
    token_id, digest, expires_at, revoked_at, last_used_at = row[: len(_TOKEN_FIELDS)]
    if not secrets.compare_digest(digest, _digest(plaintext.strip())):
        return None
    now = timezone.now()
    if not token_usable(revoked_at, expires_at, now):
        return None
    users_end = len(_TOKEN_FIELDS) + len(_USER_FIELDS)
    user = model_from_row(User, _USER_FIELDS, row[len(_TOKEN_FIELDS) : users_end])
    if not user.is_active:
        return None
    authority = row[users_end:]
    user.authority = (
        model_from_row(Authority, _AUTHORITY_FIELDS, authority)
        if authority[0] is not None
        else None
    )
    if last_used_at is None or now - last_used_at > _LAST_USED_GRANULARITY:
        # At most one write a minute per token, so a busy integration does not write on every call.
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


def user_can_manage(actor: User | AnonymousUser) -> bool:
    return has(actor, Capability.MANAGE_USERS)
