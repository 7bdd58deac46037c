"""The person screens as users meet them: scope, search, forms, photos, the access log."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from readmit.accounts.models import User
from readmit.audit.models import AccessLogEntry
from readmit.core.errors import ValidationFailed
from readmit.persons.models import Person
from readmit.persons.selectors import person_list
from readmit.persons.services import identifier_add, person_photo_set
from readmit.persons.validation import PHOTO_MAX_BYTES

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64


def test_strangers_get_404_and_readers_may_look(
    make_person: Callable[..., Person], client_as: Callable[[str], Client]
) -> None:
    person = make_person()
    url = f"/persons/{person.pk}/"
    assert client_as("nl-officer").get(url).status_code == 404
    assert client_as("az-officer").get(url).status_code == 404
    assert client_as("az-consul").get(url).status_code == 404
    assert client_as("de-admin").get(url).status_code == 404  # no case access at all
    page = client_as("de-readonly").get(url)
    assert page.status_code == 200
    assert "Mammadov" in page.content.decode()
    assert "Add a document" not in page.content.decode()


def test_reading_a_person_page_is_access_logged(
    make_person: Callable[..., Person], client_as: Callable[[str], Client]
) -> None:
    person = make_person()
    client_as("de-readonly").get(f"/persons/{person.pk}/")
    entry = AccessLogEntry.objects.get(object_type="persons.person", object_id=str(person.pk))
    assert entry.actor_username == "de-readonly"
    assert entry.owner_authority_id == person.owner_authority_id
    assert entry.purpose == "person page"


def test_search_by_name_in_either_script_and_by_document_number(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    officer = persona("de-officer")
    person = make_person(
        surname_original="Мамедов", given_names_original="Эльчин", original_script="Cyrl"
    )
    other = make_person(surname_latin="Nabiyev")
    make_person(actor="nl-officer")  # another authority's Mammadov
    identifier_add(actor=officer, person_id=person.pk, kind="passport", number="C01234567")
    assert [p.pk for p in person_list(viewer=officer, query="mammad")] == [person.pk]
    assert [p.pk for p in person_list(viewer=officer, query="МАМЕДОВ")] == [person.pk]
    assert [p.pk for p in person_list(viewer=officer, query="c 0123-4567")] == [person.pk]
    assert [p.pk for p in person_list(viewer=officer, query="nabi")] == [other.pk]
    assert AccessLogEntry.objects.filter(
        purpose="person search", actor_username="de-officer"
    ).exists()


def test_the_list_is_forbidden_without_case_access(client_as: Callable[[str], Client]) -> None:
    assert client_as("de-admin").get("/persons/").status_code == 403
    assert client_as("de-readonly").get("/persons/").status_code == 200


def test_a_refused_form_shows_what_was_typed_and_the_message(
    client_as: Callable[[str], Client],
) -> None:
    data = {"surname_latin": "Huseynov", "given_names_latin": "Kamran", "sex": "M",
            "birth_year": "1990", "birth_month": "2", "birth_day": "31", "place_of_birth": "Ganja"}  # fmt: skip
    before = Person.objects.count()
    response = client_as("de-officer").post("/persons/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Huseynov"' in body and 'value="Ganja"' in body and 'value="31"' in body
    assert "This month has no day 31" in body
    assert 'id="id_birth_day_error"' in body
    assert Person.objects.count() == before


def test_registering_through_the_form(client_as: Callable[[str], Client]) -> None:
    data = {"surname_latin": "Huseynov", "given_names_latin": "Kamran", "sex": "M", "birth_year": "1990",
            "civil_status": "single", "languages": "az, ru", "birth_country": "AZ"}  # fmt: skip
    response = client_as("de-officer").post("/persons/new/", data)
    assert response.status_code == 302
    person = Person.objects.get(surname_latin="Huseynov")
    assert response["Location"] == f"/persons/{person.pk}/"
    assert "Huseynov" not in response["Location"]
    assert client_as("de-readonly").get("/persons/new/").status_code == 403


def test_small_forms_on_the_person_page(
    make_person: Callable[..., Person], client_as: Callable[[str], Client]
) -> None:
    person = make_person()
    client = client_as("de-officer")
    bad = client.post(f"/persons/{person.pk}/forms/identifier/", {"kind": "passport", "number": "P77",
                                                                  "issue_date": "2999-01-01"})  # fmt: skip
    assert bad.status_code == 200
    assert 'value="P77"' in bad.content.decode()
    assert "cannot be in the future" in bad.content.decode()
    good = client.post(f"/persons/{person.pk}/forms/identifier/", {"kind": "passport", "number": "P77",
                                                                   "expiry_date": "2019-01-01"})  # fmt: skip
    assert good.status_code == 302
    assert person.identifiers.get().number == "P77"
    assert client.post(f"/persons/{person.pk}/forms/nope/", {}).status_code == 404
    assert (
        client_as("de-readonly").post(f"/persons/{person.pk}/forms/identifier/", {}).status_code
        == 403
    )
    assert (
        client_as("nl-officer").post(f"/persons/{person.pk}/forms/identifier/", {}).status_code
        == 404
    )


@pytest.mark.parametrize("content", [PDF, b"just some text, renamed .jpg"])
def test_a_file_that_is_not_an_image_is_refused(
    content: bytes, make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    with pytest.raises(ValidationFailed) as caught:
        person_photo_set(actor=persona("de-officer"), person_id=person.pk, file=io.BytesIO(content))
    assert caught.value.fields == {"photo": ["This file is not a JPEG or PNG image."]}
    person.refresh_from_db()
    assert not person.photo and not person.photo_sha256


def test_a_too_large_photo_is_refused(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    big = io.BytesIO(JPEG + b"\x00" * PHOTO_MAX_BYTES)
    with pytest.raises(ValidationFailed) as caught:
        person_photo_set(actor=persona("de-officer"), person_id=person.pk, file=big)
    assert "larger than 5 MB" in caught.value.fields["photo"][0]


def test_a_photo_is_stored_with_its_digest_and_served_only_in_scope(
    make_person: Callable[..., Person], client_as: Callable[[str], Client]
) -> None:
    person = make_person()
    client = client_as("de-officer")
    upload = SimpleUploadedFile("mammadov.gif", PNG, content_type="image/gif")  # the name lies
    assert client.post(f"/persons/{person.pk}/forms/photo/", {"photo": upload}).status_code == 302
    person.refresh_from_db()
    assert person.photo_content_type == "image/png"
    assert len(person.photo_sha256) == 64
    assert "mammadov" not in person.photo.name.lower()
    response = client_as("de-readonly").get(f"/persons/{person.pk}/photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == PNG
    assert client_as("nl-officer").get(f"/persons/{person.pk}/photo/").status_code == 404
    assert AccessLogEntry.objects.filter(purpose="person photo", object_id=str(person.pk)).exists()


def test_the_photo_form_shows_the_refusal(
    make_person: Callable[..., Person], client_as: Callable[[str], Client]
) -> None:
    person = make_person()
    upload = SimpleUploadedFile("photo.jpg", PDF, content_type="image/jpeg")
    response = client_as("de-officer").post(f"/persons/{person.pk}/forms/photo/", {"photo": upload})
    assert response.status_code == 200
    assert "This file is not a JPEG or PNG image." in response.content.decode()


def test_a_document_without_an_issuing_authority_names_its_state_plainly(
    make_person: Callable[..., Person], client_as: Callable[[str], Client]
) -> None:
    person = make_person()
    client = client_as("de-officer")
    client.post(f"/persons/{person.pk}/forms/identifier/",
                {"kind": "passport", "number": "C07654321", "issuing_state": "AZ"})  # fmt: skip
    page = client.get(f"/persons/{person.pk}/").content.decode()
    assert "<td>Azerbaijan</td>" in page and "(Azerbaijan)" not in page
