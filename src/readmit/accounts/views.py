"""Web views for signing in, two-factor authentication, users and API tokens.

Views parse input, call one service or selector and render; rules live in the services.
"""

from __future__ import annotations

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from readmit.accounts import selectors, services
from readmit.accounts.capabilities import Capability, has, require
from readmit.accounts.forms import (
    LoginForm,
    OtpForm,
    TokenCreateForm,
    UserCreateForm,
    UserEditForm,
    roles_for,
)
from readmit.accounts.middleware import set_language_cookie
from readmit.accounts.models import User
from readmit.audit.services import access_log_record
from readmit.core.errors import DomainError
from readmit.web.utils import apply_domain_error, current_user


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switch in the header: remembered for the signed-in user (audited) and in
    the browser (so the sign-in page speaks it too)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("web:home" if request.user.is_authenticated else "accounts:login")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("This language is not available."))
        return redirect(next_url)
    if request.user.is_authenticated:
        services.user_language_set(actor=current_user(request), language=language)
    translation.activate(language)
    response = redirect(next_url)
    set_language_cookie(response, language)
    return response


# --- Two-factor -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the user's authenticator (or send them to enrol one)."""
    user = current_user(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip().replace(" ", "")):
            otp_login(request, device)
            return redirect(request.GET.get("next") or "web:home")
        form.add_error("otp_token", _("That code is not right. Enter the code your app shows now."))
    return render(request, "accounts/two_factor.html", {"form": form})


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = OtpForm(request.POST or None)
    device_id = request.session.get("otp_setup_device")
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            confirmed = services.totp_device_confirm(
                actor=user, device_id=device.pk, code=form.cleaned_data["otp_token"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            request.session.pop("otp_setup_device", None)
            otp_login(request, confirmed)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect("web:home")
    if device is None:
        device = services.totp_device_start(actor=user)
        request.session["otp_setup_device"] = device.pk
    secret = device.bin_key
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": base64.b32encode(secret).decode("ascii"),
    }
    return render(request, "accounts/two_factor_setup.html", context)


# --- Users of the authority -------------------------------------------------------------------


def user_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    users = selectors.user_list(viewer=viewer)
    return render(request, "accounts/user_list.html", {"users": users})


@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    require(viewer, Capability.MANAGE_USERS)
    form = UserCreateForm(request.POST or None, roles=roles_for(viewer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assert viewer.authority is not None
        try:
            user = services.user_create(
                actor=viewer,
                authority=viewer.authority,
                username=data["username"],
                role=data["role"],
                password=None if data["is_system"] else data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_system=data["is_system"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = current_user(request)
    account = selectors.user_get(viewer=viewer, user_id=user_id)
    initial = {
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "role": account.role,
        "is_active": account.is_active,
    }
    form = UserEditForm(request.POST or None, initial=initial, roles=roles_for(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=viewer, user_id=account.pk, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", user_id=account.pk)
    # A staff member's name and e-mail are personal data too.
    access_log_record(
        actor=viewer,
        records=[("accounts.user", account.pk, account.authority_id)],
        purpose="user detail",
    )
    has_device = TOTPDevice.objects.filter(user=account, confirmed=True).exists()
    tokens = selectors.token_list(viewer=viewer).filter(user=account)
    context = {"account": account, "form": form, "has_device": has_device, "tokens": tokens}
    return render(request, "accounts/user_detail.html", context)


@require_POST
def user_reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = current_user(request)
    account = selectors.user_get(viewer=viewer, user_id=user_id)
    services.user_reset_two_factor(actor=viewer, user_id=account.pk)
    messages.success(
        request,
        _(
            "Two-factor authentication reset: %(name)s enrols a new authenticator at the next sign-in."
        )
        % {"name": account.username},
    )
    return redirect("accounts:user_detail", user_id=account.pk)


# --- API tokens -------------------------------------------------------------------------------


def _token_accounts(viewer: User) -> Any:
    if has(viewer, Capability.MANAGE_TOKENS):
        return User.objects.visible_to(viewer).filter(is_active=True)
    return User.objects.filter(pk=viewer.pk)


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    if not (has(viewer, Capability.USE_API) or has(viewer, Capability.MANAGE_TOKENS)):
        require(viewer, Capability.USE_API)
    form = TokenCreateForm(
        request.POST or None, users=_token_accounts(viewer), initial={"user": viewer.pk}
    )
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.token_create(
                actor=viewer,
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            new_token = issued.plaintext
            form = TokenCreateForm(users=_token_accounts(viewer), initial={"user": viewer.pk})
    tokens = selectors.token_list(viewer=viewer)
    response = render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    viewer = current_user(request)
    token = selectors.token_get(viewer=viewer, token_id=token_id)
    services.token_revoke(actor=viewer, token_id=token.pk)
    messages.success(request, _("Token %(prefix)s revoked.") % {"prefix": token.prefix})
    return redirect("accounts:token_list")
