"""Rows in bulk for the list pages: enough to see that a page's queries do not grow with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from readmit.accounts.models import Authority, User
from readmit.agreements.models import Agreement
from readmit.notifications.models import Notification
from readmit.persons.models import Person
from readmit.readmission.filters import person_search_fields
from readmit.readmission.models import Application, ApplicationPerson
from readmit.returns.models import ReturnCase

BulkMaker = Callable[[int], None]


@pytest.fixture
def many_applications(persona: Callable[[str], User]) -> BulkMaker:
    """`n` applications from de-lea-berlin to Azerbaijan, received today, each with a
    principal, a person record and a return case: every list page has n rows to show."""

    def make(n: int) -> None:
        officer = persona("de-officer")
        authority: Authority = officer.authority  # type: ignore[assignment]
        agreement = Agreement.objects.get(code="EU-AZ")
        today = timezone.localdate()
        start = Application.objects.count()
        persons = Person.objects.bulk_create(
            Person(
                owner_authority=authority,
                surname_latin=f"Bulk{start + i}",
                given_names_latin="Test",
                sex="X",
                birth_year=1990,
            )
            for i in range(n)
        )
        ReturnCase.objects.bulk_create(
            ReturnCase(owner_authority=authority, person=p, reference=f"BULK-{p.pk}")
            for p in persons
        )
        applications = Application.objects.bulk_create(
            Application(
                reference=f"BULK-RA-{start + i:06d}",
                kind="own_nationals",
                status="submitted",
                agreement=agreement,
                requesting_authority=authority,
                requested_state_id="AZ",
                received_on=today,
                clock_started_on=today,
                reply_due=today + dt.timedelta(days=(i % 20) - 5),
                reply_due_amount=20,
                reply_due_unit="calendar_days",
                reply_due_source="test",
            )
            for i in range(n)
        )
        rows = []
        for application, person in zip(applications, persons, strict=True):
            particulars = {
                "surname_latin": person.surname_latin,
                "given_names_latin": "Test",
                "nationalities": [{"state": "AZ", "status": "claimed", "current": True}],
            }
            text, codes = person_search_fields(particulars)
            rows.append(
                ApplicationPerson(
                    application=application,
                    role="principal",
                    person=person,
                    particulars=particulars,
                    surname_latin=person.surname_latin,
                    given_names_latin="Test",
                    search_text=text,
                    nationality_codes=codes,
                )
            )
        ApplicationPerson.objects.bulk_create(rows)
        Notification.objects.bulk_create(
            Notification(recipient=officer, action="bulk", title=f"Note {i}", url="/")
            for i in range(n)
        )

    return make
