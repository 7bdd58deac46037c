"""API operations for persons: the requesting authority's own records (never shared as such).

Parsing is the web's (`persons.forms`, through `readmit.api.forms`), rules are the services',
reads the selectors' (scope, capability and access log).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from readmit.accounts.capabilities import Capability, require
from readmit.api.errors import ERRORS, READ_ERRORS, ErrorOut
from readmit.api.forms import form_kwargs, form_schema
from readmit.api.operations import Runner, add_operation, viewer
from readmit.api.pagination import Page, PageQuery
from readmit.persons import selectors, services
from readmit.persons.forms import PersonForm
from readmit.persons.models import Person
from readmit.persons.views import PERSON_FORMS

router = Router(tags=["persons"])
MODULE = __name__

PERSON_EXAMPLE = {
    "surname_latin": "Mammadov",
    "given_names_latin": "Elchin",
    "surname_original": "Məmmədov",
    "given_names_original": "Elçin",
    "original_script": "Latn",
    "sex": "M",
    "birth_year": 1988,
    "birth_month": 4,
    "birth_day": 12,
    "place_of_birth": "Ganja",
    "birth_country": "AZ",
    "languages": "az, ru",
}
PersonIn = form_schema(PersonForm, "PersonIn", example=PERSON_EXAMPLE)
PersonPatch = form_schema(
    PersonForm, "PersonPatch", example={"place_of_birth": "Baku"}, partial=True
)


class IdentifierOut(Schema):
    id: int
    kind: str
    number: str
    issuing_state: str | None = Field(None, alias="issuing_state_id")
    issuing_authority: str
    place_of_issue: str
    issue_date: dt.date | None
    expiry_date: dt.date | None
    notes: str


class NationalityOut(Schema):
    state: str = Field(alias="state_id")
    status: str
    current: bool
    source_note: str


class NameOut(Schema):
    kind: str
    surname_latin: str
    given_names_latin: str
    surname_original: str
    given_names_original: str


class RelativeOut(Schema):
    person_id: int
    relation: str


class PersonSummaryOut(Schema):
    id: int
    surname_latin: str
    given_names_latin: str
    sex: str
    birth_year: int
    updated_at: dt.datetime


class PersonOut(PersonSummaryOut):
    surname_original: str
    given_names_original: str
    original_script: str
    birth_month: int | None
    birth_day: int | None
    place_of_birth: str
    birth_country: str | None = Field(None, alias="birth_country_id")
    languages: list[str]
    father_name: str
    mother_name: str
    civil_status: str
    last_address: str
    last_address_country: str | None = Field(None, alias="last_address_country_id")
    height_cm: int | None
    eye_colour: str
    distinguishing_marks: str
    photo: dict[str, Any] | None
    created_at: dt.datetime
    identifiers: list[IdentifierOut]
    nationalities: list[NationalityOut]
    other_names: list[NameOut]
    family: list[RelativeOut]

    @staticmethod
    def resolve_photo(obj: Person) -> dict[str, Any] | None:
        if not obj.photo:
            return None
        return {
            "sha256": obj.photo_sha256,
            "content_type": obj.photo_content_type,
            "size": obj.photo_size,
        }

    @staticmethod
    def resolve_identifiers(obj: Person) -> list[Any]:
        return list(obj.identifiers.all())

    @staticmethod
    def resolve_nationalities(obj: Person) -> list[Any]:
        return list(obj.nationalities.all())

    @staticmethod
    def resolve_other_names(obj: Person) -> list[Any]:
        return list(obj.other_names.all())

    @staticmethod
    def resolve_family(obj: Person) -> list[RelativeOut]:
        return [
            RelativeOut(person_id=r.person.pk, relation=r.relation)
            for r in selectors.person_family(obj)
        ]


class PersonPage(Page[PersonSummaryOut]):
    pass


class PersonQuery(PageQuery):
    q: str = Field(
        "", max_length=200, description="Part of a name (any script) or document number."
    )


@router.get(
    "/persons",
    response={200: PersonPage, **READ_ERRORS},
    summary="Persons of your authority",
    description=(
        "Newest record first, in cursor pages. `q` searches names in every script and "
        "aliases, and document numbers. Every person listed is written to the access log."
    ),
)
def person_list(request: HttpRequest, query: Query[PersonQuery]) -> dict[str, Any]:
    rows, next_cursor = selectors.person_page(
        viewer=viewer(request), query=query.q, cursor=query.cursor, limit=query.limit
    )
    return {"items": rows, "next_cursor": next_cursor}


def _person(user: Any, person_id: int, purpose: str = "api person") -> Person:
    return selectors.person_get(viewer=user, person_id=person_id, purpose=purpose)


add_operation(
    router,
    method="POST",
    path="/persons",
    name="person_create",
    module=MODULE,
    body=PersonIn,
    status=201,
    response={201: PersonOut, **ERRORS},
    summary="Register a person",
    description=(
        "Mandatory: surname and given names in Latin script, sex (F, M or X) and year of "
        "birth; month and day only when known. Countries are ISO 3166-1 alpha-2 codes."
    ),
    run=lambda u, p, d: _person(
        u, services.person_create(actor=u, **form_kwargs(PersonForm, d)).pk, "api person created"
    ),
)

add_operation(
    router,
    method="GET",
    path="/persons/{person_id}",
    name="person_detail",
    module=MODULE,
    response={200: PersonOut, **READ_ERRORS},
    summary="One person: particulars, documents, nationalities, names and family",
    description="Written to the access log. 404 when the person is not your authority's.",
    run=lambda u, p, d: _person(u, p["person_id"]),
)

add_operation(
    router,
    method="PATCH",
    path="/persons/{person_id}",
    name="person_update",
    module=MODULE,
    body=PersonPatch,
    partial=True,
    response={200: PersonOut, **ERRORS},
    summary="Correct a person's particulars",
    description="Send only the fields to change; each change is in the audit trail.",
    run=lambda u, p, d: _person(
        u,
        services.person_update(
            actor=u, person_id=p["person_id"], **form_kwargs(PersonForm, d, only=set(d))
        ).pk,
    ),
)


def _apply(user: Any, person_id: int, service: Any, form: Any, data: dict[str, Any]) -> Person:
    _person(user, person_id, "api person change")  # out of scope: 404 before anything else
    require(user, Capability.EDIT_RETURN_CASE)
    service(actor=user, person_id=person_id, **form_kwargs(form, data))
    return _person(user, person_id)


def _runner(form: Any, service: Any) -> Runner:
    return lambda u, p, d: _apply(u, p["person_id"], service, form, d)


# The small forms of the person page, one operation each: key → (path, summary, example).
SUB_OPERATIONS: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "identifier": (
        "identifiers",
        _("Add an identity document"),
        {
            "kind": "passport",
            "number": "C01234567",
            "issuing_state": "AZ",
            "expiry_date": "2030-01-31",
        },
    ),
    "identifier-remove": (
        "identifiers/remove",
        _("Remove an identity document recorded in error"),
        {"identifier_id": 1, "reason": "Typed on the wrong person."},
    ),
    "nationality": (
        "nationalities",
        _("Record a nationality"),
        {"state": "AZ", "status": "claimed", "current": True},
    ),
    "name": (
        "names",
        _("Add another name or alias"),
        {"kind": "alias", "surname_latin": "Mamedov", "given_names_latin": "Elchin"},
    ),
    "family": (
        "family-links",
        _("Link a relative registered by your authority"),
        {"relation": "child", "relative_id": 2},
    ),
}

for _key, (_segment, _summary, _example) in SUB_OPERATIONS.items():
    _form, _service, _done = PERSON_FORMS[_key]
    _name = "person_" + _segment.replace("/", "_").replace("-", "_")
    add_operation(
        router,
        method="POST",
        path=f"/persons/{{person_id}}/{_segment}",
        name=_name,
        module=MODULE,
        body=form_schema(_form, "Person" + _name.title().replace("_", "") + "In", example=_example),
        response={200: PersonOut, **ERRORS},
        summary=str(_summary),
        description=str(_summary) + ". The change is in the audit trail; answers the person.",
        run=_runner(_form, _service),
    )


@router.post(
    "/persons/{person_id}/photo",
    response={200: PersonOut, **ERRORS},
    summary="Set the person's photo (multipart, field `photo`)",
    description="JPEG or PNG, at most 5 MB, checked by content; the digest is stored.",
)
def person_photo_set(request: HttpRequest, person_id: int, photo: File[UploadedFile]) -> Person:
    user = viewer(request)
    services.person_photo_set(actor=user, person_id=person_id, file=photo)
    return _person(user, person_id)


@router.get(
    "/persons/{person_id}/photo",
    response={200: None, 401: ErrorOut, 404: ErrorOut},
    summary="The person's photo (image bytes)",
    description="Answers the image with its content type; 404 when there is none.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The photo",
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def person_photo(request: HttpRequest, person_id: int) -> HttpResponse:
    photo = selectors.person_photo_read(viewer=viewer(request), person_id=person_id)
    response = HttpResponse(photo.content, content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
