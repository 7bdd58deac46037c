"""A German return case, ready to draft an application from, built through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from readmit.accounts.models import User
from readmit.persons.models import Person
from readmit.persons.services import family_link_add, identifier_add, nationality_set, person_create
from readmit.readmission.models import Application
from readmit.readmission.services import PersonInput, application_draft
from readmit.returns.models import ReturnCase
from readmit.returns.services import case_create, decision_record


@dataclass
class World:
    officer: User
    supervisor: User
    person: Person
    case: ReturnCase
    spouse: Person
    child: Person


def make_person(
    actor: User, surname: str, given: str, year: int, sex: str = "M", **extra: object
) -> Person:
    return person_create(
        actor=actor,
        surname_latin=surname,
        given_names_latin=given,
        sex=sex,
        birth_year=year,
        **extra,
    )


@pytest.fixture
def world(persona: Callable[[str], User]) -> World:
    officer = persona("de-officer")
    person = make_person(
        officer,
        "Mammadov",
        "Elchin",
        1990,
        surname_original="Məmmədov",
        given_names_original="Elçin",
        original_script="Latn",
        birth_month=5,
        birth_day=14,
        place_of_birth="Ganja",
        father_name="Rauf",
        civil_status="married",
    )
    nationality_set(actor=officer, person_id=person.pk, state="AZ", status="claimed")
    identifier_add(
        actor=officer,
        person_id=person.pk,
        kind="passport",
        number="C01234567",
        issuing_state="AZ",
        issue_date=dt.date(2015, 3, 1),
        expiry_date=dt.date(2025, 3, 1),
    )
    spouse = make_person(officer, "Mammadova", "Aysel", 1992, sex="F")
    child = make_person(officer, "Mammadov", "Murad", 2018)
    family_link_add(actor=officer, person_id=person.pk, relative_id=spouse.pk, relation="spouse")
    family_link_add(actor=officer, person_id=person.pk, relative_id=child.pk, relation="child")
    case = case_create(actor=officer, person_id=person.pk)
    decision_record(
        actor=officer,
        case_id=case.pk,
        issuing_authority="LEA Berlin",
        decided_on=dt.date(2026, 1, 5),
        notified_on=dt.date(2026, 1, 6),
        vd_granted=False,
        vd_refusal_reason="risk_of_absconding",
        vd_refusal_note="Absconded twice from the reception centre.",
    )
    return World(
        officer=officer,
        supervisor=persona("de-supervisor"),
        person=person,
        case=case,
        spouse=spouse,
        child=child,
    )


@pytest.fixture
def draft(world: World) -> Callable[..., Application]:
    def make(requested_state: str = "AZ", family: bool = False, **kwargs: object) -> Application:
        persons = [PersonInput(person_id=world.person.pk, role="principal")]
        if family:
            persons += [
                PersonInput(person_id=world.spouse.pk, role="spouse"),
                PersonInput(person_id=world.child.pk, role="child"),
            ]
        params: dict[str, object] = {"kind": "own_nationals", **kwargs}
        return application_draft(
            actor=world.officer,
            return_case_id=world.case.pk,
            requested_state=requested_state,
            persons=persons,
            **params,
        )  # type: ignore[arg-type]

    return make
