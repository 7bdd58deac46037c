"""In a real browser: a refusal with a coded reason and written reasons, and a safeguard stop
overridden by a supervisor with a written reason. Every page is checked with axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from readmit.readmission.models import Application

from .conftest import Journey, World, open_section

pytestmark = pytest.mark.django_db(transaction=True)


def test_azerbaijan_refuses_a_person_with_a_coded_reason_and_written_reasons(
    submitted: Application, journey: Journey
) -> None:
    az = journey.as_user("az-officer")
    az.get_by_role("link", name="Applications").click()
    journey.check(az, "az applications queue")
    az.get_by_role("link", name=submitted.reference).click()
    journey.check(az, "az application")

    # A refusal without written reasons is sent back, with what was chosen kept.
    reply = az.get_by_role("region", name="Reply for a person")
    reply.get_by_label("Person").select_option(label="Mammadova, Aysel (Spouse)")
    reply.get_by_label("Refuse").check()
    reply.get_by_label("Reason for a refusal").select_option(
        label="Not a national of the requested state"
    )
    reply.get_by_role("button", name="Reply for a person").click()
    reply = az.get_by_role("region", name="Reply for a person")
    expect(reply.get_by_role("alert")).to_contain_text("Explain the refusal in writing")
    expect(reply.get_by_label("Refuse")).to_be_checked()
    expect(reply.get_by_label("Reason for a refusal")).to_have_value("not_a_national")
    # The message is read out with the field, and the summary's link leads to it.
    written = reply.get_by_label("Written reasons")
    expect(written).to_have_accessible_description(re.compile("Explain the refusal in writing"))
    reply.get_by_role("alert").get_by_role("link").first.click()
    expect(written).to_be_focused()
    journey.check(az, "az refusal without reasons")

    reasons = "The spouse holds the nationality of Georgia; our registers have no record of her."
    reply.get_by_label("Written reasons").fill(reasons)
    reply.get_by_role("button", name="Reply for a person").click()
    expect(az.get_by_role("status")).to_contain_text("Reply")
    spouse = az.get_by_role("region", name="Spouse")
    expect(spouse).to_contain_text("Refused")
    journey.check(az, "az refused")

    de = journey.as_user("de-officer")
    de.goto(journey.url(f"/applications/{submitted.pk}/"))
    spouse = de.get_by_role("region", name="Spouse")
    expect(spouse).to_contain_text("Refused")
    expect(spouse).to_contain_text("Not a national of the requested state")
    expect(spouse).to_contain_text(reasons)
    expect(de.get_by_role("region", name="Principal")).to_contain_text("Awaiting reply")
    journey.check(de, "de sees the refusal")
    journey.assert_pages_are_accessible()


def test_a_pending_asylum_application_stops_submission_until_a_supervisor_overrides_it(
    world: World, journey: Journey
) -> None:
    today = timezone.localdate()
    de = journey.as_user("de-officer")
    de.get_by_role("link", name="Return cases").click()
    journey.check(de, "de return cases")
    de.get_by_role("link", name=world.case.reference).click()
    journey.check(de, "de return case")
    asylum = open_section(de, "Add an asylum application")
    asylum.get_by_label("Lodged on").fill((today - dt.timedelta(days=3)).isoformat())
    asylum.get_by_role("button", name="Add an asylum application").click()
    stops = de.get_by_role("region", name="Safeguard stops")
    expect(stops).to_contain_text("An asylum application is pending")
    expect(stops).to_contain_text("Record the decision on the asylum application")
    expect(stops.get_by_text("Override a stop")).to_have_count(0)  # officers cannot override
    journey.check(de, "de safeguard stop shown")

    de.get_by_role("link", name="Draft a readmission application").click()
    journey.check(de, "de draft an application")
    de.get_by_label("Kind of application").select_option(label="Readmission of own nationals")
    de.get_by_label("Requested state").select_option(label="Azerbaijan")
    de.get_by_role("button", name="Create the draft").click()
    expect(de.get_by_role("status")).to_contain_text("Draft")
    application_url = de.url
    journey.check(de, "de draft created")
    de.get_by_role("button", name="Submit the application").click()
    expect(de.get_by_role("alert")).to_contain_text("An asylum application is pending")
    expect(de.get_by_text("Draft", exact=True).first).to_be_visible()
    journey.check(de, "de submission stopped")

    supervisor = journey.as_user("de-supervisor")
    supervisor.goto(journey.url(f"/returns/{world.case.pk}/"))
    journey.check(supervisor, "supervisor return case")
    override = open_section(supervisor, "Override a stop (supervisors)")
    override.get_by_label("Safeguard stop").select_option(label="Asylum application pending")
    reason = (
        "The asylum application is a repeat application without new elements; the Federal "
        "Office confirmed in writing that removal may proceed."
    )
    override.get_by_label("Reason").fill(reason)
    override.get_by_role("button", name="Override a stop (supervisors)").click()
    stops = supervisor.get_by_role("region", name="Safeguard stops")
    expect(stops).to_contain_text(reason)
    journey.check(supervisor, "supervisor override recorded")

    de.goto(application_url)
    journey.check(de, "de application after override")
    de.get_by_role("button", name="Submit the application").click()
    expect(de.get_by_role("status")).to_contain_text("Submit")
    expect(de.get_by_text("Submitted", exact=True).first).to_be_visible()
    journey.check(de, "de submitted after override")
    journey.assert_pages_are_accessible()


def test_the_accessibility_check_reports_a_violation_readably(journey: Journey) -> None:
    """The checker itself can fail: an unlabelled field and an image without text."""
    page = journey.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>Form</h1>'
        '<input type="text"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></html>'
    )
    journey.check(page, "broken page")
    with pytest.raises(AssertionError) as failure:
        journey.assert_pages_are_accessible()
    message = str(failure.value)
    assert "broken page" in message
    assert "label [critical]" in message and "image-alt [critical]" in message
    assert "<input" in message
