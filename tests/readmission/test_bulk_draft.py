"""Drafting many applications at once (`applications_draft_bulk`, the import's path) writes
what drafting them one by one (`application_draft`) writes, under the same rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import transaction

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry
from readmit.audit.services import audit_verify
from readmit.core.errors import DomainError
from readmit.persons.services import alias_add, identifier_add, nationality_set
from readmit.readmission.models import Application, ApplicationEvent, ApplicationPerson
from readmit.readmission.services import (
    DraftInput,
    DraftsRefused,
    PersonInput,
    application_draft,
    applications_draft_bulk,
)
from readmit.returns.models import ReturnCase
from readmit.returns.services import case_create
from readmit.webhooks.models import WebhookDelivery
from readmit.webhooks.services import endpoint_create

from .conftest import World, make_person


class _Rollback(Exception):
    pass


def _written(application_id: int) -> dict[str, Any]:
    """Everything drafting wrote for one application, without ids and clock times."""
    app = Application.objects.filter(pk=application_id).values().get()
    for key in ("id", "public_id", "created_at"):
        app.pop(key)
    persons = [
        {k: v for k, v in p.items() if k not in ("id", "application_id")}
        for p in ApplicationPerson.objects.filter(application_id=application_id).values()
    ]
    events = [
        {k: v for k, v in e.items() if k not in ("id", "application_id", "at")}
        for e in ApplicationEvent.objects.filter(application_id=application_id).values()
    ]
    audit = [
        {k: v for k, v in a.items() if k not in ("id", "at", "hash", "prev_hash", "seq")}
        for a in AuditEntry.objects.filter(
            object_type="readmission.application", object_id=str(application_id)
        ).values()
    ]
    assert len(audit) == 1
    for entry in audit:
        assert entry.pop("object_id") == str(application_id)
    return {"application": app, "persons": persons, "events": events, "audit": audit}


def _both(world: World, **draft: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same draft written once by each path, each rolled back afterwards, so both start
    from the same database (the same next reference)."""
    out: list[dict[str, Any]] = []
    for bulk in (False, True):
        try:
            with transaction.atomic():
                if bulk:
                    (pk,) = applications_draft_bulk(
                        actor=world.officer, drafts=[DraftInput(**draft)]
                    )
                else:
                    pk = application_draft(actor=world.officer, **draft).pk
                out.append(_written(pk))
                raise _Rollback
        except _Rollback:
            pass
    return out[0], out[1]


@pytest.mark.django_db
def test_a_bulk_drafted_application_is_the_one_drafting_it_alone_writes(world: World) -> None:
    officer = world.officer
    alias_add(
        actor=officer, person_id=world.person.pk, surname_latin="Mamedov", given_names_latin="E"
    )
    alias_add(actor=officer, person_id=world.person.pk, kind="earlier", surname_original="Мамедов")
    nationality_set(actor=officer, person_id=world.person.pk, state="RU", status="established")
    single, bulk = _both(
        world,
        return_case_id=world.case.pk,
        kind="own_nationals",
        requested_state="AZ",
        persons=[
            PersonInput(person_id=world.person.pk, role="principal"),
            PersonInput(world.spouse.pk, "spouse", health_statement="Insulin", health_consent=True),
            PersonInput(world.child.pk, "child", health_statement="Not consented"),
        ],
        procedure="accelerated",
        apprehended_on=dt.date(2026, 1, 3),
        observations="Found at the border.",
    )
    assert bulk == single
    app = single["application"]
    assert app["reference"].startswith(f"{world.officer.authority.code.upper()}-RA-")  # type: ignore[union-attr]
    assert (app["status"], app["requesting_acts"], app["requested_acts"]) == ("draft", True, False)
    assert app["requested_authority_id"] is not None and app["legal_basis"]
    principal = single["persons"][0]
    assert len(principal["particulars"]["nationalities"]) == 2
    assert len(principal["particulars"]["other_names"]) == 2
    assert principal["particulars"]["identity_documents"][0]["number"] == "C01234567"
    assert "mammadov" in principal["search_text"].lower()
    assert sorted(principal["nationality_codes"].split()) == ["AZ", "RU"]
    assert [p["health_statement"] for p in single["persons"]] == ["", "Insulin", ""]
    assert [e["action"] for e in single["events"]] == ["drafted"]
    assert single["audit"][0]["changes"]["persons"] == 3


@pytest.mark.django_db
def test_third_country_and_stateless_drafts_match_too(world: World) -> None:
    single, bulk = _both(
        world,
        return_case_id=world.case.pk,
        kind="third_country_nationals",
        requested_state="AZ",
        persons=[PersonInput(person_id=world.person.pk, role="principal")],
        knowledge_on=dt.date(2026, 1, 2),
    )
    assert bulk == single


def _cases(officer: User, count: int) -> list[ReturnCase]:
    cases = []
    for i in range(count):
        person = make_person(officer, f"Bulkov{i}", "Ali", 1980 + i)
        nationality_set(actor=officer, person_id=person.pk, state="AZ", status="claimed")
        identifier_add(actor=officer, person_id=person.pk, kind="passport", number=f"B{i:07d}")
        cases.append(case_create(actor=officer, person_id=person.pk))
    return cases


def _inputs(cases: Sequence[ReturnCase], **over: Any) -> list[DraftInput]:
    return [
        DraftInput(
            return_case_id=c.pk,
            kind="own_nationals",
            requested_state="AZ",
            persons=[PersonInput(person_id=c.person_id, role="principal")],
            **over,
        )
        for c in cases
    ]


@pytest.mark.django_db
def test_references_continue_the_single_numbering_before_and_after(world: World) -> None:
    officer = world.officer
    first, *middle, last = _cases(officer, 5)
    before = application_draft(actor=officer, **_inputs([first])[0]._asdict())
    with transaction.atomic():
        ids = applications_draft_bulk(actor=officer, drafts=_inputs(middle))
    after = application_draft(actor=officer, **_inputs([last])[0]._asdict())
    references = [before.reference]
    references += [Application.objects.get(pk=pk).reference for pk in ids]
    references.append(after.reference)
    prefix = before.reference.rsplit("-", 1)[0]
    first_number = int(before.reference.rsplit("-", 1)[1])
    assert references == [f"{prefix}-{n:06d}" for n in range(first_number, first_number + 5)]
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_draft_the_single_path_refuses_is_refused_with_its_error_and_nothing_is_written(
    world: World,
) -> None:
    officer = world.officer
    cases = _cases(officer, 3)
    drafts = _inputs(cases)
    bad = [
        drafts[1]._replace(procedure="accelerated"),
        drafts[2]._replace(kind="readmission_in_error"),
        drafts[0]._replace(return_case_id=10**9),
        drafts[0]._replace(requested_state="US"),
        drafts[0]._replace(persons=[  # not the case's person
            PersonInput(person_id=world.person.pk, role="principal")]),
    ]  # fmt: skip
    expected: list[DomainError] = []
    for draft in bad:
        with pytest.raises(DomainError) as single:
            application_draft(actor=officer, **draft._asdict())
        expected.append(single.value)
    counts = (Application.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DraftsRefused) as refused, transaction.atomic():
        applications_draft_bulk(actor=officer, drafts=[drafts[0], *bad])
    assert sorted(refused.value.refused) == [1, 2, 3, 4, 5]
    for index, want in enumerate(expected, start=1):
        got = refused.value.refused[index]
        assert (type(got), got.message, got.fields) == (type(want), want.message, want.fields)
    assert (Application.objects.count(), AuditEntry.objects.count()) == counts


@pytest.mark.django_db
def test_a_role_without_drafting_is_refused(world: World, persona: Callable[[str], User]) -> None:
    reader = persona("de-readonly")
    with pytest.raises(DomainError) as single:
        application_draft(actor=reader, **_inputs([world.case])[0]._asdict())
    with pytest.raises(DomainError) as bulk, transaction.atomic():
        applications_draft_bulk(actor=reader, drafts=_inputs([world.case]))
    assert (type(bulk.value), bulk.value.message) == (type(single.value), single.value.message)


@pytest.mark.django_db
def test_webhooks_of_drafted_events_go_out_once_committed(
    world: World, persona: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    endpoint_create(
        actor=persona("de-admin"),
        url="https://hooks.example.test/in",
        event_types=["application.drafted"],
    )
    cases = _cases(world.officer, 2)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = applications_draft_bulk(actor=world.officer, drafts=_inputs(cases))
    events = ApplicationEvent.objects.filter(application_id__in=ids)
    deliveries = WebhookDelivery.objects.filter(event_type="application.drafted")
    assert sorted(d.event_id for d in deliveries) == sorted(e.pk for e in events)
