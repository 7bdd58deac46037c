"""Web pages for an authority's webhook endpoints and their delivery history."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from readmit.core.errors import DomainError
from readmit.web.utils import apply_domain_error, current_user
from readmit.webhooks import selectors, services
from readmit.webhooks.forms import EndpointForm
from readmit.webhooks.models import WebhookEndpoint


def endpoint_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    endpoints = selectors.endpoint_list(viewer=viewer)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


def _secret_page(request: HttpRequest, created: services.CreatedEndpoint) -> HttpResponse:
    # The secret is rendered in this one response only (never in a URL, a message or a log).
    response = render(
        request,
        "webhooks/endpoint_secret.html",
        {"endpoint": created.endpoint, "secret": created.secret},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    selectors.endpoint_list(viewer=viewer)  # 403 without the capability
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.endpoint_create(actor=viewer, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return _secret_page(request, created)
    return render(request, "webhooks/endpoint_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    viewer = current_user(request)
    endpoint = selectors.endpoint_get(viewer=viewer, endpoint_id=endpoint_id)
    form = EndpointForm(request.POST or None, initial=_initial(endpoint))
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(actor=viewer, endpoint_id=endpoint.pk, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The webhook endpoint was saved."))
            return redirect("webhooks:endpoint_detail", endpoint.pk)
    deliveries = selectors.delivery_list(viewer=viewer, endpoint_id=endpoint.pk)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "form": form, "deliveries": deliveries},
    )


def _initial(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "enabled": endpoint.enabled,
    }


@require_POST
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    viewer = current_user(request)
    created = services.endpoint_rotate_secret(actor=viewer, endpoint_id=endpoint_id)
    return _secret_page(request, created)


@require_POST
def delivery_retry(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    viewer = current_user(request)
    services.delivery_retry(actor=viewer, endpoint_id=endpoint_id, delivery_id=delivery_id)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("webhooks:endpoint_detail", endpoint_id)
