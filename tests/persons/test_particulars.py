"""Registering a person: mandatory particulars, partial dates of birth, documents, names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from readmit.core.timeutil import today
from readmit.persons.models import Identifier, Person
from readmit.persons.services import (
    alias_add,
    family_link_add,
    identifier_add,
    identifier_remove,
    nationality_set,
    person_create,
    person_update,
)

pytestmark = pytest.mark.django_db


def _refused(actor: User, **particulars: Any) -> ValidationFailed:
    from django.apps import apps

    from readmit.audit.models import AuditEntry

    def rows() -> tuple[int, ...]:
        persons = apps.get_app_config("persons").get_models()
        return (*(m.objects.count() for m in persons), AuditEntry.objects.count())

    before = rows()
    with pytest.raises(ValidationFailed) as caught:
        person_create(actor=actor, **particulars)
    assert rows() == before, "nothing is saved (nor audited) when anything is wrong"
    return caught.value


BASE = {"surname_latin": "Aliyev", "given_names_latin": "Rauf", "sex": "M"}


def test_a_year_of_birth_alone_is_enough(persona: Callable[[str], User]) -> None:
    person = person_create(actor=persona("de-officer"), **BASE, birth_year=1988)
    assert (person.birth_year, person.birth_month, person.birth_day) == (1988, None, None)
    assert person.birth_date_display == "1988"
    assert person.owner_authority.code == "de-lea-berlin"


def test_year_and_month_without_day_are_accepted(persona: Callable[[str], User]) -> None:
    person = person_create(actor=persona("de-officer"), **BASE, birth_year=1988, birth_month=2)
    assert person.birth_date_display == "1988-02"


def test_the_31st_of_february_is_refused_naming_the_day(persona: Callable[[str], User]) -> None:
    error = _refused(persona("de-officer"), **BASE, birth_year=1990, birth_month=2, birth_day=31)
    assert list(error.fields) == ["birth_day"]
    assert "29" not in error.fields["birth_day"][0]  # 1990 is not a leap year
    assert "28 days" in error.fields["birth_day"][0]


def test_the_29th_of_february_of_a_leap_year_is_accepted(persona: Callable[[str], User]) -> None:
    person = person_create(
        actor=persona("de-officer"), **BASE, birth_year=1992, birth_month=2, birth_day=29
    )
    assert person.birth_date_display == "1992-02-29"


def test_a_month_out_of_range_is_refused(persona: Callable[[str], User]) -> None:
    error = _refused(persona("de-officer"), **BASE, birth_year=1990, birth_month=13)
    assert "birth_month" in error.fields


def test_a_day_without_month_is_refused(persona: Callable[[str], User]) -> None:
    error = _refused(persona("de-officer"), **BASE, birth_year=1990, birth_day=3)
    assert "birth_month" in error.fields


@pytest.mark.parametrize("precision", ["year", "month", "day"])
def test_a_date_of_birth_in_the_future_is_refused(
    precision: str, persona: Callable[[str], User]
) -> None:
    future = today() + dt.timedelta(days=400)
    parts: dict[str, Any] = {"birth_year": future.year}
    if precision in ("month", "day"):
        parts["birth_month"] = future.month
    if precision == "day":
        parts["birth_day"] = future.day
    error = _refused(persona("de-officer"), **BASE, **parts)
    assert any("future" in m for messages in error.fields.values() for m in messages)


def test_the_mandatory_particulars_are_named(persona: Callable[[str], User]) -> None:
    error = _refused(persona("de-officer"), surname_latin=" ", given_names_latin="")
    assert {"surname_latin", "given_names_latin", "sex", "birth_year"} <= set(error.fields)


def test_messages_never_echo_the_values(persona: Callable[[str], User]) -> None:
    error = _refused(
        persona("de-officer"),
        **BASE,
        birth_year=1990,
        original_script="Кириллица",
        languages="xx-secret",
    )
    text = error.message + str(error.fields)
    assert "Кириллица" not in text
    assert "Rauf" not in text and "Aliyev" not in text


def test_an_unknown_country_code_is_refused(persona: Callable[[str], User]) -> None:
    error = _refused(persona("de-officer"), **BASE, birth_year=1990, birth_country="QQ")
    assert error.fields["birth_country"] == ["Unknown country code."]


def test_names_in_both_scripts_languages_and_countries_are_kept(
    persona: Callable[[str], User],
) -> None:
    person = person_create(
        actor=persona("de-officer"), **BASE, birth_year=1990,
        surname_original="Əliyev", given_names_original="Rauf", original_script="Latn",
        languages="az, RU,aze", birth_country="az", last_address_country="AZ",
        last_address="Baku, Nizami st. 1", civil_status="married", height_cm=178,
    )  # fmt: skip
    person.refresh_from_db()
    assert person.languages == ["az", "ru", "aze"]
    assert person.birth_country_id == "AZ"
    assert person.civil_status == "married"


def test_a_wrong_script_code_or_language_is_refused(persona: Callable[[str], User]) -> None:
    error = _refused(
        persona("de-officer"),
        **BASE,
        birth_year=1990,
        original_script="cyrillic",
        languages="az, zz",
    )
    assert "original_script" in error.fields
    assert error.fields["languages"][0].startswith("1 code is not")


def test_creating_is_audited_with_the_values(persona: Callable[[str], User]) -> None:
    person = person_create(actor=persona("de-officer"), **BASE, birth_year=1990)
    entry = AuditEntry.objects.get(action="persons.person.created", object_id=str(person.pk))
    assert entry.actor_username == "de-officer"
    assert entry.owner_authority_id == person.owner_authority_id
    assert entry.changes["surname_latin"] == "Aliyev"


def test_read_only_users_and_requested_states_cannot_register(
    persona: Callable[[str], User],
) -> None:
    with pytest.raises(Forbidden):
        person_create(actor=persona("de-readonly"), **BASE, birth_year=1990)
    with pytest.raises(Forbidden):
        person_create(actor=persona("az-officer"), **BASE, birth_year=1990)


def test_updating_checks_the_whole_date_of_birth(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person(birth_year=1990, birth_month=4)
    with pytest.raises(ValidationFailed) as caught:
        person_update(actor=persona("de-officer"), person_id=person.pk, birth_day=31)
    assert "birth_day" in caught.value.fields
    person = person_update(
        actor=persona("de-officer"), person_id=person.pk, birth_day=30, father_name="Ilham"
    )
    assert person.birth_date_display == "1990-04-30"
    entry = AuditEntry.objects.filter(
        action="persons.person.updated", object_id=str(person.pk)
    ).get()
    assert entry.changes == {"birth_day": 30, "father_name": "Ilham"}


def test_another_authority_cannot_update(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    with pytest.raises(NotFound):
        person_update(actor=persona("nl-officer"), person_id=person.pk, father_name="X")
    with pytest.raises(Forbidden):
        person_update(actor=persona("de-readonly"), person_id=person.pk, father_name="X")


def test_an_expired_document_is_accepted(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    identifier = identifier_add(
        actor=persona("de-officer"), person_id=person.pk, kind="passport", number="C 0123-4567",
        issuing_state="AZ", issue_date=dt.date(2010, 5, 1), expiry_date=dt.date(2020, 5, 1),
    )  # fmt: skip
    assert identifier.expiry_date < today()
    assert identifier.number_normalised == "C01234567"
    assert AuditEntry.objects.filter(
        action="persons.identifier.added", object_id=str(identifier.pk)
    ).exists()


def test_a_document_issued_in_the_future_or_expiring_before_issue_is_refused(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    with pytest.raises(ValidationFailed) as caught:
        identifier_add(
            actor=persona("de-officer"), person_id=person.pk, kind="spaceship", number="",
            issue_date=today() + dt.timedelta(days=1), expiry_date=today(),
        )  # fmt: skip
    assert {"kind", "number", "issue_date", "expiry_date"} <= set(caught.value.fields)
    assert not Identifier.objects.filter(person=person).exists()


def test_a_document_can_be_removed_and_the_trail_keeps_it(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    officer = persona("de-officer")
    identifier = identifier_add(actor=officer, person_id=person.pk, kind="visa", number="V1")
    identifier_remove(
        actor=officer, person_id=person.pk, identifier_id=identifier.pk, reason="typed twice"
    )
    assert not Identifier.objects.filter(pk=identifier.pk).exists()
    entry = AuditEntry.objects.get(action="persons.identifier.removed")
    assert entry.changes["number"] == "V1" and entry.reason == "typed twice"


def test_nationalities_are_one_row_per_state(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    officer = persona("de-officer")
    nationality_set(actor=officer, person_id=person.pk, state="AZ", status="claimed")
    nationality_set(
        actor=officer, person_id=person.pk, state="AZ", status="established", source_note="passport"
    )
    nationality_set(
        actor=officer, person_id=person.pk, state="AM", status="established", current=False
    )
    rows = {n.state_id: (n.status, n.current) for n in person.nationalities.all()}
    assert rows == {"AZ": ("established", True), "AM": ("established", False)}
    with pytest.raises(ValidationFailed) as caught:
        nationality_set(actor=officer, person_id=person.pk, state="XX", status="maybe")
    assert set(caught.value.fields) == {"state", "status"}


def test_aliases_need_a_name(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    person = make_person()
    with pytest.raises(ValidationFailed):
        alias_add(actor=persona("de-officer"), person_id=person.pk, kind="alias")
    name = alias_add(
        actor=persona("de-officer"),
        person_id=person.pk,
        kind="maiden",
        surname_original="Гусейнова",
    )
    assert name.kind == "maiden"


def test_family_links_stay_within_the_authority(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    officer = persona("de-officer")
    father, child = make_person(), make_person(given_names_latin="Aysel", sex="F", birth_year=2015)
    stranger = make_person(actor="nl-officer")
    link = family_link_add(
        actor=officer, person_id=father.pk, relative_id=child.pk, relation="child"
    )
    assert link.relation == "child"
    with pytest.raises(Conflict):
        family_link_add(actor=officer, person_id=child.pk, relative_id=father.pk, relation="parent")
    with pytest.raises(ValidationFailed) as caught:
        family_link_add(
            actor=officer, person_id=father.pk, relative_id=stranger.pk, relation="spouse"
        )
    assert "relative" in caught.value.fields
    with pytest.raises(ValidationFailed):
        family_link_add(
            actor=officer, person_id=father.pk, relative_id=father.pk, relation="spouse"
        )
