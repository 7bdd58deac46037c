from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client

from readmit.accounts.capabilities import Capability
from readmit.accounts.models import Authority, User
from readmit.notifications.models import Notification
from readmit.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_only_users_who_can_act_are_notified_and_emailed_after_commit(
    authority: Callable[[str], Authority], django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        notes = notify(
            authorities=[authority("az-sms")],
            capability=Capability.REPLY_APPLICATION,
            action="readmission.application.received",
            title="Application DE-LEA-2026-000001 received",
            url="/",
        )
    recipients = {n.recipient.username for n in notes}
    assert recipients == {"az-officer", "az-supervisor"}  # not the admin: no casework
    assert sorted(m.to[0] for m in mail.outbox) == [
        "az-officer@demo.readmit.invalid",
        "az-supervisor@demo.readmit.invalid",
    ]
    assert "DE-LEA-2026-000001" in mail.outbox[0].subject


def test_no_email_when_the_transaction_rolls_back(authority: Callable[[str], Authority]) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(authorities=[authority("ge-mia")], capability=None, action="x", title="t")
        raise RuntimeError("the change failed")
    assert not Notification.objects.filter(action="x").exists()
    assert mail.outbox == []


def test_the_unread_count_and_opening_a_notification(
    authority: Callable[[str], Authority],
    client_as: Callable[[str], Client],
    persona: Callable[[str], User],
) -> None:
    notify(
        authorities=[authority("ge-mia")],
        capability=None,
        action="x",
        title="Something to do",
        url="/accounts/tokens/",
    )
    client = client_as("ge-officer")
    page = client.get("/notifications/").content.decode()
    assert "Something to do" in page and 'class="badge"' in page
    note = Notification.objects.get(recipient=persona("ge-officer"), action="x")
    opened = client.post(f"/notifications/{note.pk}/open/")
    assert opened["Location"] == "/accounts/tokens/"
    assert 'class="badge"' not in client.get("/").content.decode()
    # Another user's notification does not exist for you.
    assert client_as("az-officer").post(f"/notifications/{note.pk}/open/").status_code == 404


def test_a_link_to_another_site_is_never_followed(
    authority: Callable[[str], Authority],
    client_as: Callable[[str], Client],
    persona: Callable[[str], User],
) -> None:
    notify(
        authorities=[authority("ge-mia")],
        capability=None,
        action="y",
        title="t",
        url="https://evil.example/",
    )
    note = Notification.objects.get(recipient=persona("ge-officer"), action="y")
    assert (
        client_as("ge-officer").post(f"/notifications/{note.pk}/open/")["Location"]
        == "/notifications/"
    )


def test_the_list_pages_newest_first_without_repeating_or_losing_one(
    authority: Callable[[str], Authority], client_as: Callable[[str], Client]
) -> None:
    for n in range(1, 121):
        notify(authorities=[authority("ge-mia")], capability=None, action="x", title=f"Note {n:03}")
    client = client_as("ge-officer")
    seen: list[str] = []
    url = "/notifications/"
    pages = 0
    while url:
        page = client.get(url).content.decode()
        pages += 1
        seen += re.findall(r"Note \d{3}", page)
        nxt = re.search(r'href="\?([^"]*)" rel="next"', page)
        url = f"/notifications/?{html.unescape(nxt.group(1))}" if nxt else ""
        if pages > 1:
            assert "First page" in page
    assert pages == 3
    assert seen == [f"Note {n:03}" for n in range(120, 0, -1)]


def test_a_spoilt_page_link_shows_the_newest_notifications(
    authority: Callable[[str], Authority], client_as: Callable[[str], Client]
) -> None:
    notify(authorities=[authority("ge-mia")], capability=None, action="x", title="Newest")
    page = client_as("ge-officer").get("/notifications/?after=not-a-cursor")
    assert page.status_code == 200
    assert "Newest" in page.content.decode()
