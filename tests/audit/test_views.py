"""Authority administrators see and export their own authority's audit and access log only."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from readmit.accounts.models import User
from readmit.audit.models import AccessLogEntry
from readmit.audit.services import access_log_record, audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(persona: Callable[[str], User]) -> None:
    de, az = persona("de-officer"), persona("az-officer")
    audit_record(
        actor=de,
        action="test.de.thing",
        object_type="test.thing",
        object_id=1,
        owner_authority_id=de.authority_id,
        changes={"note": '=HYPERLINK("http://x")'},
    )
    audit_record(
        actor=az,
        action="test.az.thing",
        object_type="test.thing",
        object_id=2,
        owner_authority_id=az.authority_id,
    )
    access_log_record(actor=de, records=[("test.person", 11, de.authority_id)], purpose="de read")
    access_log_record(actor=az, records=[("test.person", 22, az.authority_id)], purpose="az read")


@pytest.fixture
def person_change(persona: Callable[[str], User]) -> None:
    """An officer's change of a person: its entry holds the person's name."""
    de = persona("de-officer")
    audit_record(
        actor=de,
        action="test.de.person",
        object_type="persons.person",
        object_id=3,
        owner_authority_id=de.authority_id,
        changes={"surname": "Mammadov"},
    )


def _csv(response: object) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def test_the_audit_log_shows_only_the_own_authority(
    entries: None, client_as: Callable[[str], Client]
) -> None:
    body = client_as("de-admin").get("/audit/").content.decode()
    assert "test.de.thing" in body
    assert "test.az.thing" not in body
    assert "test.az.thing" in client_as("az-admin").get("/audit/").content.decode()


def test_the_platform_administration_sees_configuration_not_the_authorities_cases(
    entries: None,
    person_change: None,
    client_as: Callable[[str], Client],
    persona: Callable[[str], User],
) -> None:
    # An officer's change carries the person's values; the platform sees no case content.
    audit_record(actor=None, action="test.registry.loaded", changes={"agreements": 28})
    admin = persona("platform-admin")
    audit_record(
        actor=admin,
        action="test.platform.rule",
        object_type="agreements.agreementrule",
        object_id=4,
        owner_authority_id=admin.authority_id,
    )
    client = client_as("platform-admin")
    body = client.get("/audit/").content.decode()
    exported = {r["action"] for r in _csv(client.get("/audit/export.csv"))}
    for seen in (body, exported):
        assert "test.registry.loaded" in seen and "test.platform.rule" in seen
        assert "test.de.thing" not in seen and "test.az.thing" not in seen
        assert "test.de.person" not in seen
    assert "Mammadov" not in body
    # The authority whose case it is still sees it.
    assert "test.de.person" in client_as("de-admin").get("/audit/").content.decode()


def test_reading_changed_values_in_the_audit_trail_is_in_the_access_log(
    entries: None,
    person_change: None,
    client_as: Callable[[str], Client],
    persona: Callable[[str], User],
) -> None:
    de = persona("de-officer")
    audit_record(actor=de, action="test.de.nothing", object_type="persons.person", object_id=4)

    def reads(purpose: str) -> set[tuple[str, str]]:
        return set(
            AccessLogEntry.objects.filter(actor_username="de-admin", purpose=purpose).values_list(
                "object_type", "object_id"
            )
        )

    admin = client_as("de-admin")
    assert "Mammadov" in admin.get("/audit/").content.decode()
    shown = reads("audit trail")
    assert {("persons.person", "3"), ("test.thing", "1")} <= shown
    assert ("persons.person", "4") not in shown  # no values changed: nothing personal shown
    assert any("Mammadov" in r["changes"] for r in _csv(admin.get("/audit/export.csv")))
    assert reads("audit export") == shown
    # Logged as the web's reads, though the rows stream after the view has returned.
    exported = AccessLogEntry.objects.filter(actor_username="de-admin", purpose="audit export")
    assert set(exported.values_list("channel", flat=True)) == {"web"}


def test_the_audit_export_is_scoped_and_safe_for_spreadsheets(
    entries: None, client_as: Callable[[str], Client]
) -> None:
    response = client_as("de-admin").get("/audit/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    actions = {r["action"] for r in rows}
    assert "test.de.thing" in actions and "test.az.thing" not in actions
    de_row = next(r for r in rows if r["action"] == "test.de.thing")
    assert not de_row["changes"].startswith("=")
    assert "HYPERLINK" in de_row["changes"]


def test_the_audit_filter_by_action(entries: None, client_as: Callable[[str], Client]) -> None:
    rows = _csv(client_as("de-admin").get("/audit/export.csv", {"action": "accounts."}))
    assert rows and all(r["action"].startswith("accounts.") for r in rows)


def test_the_access_log_shows_and_exports_only_the_own_authority(
    entries: None, client_as: Callable[[str], Client]
) -> None:
    body = client_as("az-admin").get("/audit/access-log/").content.decode()
    assert "az read" in body and "de read" not in body
    rows = _csv(client_as("az-admin").get("/audit/access-log/export.csv"))
    assert {r["view"] for r in rows} == {"az read"}


def test_a_bad_date_filter_is_reported_not_crashed(
    entries: None, client_as: Callable[[str], Client]
) -> None:
    response = client_as("de-admin").get("/audit/", {"since": "31/02/2026"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_the_access_log_pages_keep_the_filter_and_reach_the_oldest_entry(
    persona: Callable[[str], User], client_as: Callable[[str], Client]
) -> None:
    de = persona("de-officer")
    for n in range(1, 61):
        access_log_record(
            actor=de, records=[("test.person", 1000 + n, de.authority_id)], purpose="paging"
        )
    client = client_as("de-admin")
    today = timezone.localdate().isoformat()
    first = client.get("/audit/access-log/", {"since": today}).content.decode()
    assert "test.person 1060" in first and "test.person 1001" not in first
    nxt = re.search(r'href="\?([^"]*)" rel="next"', first)
    assert nxt is not None
    query = html.unescape(nxt.group(1))
    assert f"since={today}" in query
    second = client.get(f"/audit/access-log/?{query}").content.decode()
    assert "test.person 1001" in second and "test.person 1060" not in second
