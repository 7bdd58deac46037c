"""The work queue as officers use it: counts per queue, search, filters, sorting, pages."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import dateformat, timezone
from django.utils.formats import date_format

from readmit.accounts.models import User
from readmit.audit.models import AccessLogEntry
from readmit.readmission import services as s
from readmit.readmission.filters import (
    ApplicationFilters,
    decode_cursor,
    encode_cursor,
    order_page,
)
from readmit.readmission.models import Application
from readmit.readmission.selectors import work_queue

from .conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world: World, draft: Callable[..., Application]) -> Application:
    application = draft()
    s.evidence_add(
        actor=world.officer,
        application_id=application.pk,
        person_id=application.persons.get().pk,
        evidence_code="passport",
        document_number="C01234567",
    )
    s.application_submit(actor=world.officer, application_id=application.pk)
    application.refresh_from_db()
    return application


def _rows(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_home_is_the_work_queue_with_counts_for_each_side(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    az = _rows(client_as("az-officer"), "/")
    assert "<h1>Work queue</h1>" in az
    assert submitted.reference in az  # action needed: acknowledge and reply
    assert 'data-queue="action_needed"' in az and "Waiting for the other state" in az
    de = client_as("de-officer")
    assert submitted.reference not in _rows(de, "/")  # nothing for Germany to do now
    assert submitted.reference in _rows(de, "/?queue=waiting")


def test_an_administrator_without_casework_gets_their_tasks(
    client_as: Callable[[str], Client],
) -> None:
    page = _rows(client_as("de-admin"), "/")
    assert "Your tasks" in page and "/accounts/users/" in page and "/audit/access-log/" in page


@pytest.mark.parametrize("username", ["iom-caseworker", "monitor", "analyst"])
def test_a_partner_a_monitor_and_an_analyst_read_no_readmission_list(
    username: str, submitted: Application, client_as: Callable[[str], Client]
) -> None:
    # Their own scopes (a referral with consent, an assigned operation, aggregates) are not
    # built: until they are, the readmission lists and exports are closed to them, not empty.
    client = client_as(username)
    assert "Your tasks" in _rows(client, "/")
    for url in ("/applications/?queue=all", "/applications/export.csv", "/persons/export.csv"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/applications/{submitted.pk}/").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["mammadov", "MAMMADOV", "Məmmədov", "məmmədov elçin", "memmedov", "C 0123-4567", "c01234567"],
)
def test_search_finds_the_application_by_name_in_any_script_and_document_number(
    query: str, submitted: Application, client_as: Callable[[str], Client]
) -> None:
    from urllib.parse import quote

    page = _rows(client_as("az-officer"), f"/applications/?queue=all&q={quote(query)}")
    if query == "memmedov":
        # ə is a letter of its own, not an e with a mark: no false friend.
        assert submitted.reference not in page
    else:
        assert submitted.reference in page, query


@pytest.mark.parametrize("id_limit", [0, 2000])
def test_search_finds_the_same_applications_whether_few_or_many_people_match(
    id_limit: int,
    submitted: Application,
    client_as: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Many matches are checked application by application, few by their ids: same answer.
    from readmit.readmission import filters

    monkeypatch.setattr(filters, "SEARCH_ID_LIMIT", id_limit)
    client = client_as("az-officer")
    for query in ("mammadov", "C 0123-4567"):
        assert submitted.reference in _rows(client, f"/applications/?queue=all&q={query}")
    assert submitted.reference not in _rows(client, "/applications/?queue=all&q=Petrov")


def test_search_by_reference_and_a_search_that_matches_nothing(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    client = client_as("de-officer")
    assert submitted.reference in _rows(
        client, f"/applications/?queue=all&q={submitted.reference.lower()}"
    )
    page = _rows(client, "/applications/?queue=all&q=Petrov")
    assert submitted.reference not in page and "No application matches these filters." in page


def test_filters_narrow_the_list_and_bad_dates_are_explained(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    client = client_as("az-officer")
    today = timezone.localdate()
    assert submitted.reference in _rows(client, "/applications/?queue=all&nationality=AZ")
    assert submitted.reference not in _rows(client, "/applications/?queue=all&nationality=GE")
    assert submitted.reference in _rows(client, "/applications/?queue=all&agreement=EU-AZ")
    assert submitted.reference not in _rows(
        client, "/applications/?queue=all&procedure=accelerated"
    )
    assert submitted.reference not in _rows(client, "/applications/?queue=all&deadline=overdue")
    assert submitted.reference in _rows(
        client,
        f"/applications/?queue=all&received_from={today:%Y-%m-%d}&received_to={today:%Y-%m-%d}",
    )
    page = _rows(
        client,
        "/applications/?queue=all&received_from=yesterday&due_from=2026-05-02&due_to=2026-05-01",
    )
    assert "Enter a valid date." in page
    assert "This date is before the start of the range." in page
    assert 'href="#id_received_from"' in page  # the summary links to the field
    assert 'value="yesterday"' in page  # what was typed is kept


def test_the_overdue_queue_and_filter(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    Application.objects.filter(pk=submitted.pk).update(
        reply_due=timezone.localdate() - dt.timedelta(days=3)
    )
    client = client_as("az-officer")
    page = _rows(client, "/applications/?queue=overdue")
    assert submitted.reference in page and "3 days overdue" in page
    assert submitted.reference in _rows(client, "/applications/?queue=all&deadline=overdue")


def test_listing_names_is_access_logged(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    _rows(client_as("az-officer"), "/applications/?queue=all")
    assert AccessLogEntry.objects.filter(actor_username="az-officer", purpose="work queue").exists()


def test_other_states_do_not_find_the_application(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    for username in ("ge-officer", "nl-officer"):
        page = _rows(client_as(username), "/applications/?queue=all&q=mammadov")
        assert submitted.reference not in page


def test_keyset_pages_cover_every_row_once_in_every_order(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    applications = [draft() for _ in range(7)]
    today = timezone.localdate()
    dues = [
        None,
        today,
        today,
        today + dt.timedelta(days=2),
        None,
        today - dt.timedelta(days=1),
        today,
    ]
    for application, due in zip(applications, dues, strict=True):
        Application.objects.filter(pk=application.pk).update(reply_due=due, received_on=due)
    viewer = persona("de-officer")
    for sort in ("due", "-due", "received", "-received", "-newest"):
        seen: list[int] = []
        after = None
        while True:
            page = work_queue(
                viewer=viewer,
                queue="all",
                filters=ApplicationFilters(sort=sort),
                after=after,
                limit=3,
            )
            seen += [a.pk for a in page]
            if len(page) < 3:
                break
            after = decode_cursor(encode_cursor(page[-1], sort), sort)
        everything = list(
            order_page(
                Application.objects.filter(pk__in=[a.pk for a in applications]), sort, None, 100
            )
        )
        assert seen == [a.pk for a in everything], sort
        assert sorted(seen) == sorted(a.pk for a in applications), sort


def test_a_broken_page_cursor_starts_again_at_the_first_page(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    page = _rows(client_as("az-officer"), "/applications/?queue=all&after=nonsense~x")
    assert submitted.reference in page


def test_htmx_filtering_returns_only_the_results(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    response = client_as("az-officer").get(
        "/applications/?queue=all&q=mammadov",
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    body = response.content.decode()
    assert submitted.reference in body and "<html" not in body


def test_the_page_loads_htmx_from_our_own_static_files(
    client_as: Callable[[str], Client],
) -> None:
    response = client_as("de-officer").get("/")
    body = response.content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in body
    assert "<script>" not in body and " style=" not in body and " onclick=" not in body
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_application_page_shows_the_deadline_rule_and_the_evidence_viewer(
    world: World,
    draft: Callable[..., Application],
    client_as: Callable[[str], Client],
    settings: object,
    tmp_path: object,
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    application = draft()
    evidence = s.evidence_add(
        actor=world.officer,
        application_id=application.pk,
        person_id=application.persons.get().pk,
        evidence_code="passport",
        document_number="C01234567",
        upload=io.BytesIO(b"%PDF-1.4\n" + bytes(64)),
        file_name="scan.pdf",
    )
    s.application_submit(actor=world.officer, application_id=application.pk)
    application.refresh_from_db()
    az = client_as("az-officer")
    page = _rows(az, f"/applications/{application.pk}/")
    rule = page.split('data-testid="deadline-rule">')[1].split("</p>")[0]
    start = dateformat.format(application.clock_started_on, "j F Y")
    assert f"{application.reply_due_amount} calendar days from {start}" in rule
    assert application.reply_due_source.split("'")[0][:20] in rule
    # The viewer frames the access-checked file view; the file view lets only us frame it.
    assert (
        f'<iframe class="viewer" src="/applications/{application.pk}/evidence/{evidence.pk}/file"'
        in page
    )
    file = az.get(f"/applications/{application.pk}/evidence/{evidence.pk}/file")
    assert file["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in file["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page_headers(az, f"/applications/{application.pk}/")
    # The requested state is offered its own actions only, the requesting state its own.
    assert 'data-action="acknowledge"' in page and 'data-action="withdraw"' not in page
    de_page = _rows(client_as("de-officer"), f"/applications/{application.pk}/")
    assert 'data-action="withdraw"' in de_page and 'data-action="acknowledge"' not in de_page
    assert "Return case (your authority only)" in de_page
    assert "Return case" not in page


def page_headers(client: Client, url: str) -> str:
    return str(client.get(url)["Content-Security-Policy"])


def test_a_rejected_action_is_explained_next_to_its_field_and_keeps_the_input(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    az = client_as("az-officer")
    s.application_acknowledge(actor=az_user(az), application_id=submitted.pk)
    person = submitted.persons.get().pk
    response = az.post(
        f"/applications/{submitted.pk}/act/reply/",
        {"reply-person": person, "reply-decision": "refuse", "reply-reason": "not_a_national"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'value="refuse" required id="id_reply-decision_1" checked' in page
    assert '<option value="not_a_national" selected>' in page


def test_a_step_done_is_confirmed_with_what_it_recorded(
    world: World, draft: Callable[..., Application], client_as: Callable[[str], Client]
) -> None:
    application = draft()
    de = client_as("de-officer")
    response = de.post(f"/applications/{application.pk}/act/submit/", {}, follow=True)
    status = response.content.decode().split('role="status"', 1)[1].split("</", 1)[0]
    assert "Done: Submit the application." in status
    assert "Application submitted to Azerbaijan." in status  # the step's own timeline entry
    az = client_as("az-officer")
    person = application.persons.get().pk
    replied = az.post(
        f"/applications/{application.pk}/act/reply/",
        {"reply-person": person, "reply-decision": "accept"},
        follow=True,
    ).content.decode()
    assert "Accepted." in replied.split('role="status"', 1)[1].split("</", 1)[0]
    # Kept in the session, not in a cookie: it may repeat what an officer typed.
    assert "messages" not in response.cookies and "messages" not in de.cookies


def az_user(client: Client) -> User:
    return User.objects.get(username="az-officer")


def test_the_evidence_form_has_a_plain_file_input_inside_the_drop_zone(
    world: World, draft: Callable[..., Application], client_as: Callable[[str], Client]
) -> None:
    application = draft()
    page = _rows(client_as("de-officer"), f"/applications/{application.pk}/evidence/")
    zone = page.split("data-dropzone>")[1].split("</div>")[0]
    assert '<input type="file" name="file"' in zone
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="id_file">File (PDF, JPEG, PNG or TIFF)</label>' in page


def test_the_means_of_evidence_are_grouped_by_what_they_establish_and_none_is_preselected(
    world: World, draft: Callable[..., Application], client_as: Callable[[str], Client]
) -> None:
    application = draft()
    page = _rows(client_as("de-officer"), f"/applications/{application.pk}/evidence/")
    select = page.split('name="evidence_code"')[1].split("</select>")[0]
    assert '<optgroup label="Nationality">' in select
    assert '<optgroup label="Third-country-national conditions">' in select
    assert select.index('<option value="" selected>') < select.index("<optgroup")
    assert select.count(" selected") == 1  # the empty choice: the officer picks one


def test_a_person_of_a_draft_is_not_said_to_await_a_reply(
    submitted: Application, draft: Callable[..., Application], client_as: Callable[[str], Client]
) -> None:
    client = client_as("de-officer")
    unsent = _rows(client, f"/applications/{draft().pk}/")
    assert "Not sent yet" in unsent and "Awaiting reply" not in unsent
    sent = _rows(client, f"/applications/{submitted.pk}/")
    assert "Awaiting reply" in sent and "Not sent yet" not in sent


def test_filters_are_parsed_into_plain_values() -> None:
    from django.http import QueryDict

    from readmit.readmission.filters import parse_filters

    form, filters = parse_filters(
        QueryDict("q=+Mammadov+&state=az&deadline=due_soon&due_from=2026-01-01&sort=-due")
    )
    assert form.is_valid()
    assert filters == ApplicationFilters(
        q="Mammadov", state="AZ", deadline="due_soon", due_from=dt.date(2026, 1, 1), sort="-due"
    )
    assert filters.is_filtered() and not ApplicationFilters(sort="-due").is_filtered()
    form, filters = parse_filters(QueryDict("deadline=someday&sort=sideways&q=x"))
    assert "deadline" in form.errors and "sort" in form.errors
    assert filters == ApplicationFilters(q="x")  # the bad values are dropped, not guessed


def test_a_rejected_htmx_filter_reloads_the_page_to_show_its_messages(
    client_as: Callable[[str], Client],
) -> None:
    response = client_as("az-officer").get(
        "/applications/?queue=all&due_from=soon",
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/applications/?queue=all&due_from=soon"


def test_queue_counts_stop_at_the_cap_and_say_more(
    world: World,
    draft: Callable[..., Application],
    client_as: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from readmit.readmission import selectors

    draft()
    draft()
    draft()
    client = client_as("de-officer")
    assert '<span class="count">3</span>' in _rows(client, "/")
    monkeypatch.setattr(selectors, "QUEUE_COUNT_CAP", 2)
    assert selectors.queue_counts(viewer=world.officer)["action_needed"] == 3  # cap + 1
    page = _rows(client, "/")
    assert '<span class="count">2+</span>' in page
    assert '<span class="count">3</span>' not in page


def test_the_interview_to_record_is_named_by_its_local_time(
    submitted: Application, world: World, client_as: Callable[[str], Client]
) -> None:
    # 09:00 UTC on 10 December is 10:00 in Brussels: the choice says so, in the page's format.
    az_client = client_as("az-officer")
    az = az_client.get("/").wsgi_request.user
    s.application_acknowledge(actor=az, application_id=submitted.pk)
    moment = dt.datetime(2030, 12, 10, 9, 0, tzinfo=dt.UTC)
    s.interview_request(
        actor=az,
        application_id=submitted.pk,
        person_id=submitted.persons.get().pk,
        scheduled_for=moment,
        place="Embassy",
    )
    page = _rows(az_client, f"/applications/{submitted.pk}/")
    shown = date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    assert "+00:00" not in page
    assert f"Scheduled {shown}</option>" in page, shown
