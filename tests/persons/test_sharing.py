"""The snapshot that crosses to the requested state holds the allowed categories only."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest

from readmit.accounts.models import User
from readmit.core.timeutil import today
from readmit.persons.models import Person
from readmit.persons.services import alias_add, identifier_add, nationality_set, person_photo_set
from readmit.persons.sharing import SHAREABLE_FIELDS, shareable_particulars
from readmit.returns.services import (
    appeal_record,
    asylum_record,
    case_create,
    decision_record,
    detention_start,
    risk_of_absconding_set,
    vulnerability_assess,
)

pytestmark = pytest.mark.django_db


def test_the_snapshot_has_exactly_the_allowed_keys(make_person: Callable[..., Person]) -> None:
    snapshot = shareable_particulars(make_person())
    assert tuple(snapshot) == SHAREABLE_FIELDS
    json.dumps(snapshot)  # storable as it is


def test_the_snapshot_carries_partial_dates_names_documents_and_photo(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    officer = persona("de-officer")
    person = make_person(birth_year=1987, birth_month=3, surname_original="Məmmədov",
                         father_name="Ilham", height_cm=180)  # fmt: skip
    alias_add(actor=officer, person_id=person.pk, kind="alias", surname_latin="Mamedov")
    nationality_set(
        actor=officer,
        person_id=person.pk,
        state="AZ",
        status="claimed",
        source_note="internal note",
    )
    identifier_add(actor=officer, person_id=person.pk, kind="passport", number="C1", issuing_state="AZ",
                   expiry_date=dt.date(2019, 1, 1), notes="internal remark")  # fmt: skip
    person_photo_set(
        actor=officer, person_id=person.pk, file=io.BytesIO(b"\xff\xd8\xff" + b"\x00" * 10)
    )
    person = Person.objects.get(pk=person.pk)
    snapshot = shareable_particulars(person)
    assert snapshot["date_of_birth"] == {
        "year": 1987,
        "month": 3,
        "day": None,
        "precision": "month",
        "text": "1987-03",
    }
    assert snapshot["surname_original"] == "Məmmədov"
    assert snapshot["other_names"][0]["surname_latin"] == "Mamedov"
    assert snapshot["nationalities"] == [{"state": "AZ", "status": "claimed", "current": True}]
    assert snapshot["identity_documents"][0]["expiry_date"] == "2019-01-01"
    assert snapshot["father_name"] == "Ilham"
    assert snapshot["physical_description"]["height_cm"] == 180
    assert snapshot["photo"]["content_type"] == "image/jpeg"
    text = json.dumps(snapshot, ensure_ascii=False)
    assert "internal note" not in text and "internal remark" not in text


def test_the_snapshot_never_includes_the_return_file(
    make_person: Callable[..., Person], persona: Callable[[str], User]
) -> None:
    officer = persona("de-officer")
    person = make_person()
    case = case_create(actor=officer, person_id=person.pk)
    day = today() - dt.timedelta(days=5)
    decision_record(actor=officer, case_id=case.pk, issuing_authority="SECRET-ISSUER", decided_on=day,
                    vd_granted=False, vd_refusal_reason="risk_of_absconding")  # fmt: skip
    appeal_record(
        actor=officer, case_id=case.pk, lodged_on=day, body="SECRET-COURT", suspensive_effect=True
    )
    asylum_record(actor=officer, case_id=case.pk, lodged_on=day)
    detention_start(
        actor=officer, case_id=case.pk, start=day, ground="risk_of_absconding", ordered_on=day
    )
    vulnerability_assess(actor=officer, case_id=case.pk, assessed_on=day, serious_illness=True,
                         health_notes="SECRET-HEALTH")  # fmt: skip
    risk_of_absconding_set(
        actor=officer, case_id=case.pk, risk=True, reason="SECRET-RISK", assessed_on=day
    )
    snapshot = shareable_particulars(Person.objects.get(pk=person.pk))
    assert tuple(snapshot) == SHAREABLE_FIELDS
    text = json.dumps(snapshot)
    for secret in (
        "SECRET",
        case.reference,
        "asylum",
        "detention",
        "appeal",
        "vulnerab",
        "absconding",
    ):
        assert secret not in text
