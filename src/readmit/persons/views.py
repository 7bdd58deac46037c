"""Person screens: search, register, the person's page and the small forms on it.

Views parse, call one service or selector and render. Scope first (404 out of scope, via the
selectors, which also write the access log), then the capability for writes (403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from readmit.accounts.capabilities import Capability, require
from readmit.core.errors import DomainError
from readmit.core.pagination import web_keyset_page
from readmit.persons import selectors, services
from readmit.persons.forms import (
    FamilyLinkForm,
    IdentifierForm,
    IdentifierRemoveForm,
    NameForm,
    NationalityForm,
    PersonForm,
    PhotoForm,
    SearchForm,
    ServiceForm,
)
from readmit.persons.models import Person
from readmit.web.search import search_redirect, searched
from readmit.web.utils import apply_domain_error, current_user


@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    if request.method == "POST":
        return search_redirect(request)
    form = SearchForm(searched(request) or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = web_keyset_page(
        request,
        lambda cursor: selectors.person_page(
            viewer=viewer, query=query, cursor=cursor, purpose="person search"
        ),
    )
    return render(request, "persons/person_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    require(viewer, Capability.EDIT_RETURN_CASE)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=viewer, **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Person registered as record #%(id)d.") % {"id": person.pk})
            return redirect("persons:person_detail", person_id=person.pk)
    return render(request, "persons/person_form.html", {"form": form})


# The small forms of the person page: key in the URL → (form, service, message on success).
PERSON_FORMS: dict[str, tuple[type[ServiceForm], Callable[..., Any], Any]] = {
    "identifier": (IdentifierForm, services.identifier_add, gettext_lazy("Document added.")),
    "identifier-remove": (
        IdentifierRemoveForm,
        services.identifier_remove,
        gettext_lazy("Document removed."),
    ),
    "nationality": (NationalityForm, services.nationality_set, gettext_lazy("Nationality saved.")),
    "name": (NameForm, services.alias_add, gettext_lazy("Name added.")),
    "family": (FamilyLinkForm, services.family_link_add, gettext_lazy("Family link added.")),
    "photo": (PhotoForm, services.person_photo_set, gettext_lazy("Photo saved.")),
}
PAGE_FORMS = ("identifier", "nationality", "name", "family", "photo")


def _render_person(
    request: HttpRequest, person: Person, bound: dict[str, ServiceForm] | None = None
) -> HttpResponse:
    forms = {
        key.replace("-", "_") + "_form": (bound or {}).get(key)
        or PERSON_FORMS[key][0](auto_id=f"{key}_%s")
        for key in PAGE_FORMS
    }
    context = {
        "person": person,
        "family": selectors.person_family(person),
        "remove_form": IdentifierRemoveForm(auto_id="remove_%s"),
        **forms,
    }
    return render(request, "persons/person_detail.html", context)


@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = current_user(request)
    person = selectors.person_get(viewer=viewer, person_id=person_id)
    return _render_person(request, person)


@require_POST
def person_post(request: HttpRequest, person_id: int, form: str) -> HttpResponse:
    viewer = current_user(request)
    person = selectors.person_get(viewer=viewer, person_id=person_id)
    require(viewer, Capability.EDIT_RETURN_CASE)
    if form not in PERSON_FORMS:
        raise Http404(_("No such form."))
    form_class, service, done = PERSON_FORMS[form]
    bound = form_class(request.POST, request.FILES, auto_id=f"{form}_%s")
    if bound.is_valid():
        try:
            service(actor=viewer, person_id=person.pk, **bound.service_kwargs())
        except DomainError as exc:
            apply_domain_error(bound, exc)
        else:
            messages.success(request, str(done))
            return redirect("persons:person_detail", person_id=person.pk)
    return _render_person(request, person, {form: bound})


@require_GET
def person_photo(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = current_user(request)
    photo = selectors.person_photo_read(viewer=viewer, person_id=person_id)
    response = HttpResponse(photo.content, content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
