"""The application read is compiled once per viewer's scope (core.compiled): in one process,
one viewer's compiled read never answers for another, and the scope decides every time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from readmit.accounts.models import User
from readmit.core.errors import NotFound
from readmit.readmission import services as s
from readmit.readmission.models import (
    Application,
    ApplicationEvent,
    EventVisibility,
    application_scope,
)
from readmit.readmission.selectors import application_view

from .conftest import World

pytestmark = pytest.mark.django_db


def _sees(viewer: User, application: Application) -> str:
    try:
        return application_view(viewer=viewer, application_id=application.pk).side or "neither"
    except NotFound:
        return "not found"


def test_each_viewer_sees_an_application_as_its_own_scope_says(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    to_azerbaijan = draft()
    to_georgia = draft(requested_state="GE")
    viewers = {
        name: persona(name)
        for name in ("de-officer", "nl-officer", "az-officer", "az-consul", "ge-officer")
    }
    # Drafts stay with the sender, whoever asked before.
    for _round in range(2):
        assert {n: _sees(v, to_azerbaijan) for n, v in viewers.items()} == {
            "de-officer": "requesting",
            "nl-officer": "not found",
            "az-officer": "not found",
            "az-consul": "not found",
            "ge-officer": "not found",
        }
    s.application_submit(actor=world.officer, application_id=to_azerbaijan.pk)
    s.application_submit(actor=world.officer, application_id=to_georgia.pk)
    for _round in range(2):
        assert {n: _sees(v, to_azerbaijan) for n, v in viewers.items()} == {
            "de-officer": "requesting",
            "nl-officer": "not found",
            "az-officer": "requested",
            "az-consul": "requested",  # the consulate in Berlin: a German sender
            "ge-officer": "not found",
        }
        assert {n: _sees(v, to_georgia) for n, v in viewers.items()} == {
            "de-officer": "requesting",
            "nl-officer": "not found",
            "az-officer": "not found",
            "az-consul": "not found",
            "ge-officer": "requested",
        }


def test_a_viewer_who_loses_the_capability_loses_the_application_at_once(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    viewer = persona("az-officer")
    assert _sees(viewer, application) == "requested"
    viewer.authority.is_active = False
    viewer.authority.save(update_fields=["is_active"])
    viewer = User.objects.select_related("authority").get(pk=viewer.pk)
    assert application_scope(viewer) is None
    assert _sees(viewer, application) == "not found"


def test_each_transfer_lists_its_own_people_latest_transfer_first(
    world: World, persona: Callable[[str], User]
) -> None:
    from django.utils import timezone

    from .walk import start

    walk = start(world, persona, family=True).take("submit", "acknowledge")
    people = {p.role: p.pk for p in walk.application.persons.all()}
    today, now = timezone.localdate(), timezone.now()
    for person_id in people.values():
        s.person_reply(
            actor=walk.req, application_id=walk.application.pk, person_id=person_id, accept=True
        )
        s.travel_document_issue(
            actor=walk.req,
            application_id=walk.application.pk,
            person_id=person_id,
            kind="laissez_passer",
            number=f"LP-{person_id}",
            issued_on=today,
            valid_until=today + dt.timedelta(days=90),
        )
    first = s.transfer_notify(
        actor=world.officer,
        application_id=walk.application.pk,
        person_ids=[people["principal"]],
        planned_at=now + dt.timedelta(days=5),
        border_crossing_point="Airport",
    )
    family = s.transfer_notify(
        actor=world.officer,
        application_id=walk.application.pk,
        person_ids=[people["child"], people["spouse"]],
        planned_at=now + dt.timedelta(days=9),
        border_crossing_point="Airport",
    )
    for viewer in (world.officer, walk.requested):
        transfers = application_view(viewer=viewer, application_id=walk.application.pk).data[
            "transfers"
        ]
        assert [(t["id"], t["persons"]) for t in transfers] == [
            (family.pk, sorted([people["child"], people["spouse"]])),
            (first.pk, [people["principal"]]),
        ]
        documents = {
            p["id"]: [d["number"] for d in p["travel_documents"]]
            for p in application_view(viewer=viewer, application_id=walk.application.pk).data[
                "persons"
            ]
        }
        assert documents == {pk: [f"LP-{pk}"] for pk in people.values()}


def test_each_side_reads_the_timeline_its_side_may_see_with_the_application(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()  # "drafted": a note for the requesting side alone
    s.application_submit(actor=world.officer, application_id=application.pk)
    events = ApplicationEvent.objects.filter(application=application).order_by("at", "id")
    everything = list(events.values_list("action", flat=True))
    shared = list(events.filter(visibility=EventVisibility.BOTH).values_list("action", flat=True))
    assert "drafted" in everything and "drafted" not in shared
    for _round in range(2):  # the second round: each viewer's read as compiled the first time
        for name, expected in (
            ("de-officer", everything),
            ("az-officer", shared),
            ("az-consul", shared),
            ("de-officer", everything),
        ):
            viewer = persona(name)
            application_scope(viewer)  # a consulate's scope reads its host state's senders once
            with CaptureQueriesContext(connection) as queries:
                view = application_view(viewer=viewer, application_id=application.pk)
            assert [e["action"] for e in view.data["events"]] == expected, name
            reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
            if connection.vendor == "postgresql":
                # The application, its lists and its timeline: one statement.
                assert len(reads) == 1, reads
