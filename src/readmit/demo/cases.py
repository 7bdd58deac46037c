"""Demo cases: a few return cases and applications at different steps, made through the services.

So that a new user signing in as a demo persona finds real work: de-officer can draft an
application to Azerbaijan from a ready return case; az-officer has one waiting in the queue;
ge-officer one from the Netherlands; be-officer a case held by a safeguard stop. Loading is
idempotent: a case whose person already exists is left alone.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from readmit.accounts.models import User
from readmit.persons.models import Person
from readmit.persons.services import family_link_add, identifier_add, nationality_set, person_create
from readmit.readmission.services import (
    PersonInput,
    application_draft,
    application_submit,
    evidence_add,
)
from readmit.returns.models import ReturnCase
from readmit.returns.services import asylum_record, case_create, decision_record

# A one-page PDF, so the evidence viewer has something to show.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<<"
    b"/F1 5 0 R>>>>>>endobj\n4 0 obj<</Length 58>>stream\nBT /F1 24 Tf 72 760 Td (Demo evidence - not a real document) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoPerson:
    surname: str
    given: str
    year: int
    sex: str
    nationality: str
    surname_original: str = ""
    given_original: str = ""
    script: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def _person(officer: User, spec: DemoPerson) -> Person:
    person = person_create(
        actor=officer,
        surname_latin=spec.surname,
        given_names_latin=spec.given,
        surname_original=spec.surname_original,
        given_names_original=spec.given_original,
        original_script=spec.script,
        sex=spec.sex,
        birth_year=spec.year,
        **spec.extra,
    )
    nationality_set(actor=officer, person_id=person.pk, state=spec.nationality, status="claimed")
    return person


def _case(officer: User, person: Person, decided_on: dt.date) -> ReturnCase:
    case = case_create(actor=officer, person_id=person.pk)
    decision_record(
        actor=officer,
        case_id=case.pk,
        issuing_authority=officer.authority.name if officer.authority else "",
        reference=f"RD-{decided_on:%Y%m%d}-{person.pk:04d}",
        decided_on=decided_on,
        notified_on=decided_on + dt.timedelta(days=2),
        vd_granted=False,
        vd_refusal_reason="risk_of_absconding",
        vd_refusal_note="Did not report as required during the previous procedure.",
    )
    return case


def _exists(officer: User, spec: DemoPerson) -> bool:
    return Person.objects.filter(
        owner_authority_id=officer.authority_id,
        surname_latin=spec.surname,
        given_names_latin=spec.given,
    ).exists()


def _germany_to_azerbaijan_family(users: dict[str, User], today: dt.date) -> None:
    """A family with a return decision, ready for de-officer to draft and submit."""
    officer = users["de-officer"]
    spec = DemoPerson("Mammadov", "Elchin", 1988, "M", "AZ", "Məmmədov", "Elçin", "Latn",
                      {"birth_month": 5, "birth_day": 14, "place_of_birth": "Ganja", "civil_status": "married",
                       "father_name": "Rauf Mammadov", "languages": "az,ru"})  # fmt: skip
    if _exists(officer, spec):
        return
    person = _person(officer, spec)
    identifier_add(actor=officer, person_id=person.pk, kind="passport", number="C02345678", issuing_state="AZ",
                   issue_date=dt.date(2014, 6, 1), expiry_date=dt.date(2024, 6, 1))  # fmt: skip
    spouse = _person(
        officer, DemoPerson("Mammadova", "Aysel", 1991, "F", "AZ", "Məmmədova", "Aysel", "Latn")
    )
    child = _person(
        officer, DemoPerson("Mammadov", "Murad", 2017, "M", "AZ", "Məmmədov", "Murad", "Latn")
    )
    family_link_add(actor=officer, person_id=person.pk, relative_id=spouse.pk, relation="spouse")
    family_link_add(actor=officer, person_id=person.pk, relative_id=child.pk, relation="child")
    _case(officer, person, today - dt.timedelta(days=40))


def _submitted(users: dict[str, User], officer_name: str, spec: DemoPerson, state: str, document: tuple[str, str],
               today: dt.date) -> None:  # fmt: skip
    officer = users[officer_name]
    if _exists(officer, spec):
        return
    person = _person(officer, spec)
    kind, number = document
    identifier_add(actor=officer, person_id=person.pk, kind=kind, number=number, issuing_state=spec.nationality,
                   issue_date=dt.date(2016, 1, 10), expiry_date=dt.date(2026, 1, 10))  # fmt: skip
    case = _case(officer, person, today - dt.timedelta(days=30))
    application = application_draft(actor=officer, return_case_id=case.pk, kind="own_nationals", requested_state=state,
                                    persons=[PersonInput(person_id=person.pk, role="principal")])  # fmt: skip
    evidence_add(actor=officer, application_id=application.pk, person_id=application.persons.get().pk,
                 evidence_code="passport", document_number=number,
                 expires_on=dt.date(2026, 1, 10), upload=io.BytesIO(DEMO_PDF), file_name="document-scan.pdf")  # fmt: skip
    application_submit(actor=officer, application_id=application.pk)


def _blocked_by_asylum(users: dict[str, User], today: dt.date) -> None:
    officer = users["be-officer"]
    spec = DemoPerson("Raza", "Ahmed", 1995, "M", "PK", "رضا", "احمد", "Arab")
    if _exists(officer, spec):
        return
    person = _person(officer, spec)
    case = _case(officer, person, today - dt.timedelta(days=20))
    asylum_record(actor=officer, case_id=case.pk, lodged_on=today - dt.timedelta(days=5))


STEPS: list[Callable[[dict[str, User], dt.date], None]] = [
    _germany_to_azerbaijan_family,
    lambda users, today: _submitted(users, "de-officer", DemoPerson("Aliyev", "Tural", 1993, "M", "AZ", "Əliyev", "Tural", "Latn"),
                                    "AZ", ("passport", "C03456789"), today),
    lambda users, today: _submitted(users, "nl-officer", DemoPerson("Beridze", "Giorgi", 1990, "M", "GE", "ბერიძე", "გიორგი", "Geor"),
                                    "GE", ("passport", "13AB45678"), today),
    _blocked_by_asylum,
]  # fmt: skip


def demo_cases_load() -> int:
    """Create the demo cases that are missing. Returns how many steps created something."""
    users = {u.username: u for u in User.objects.select_related("authority").filter(
        username__in=["de-officer", "nl-officer", "be-officer"])}  # fmt: skip
    today = timezone.localdate()
    before = Person.objects.count()
    for step in STEPS:
        step(users, today)
    return Person.objects.count() - before
