"""The main journey through the web pages, by personas of both states."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from readmit.accounts.models import User
from readmit.audit.models import AccessLogEntry
from readmit.readmission.models import Application

from .conftest import World

pytestmark = pytest.mark.django_db


def _act(client: Client, application: Application, action: str, **fields: Any) -> Any:
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(f"/applications/{application.pk}/act/{action}/", data)


def test_a_case_walked_from_draft_to_handover_in_the_browser_pages(
    world: World, client_as: Callable[[str], Client], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    de, az, consul = client_as("de-officer"), client_as("az-officer"), client_as("az-consul")
    form = de.get(f"/applications/new/{world.case.pk}/").content.decode()
    assert "Mammadova, Aysel" in form or "Aysel" in form
    # The form names the spouse and the child: both reads are in the access log.
    read = set(
        AccessLogEntry.objects.filter(
            actor_username="de-officer", object_type="persons.person"
        ).values_list("object_id", flat=True)
    )
    assert {str(world.spouse.pk), str(world.child.pk)} <= read
    response = de.post(
        f"/applications/new/{world.case.pk}/",
        {
            "kind": "own_nationals",
            "requested_state": "AZ",
            "procedure": "normal",
            "family": [str(world.spouse.pk), str(world.child.pk)],
            "observations": "Family of three.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get()
    persons = {p.role: p.pk for p in application.persons.all()}
    assert set(persons) == {"principal", "spouse", "child"}

    upload = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4\n" + b"0" * 200, content_type="application/pdf"
    )
    added = de.post(
        f"/applications/{application.pk}/evidence/",
        {
            "person": persons["principal"],
            "evidence_code": "passport",
            "document_number": "C01234567",
            "expires_on": "2025-03-01",
            "file": upload,
        },
    )
    assert added.status_code == 302
    assert _act(de, application, "submit").status_code == 302

    page = az.get(f"/applications/{application.pk}/").content.decode()
    assert "Reply due" in page and "days left" in page
    assert 'data-action="acknowledge"' in page
    assert _act(az, application, "acknowledge").status_code == 302
    for role in ("principal", "child"):
        assert (
            _act(az, application, "reply", person=persons[role], decision="accept").status_code
            == 302
        )
    refused = _act(
        az,
        application,
        "reply",
        person=persons["spouse"],
        decision="refuse",
        reason="not_a_national",
        explanation="The spouse holds the nationality of another state.",
    )
    assert refused.status_code == 302

    today = timezone.localdate()
    for role in ("principal", "child"):
        issued = _act(
            consul,
            application,
            "issue_td",
            person=persons[role],
            kind="laissez_passer",
            number=f"LP-{role}",
            issued_on=today.isoformat(),
            valid_until=(today + dt.timedelta(days=60)).isoformat(),
        )
        assert issued.status_code == 302, issued.content.decode()[-3000:]
    planned = (timezone.localtime() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    notified = _act(
        de,
        application,
        "notify_transfer",
        persons=[persons["principal"], persons["child"]],
        planned_at=planned,
        border_crossing_point="Baku Heydar Aliyev airport",
        flight="J2 8012",
    )
    assert notified.status_code == 302, notified.content.decode()[-3000:]
    transfer = application.transfers.get()
    assert _act(az, application, "confirm_transfer", transfer=transfer.pk).status_code == 302
    assert _act(de, application, "carry_out_transfer", transfer=transfer.pk).status_code == 302
    assert _act(az, application, "confirm_handover", transfer=transfer.pk).status_code == 302

    for client, who in ((de, "requesting"), (az, "requested")):
        page = client.get(f"/applications/{application.pk}/").content.decode()
        timeline = page.split('data-testid="timeline"')[1].split("</table>")[0]
        for step in (
            "Application submitted",
            "Receipt acknowledged",
            "Accepted",
            "Refused",
            "Travel document issued",
            "Transfer notified",
            "Transfer confirmed",
            "Transfer carried out",
            "Handover confirmed",
        ):
            assert step in timeline, (who, step)
        assert "az-consul" in timeline and "de-officer" in timeline
        # The deadline each step set, in its own column (e.g. 18 December 2026).
        assert re.search(r"<td>\d{1,2} [A-Z][a-z]+ \d{4}</td></tr>", timeline)
    assert "Application drafted" in de.get(f"/applications/{application.pk}/").content.decode()
    assert "Application drafted" not in az.get(f"/applications/{application.pk}/").content.decode()


def test_a_rejected_action_keeps_what_was_typed_and_explains(
    world: World, draft: Callable[..., Application], client_as: Callable[[str], Client]
) -> None:
    from readmit.readmission import services as s

    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    az = client_as("az-officer")
    principal = application.persons.get().pk
    response = _act(
        az,
        application,
        "reply",
        person=principal,
        decision="refuse",
        reason="not_a_national",
        explanation="Too short",
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Explain the refusal in writing" in body
    assert "Too short" in body
    assert application.persons.get().status == "pending"


def test_the_requested_states_page_shows_nothing_of_the_return_file(
    world: World, draft: Callable[..., Application], client_as: Callable[[str], Client]
) -> None:
    from readmit.readmission import services as s
    from readmit.returns.services import appeal_record, asylum_decide, asylum_record

    appeal_record(
        actor=world.officer,
        case_id=world.case.pk,
        lodged_on=dt.date(2026, 1, 20),
        body="Administrative Court Berlin",
        suspensive_effect=False,
    )
    asylum = asylum_record(
        actor=world.officer, case_id=world.case.pk, lodged_on=dt.date(2026, 1, 10)
    )
    asylum_decide(
        actor=world.officer,
        case_id=world.case.pk,
        application_id=asylum.pk,
        status="rejected",
        decided_on=dt.date(2026, 2, 1),
    )
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    page = client_as("az-officer").get(f"/applications/{application.pk}/").content.decode()
    assert "Mammadov" in page
    for secret in (
        "Administrative Court",
        "asylum",
        "Asylum",
        "appeal",
        "Absconded",
        "absconding",
        world.case.reference,
        f"/returns/{world.case.pk}",
        "Return case",
    ):
        assert secret not in page, secret
    own = client_as("de-officer").get(f"/applications/{application.pk}/").content.decode()
    assert "Return case" in own


def test_the_requesting_state_closes_a_handed_over_case_from_the_page(
    world: World, persona: Callable[[str], User], client_as: Callable[[str], Client]
) -> None:
    from .walk import start

    w = start(world, persona).take(
        "submit", "accept", "issue_td", "notify_transfer", "confirm_transfer"
    )
    w.take("carry_out_transfer", "confirm_handover")
    de = client_as("de-officer")
    page = de.get(f"/applications/{w.application.pk}/").content.decode()
    assert "Close the person&#x27;s case" in page or "Close the person's case" in page
    response = _act(de, w.application, "close_case", person=w.person().pk)
    assert response.status_code in (200, 302)
    assert w.person().status == "closed"
    assert w.refresh().application.status == "closed"
    # The requested state is not offered the step and cannot take it.
    assert (
        "close_case"
        not in client_as("az-officer").get(f"/applications/{w.application.pk}/").content.decode()
    )
