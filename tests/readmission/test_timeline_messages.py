"""What one state writes to the other with a step (a question, an answer, a reason) is on both
sides' timeline, in the page and the API, as the transmission log records it was sent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.readmission.selectors import application_view

from .conftest import World
from .walk import start

pytestmark = pytest.mark.django_db

SENT = {
    "information_requested": "Please send the birth certificate.",
    "information_provided": "Attached the certificate.",
    "transfer_postponed": "The flight was cancelled by the airline.",
    "in_error_claimed": "The person is not a national: the registry entry was a namesake.",
    "person_closed": "The person was taken back on 3 May.",
}


def _texts(viewer: User, application_id: int) -> dict[str, str]:
    events = application_view(viewer=viewer, application_id=application_id).data["events"]
    return {e["action"]: e["text"] for e in events if e["text"]}


def test_each_side_reads_what_the_other_wrote_with_its_step(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona, state="TR").take(
        "submit",
        "acknowledge",
        "record_identification",
        "request_information",
        "provide_information",
        "accept",
        "issue_td",
        "notify_transfer",
        "postpone_transfer",
        "notify_transfer",
        "confirm_transfer",
        "carry_out_transfer",
        "confirm_handover",
        "claim_in_error",
        "close_case",
    )
    assert _texts(w.officer, w.application.pk) == SENT  # the requesting side
    assert _texts(w.req, w.application.pk) == SENT  # the requested side
    # In the page, under each step, for the side that did not write it.
    requested_page = Client()
    requested_page.force_login(w.req)
    page = requested_page.get(f"/applications/{w.application.pk}/").content.decode()
    assert "Attached the certificate." in page
    assert "The flight was cancelled by the airline." in page


def test_the_requesting_state_reads_the_question_in_its_page_and_the_api(
    world: World, persona: Callable[[str], User], client_as: Callable[[str], Client]
) -> None:
    w = start(world, persona).take("submit", "acknowledge", "request_information")
    page = client_as("de-officer").get(f"/applications/{w.application.pk}/")
    assert SENT["information_requested"] in page.content.decode()
    token = token_create(actor=None, user=persona("de-officer"), name="test", days=1).plaintext
    events = Client().get(
        f"/api/v1/applications/{w.application.pk}/events",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert events.status_code == 200
    asked = [e for e in events.json() if e["action"] == "information_requested"]
    assert [e["text"] for e in asked] == [SENT["information_requested"]]


def test_the_reason_of_a_withdrawal_reaches_the_requested_state(
    world: World, persona: Callable[[str], User]
) -> None:
    withdrawn = start(world, persona).take("submit", "withdraw")
    assert _texts(persona("az-officer"), withdrawn.application.pk) == {
        "withdrawn": "The person left voluntarily."
    }
