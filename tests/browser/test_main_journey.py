"""The main journey in a real browser: Germany asks Azerbaijan to readmit a national.

A German return-authority officer registers the person and the return case, drafts the
application with a scanned passport and submits it; the Azerbaijani central authority
acknowledges, interviews and accepts; the consular section issues a travel document; the
transfer is notified, confirmed, carried out and the handover confirmed. Both sides' timelines
show every step. Each page is checked with axe-core and photographed into var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from .conftest import Journey, open_section, select_option_starting, timeline

pytestmark = pytest.mark.django_db(transaction=True)

# A one-page PDF, made here rather than checked in: the upload is checked by content.
SCANNED_PASSPORT = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def done(page: Page, message: str) -> None:
    """The page confirms what was just done (the status message after a redirect)."""
    expect(page.get_by_role("status")).to_contain_text(message)


def test_germany_and_azerbaijan_take_a_case_from_registration_to_handover(
    journey: Journey, screenshots: Path
) -> None:
    journey.screenshots = screenshots
    today = timezone.localdate()
    de = journey.as_user("de-officer")

    # The German officer registers the person ...
    de.get_by_role("link", name="Return cases").click()
    journey.check(de, "de return cases")
    de.get_by_role("link", name="Register a person").click()
    journey.check(de, "de register a person")
    de.get_by_label("Surname (Latin script)").fill("Huseynov")
    de.get_by_label("Given names (Latin script)").fill("Rashad")
    de.get_by_label("Surname (original script)").fill("Hüseynov")
    de.get_by_label("Given names (original script)").fill("Rəşad")
    de.get_by_label("Sex").select_option(label="male")
    de.get_by_label("Year of birth").fill("1988")
    expect(de.get_by_label("Month of birth")).to_have_accessible_description(
        "Leave empty if not known."
    )
    de.get_by_label("Place of birth").fill("Sumqayit")
    de.get_by_role("button", name="Register the person").click()
    done(de, "Person registered")
    expect(de.get_by_role("heading", level=1)).to_contain_text("Huseynov, Rashad")
    journey.check(de, "de person registered")

    de.get_by_label("State", exact=True).select_option(label="Azerbaijan")
    de.get_by_label("Status", exact=True).select_option(label="claimed")
    de.get_by_role("button", name="Save the nationality").click()
    journey.check(de, "de nationality added")
    de.get_by_label("Kind of document").select_option(label="passport")
    de.get_by_label("Number", exact=True).fill("C07654321")
    de.get_by_label("Issuing state").select_option(label="Azerbaijan")
    de.get_by_label("Expiry date").fill((today + dt.timedelta(days=900)).isoformat())
    de.get_by_role("button", name="Add the document").click()
    expect(de.get_by_text("C07654321").first).to_be_visible()
    journey.check(de, "de passport added")

    # ... opens the return case and records the return decision ...
    de.get_by_role("link", name="Open a return case").click()
    journey.check(de, "de open a return case")
    de.get_by_role("button", name="Open the return case").click()
    done(de, "opened")
    journey.check(de, "de return case opened")
    decision = open_section(de, "Record the return decision")
    decision.get_by_label("Issuing authority").fill("Landesamt für Einwanderung Berlin")
    decision.get_by_label("Decision date").fill((today - dt.timedelta(days=30)).isoformat())
    decision.get_by_label("Notified to the person on").fill(
        (today - dt.timedelta(days=29)).isoformat()
    )
    select_option_starting(decision.get_by_label("No period granted because of"), "Risk of")
    decision.get_by_label("Details of the refusal").fill("Absconded twice from reception.")
    decision.get_by_role("button", name="Record the return decision").click()
    done(de, "Return decision recorded")
    expect(de.get_by_role("region", name="Safeguard stops")).to_contain_text("No safeguard stop")
    journey.check(de, "de return decision recorded")

    # ... drafts the application to Azerbaijan, adds the scanned passport and submits.
    de.get_by_role("link", name="Draft a readmission application").click()
    journey.check(de, "de draft an application")
    de.get_by_label("Kind of application").select_option(label="Readmission of own nationals")
    de.get_by_label("Requested state").select_option(label="Azerbaijan")
    de.get_by_label("Observations").fill("Holds an expired passport; interview welcome.")
    de.get_by_role("button", name="Create the draft").click()
    done(de, "EU-AZ")
    application_url = de.url
    journey.check(de, "de draft created")
    de.get_by_role("link", name="Add evidence").click()
    journey.check(de, "de add evidence")
    select_option_starting(de.get_by_label("Means of evidence"), "Passports of any kind")
    de.get_by_label("Document number").fill("C07654321")
    de.get_by_label("File (PDF").set_input_files(
        files=[{"name": "passport.pdf", "mimeType": "application/pdf", "buffer": SCANNED_PASSPORT}]
    )
    de.get_by_role("button", name="Add the evidence").click()
    evidence = de.get_by_role("table", name="Evidence")
    expect(evidence).to_contain_text("C07654321")
    expect(evidence.get_by_role("link", name="Open")).to_be_visible()
    journey.check(de, "de evidence added")
    de.get_by_role("button", name="Submit the application").click()
    done(de, "Submit")
    expect(de.get_by_role("region", name="Deadline")).to_contain_text(re.compile(r"days? left"))
    journey.check(de, "de application submitted")

    # The Azerbaijani central authority finds it in its queue, acknowledges and interviews.
    az = journey.as_user("az-officer")
    az.get_by_role("link", name="Applications").click()
    journey.check(az, "az applications queue")
    reference = de.get_by_role("heading", level=1).inner_text().split()[-1]
    # Searching by name swaps in the results (htmx) and the address never holds the name.
    az.get_by_role("searchbox").fill("Huseynov")
    az.get_by_role("button", name="Apply").click()
    expect(az).to_have_url(re.compile(r"[?&]s="))
    assert "Huseynov" not in az.url
    az.get_by_role("link", name=reference).click()
    expect(az.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(az.get_by_text("Huseynov, Rashad").first).to_be_visible()
    journey.check(az, "az application received")
    az.get_by_role("button", name="Acknowledge receipt").click()
    done(az, "Acknowledge receipt")
    journey.check(az, "az receipt acknowledged")
    interview = az.get_by_role("region", name="Request or schedule an interview")
    # Tomorrow morning: an interview is booked in the future, whatever the hour the suite runs.
    booked = (today + dt.timedelta(days=1)).isoformat()
    interview.get_by_label("Date and time").fill(f"{booked}T10:00")
    interview.get_by_label("Place").fill("Embassy of Azerbaijan, Berlin")
    interview.get_by_role("button", name="Request or schedule an interview").click()
    done(az, "interview")
    journey.check(az, "az interview scheduled")
    result = az.get_by_role("region", name="Record an interview's result")
    result.get_by_label("Held on").fill(today.isoformat())
    result.get_by_label("Result").select_option(label="Nationality confirmed")
    result.get_by_label("Notes").fill("Speaks Azerbaijani; knows his home district.")
    result.get_by_role("button", name="Record an interview's result").click()
    done(az, "interview")
    journey.check(az, "az interview recorded")
    reply = az.get_by_role("region", name="Reply for a person")
    reply.get_by_label("Accept").check()
    reply.get_by_role("button", name="Reply for a person").click()
    done(az, "Reply")
    expect(az.get_by_text("Accepted", exact=True).first).to_be_visible()
    journey.check(az, "az accepted")

    # The consular section issues the travel document.
    consul = journey.as_user("az-consul")
    consul.goto(application_url)
    journey.check(consul, "consul application")
    issue = consul.get_by_role("region", name="Issue the travel document")
    issue.get_by_label("Kind").select_option(label="Emergency travel document / laissez-passer")
    issue.get_by_label("Number").fill("LP-0001")
    issue.get_by_label("Issued on").fill(today.isoformat())
    issue.get_by_label("Valid until").fill((today + dt.timedelta(days=60)).isoformat())
    issue.get_by_role("button", name="Issue the travel document").click()
    done(consul, "travel document")
    journey.check(consul, "consul travel document issued")

    # Germany notifies the transfer, Azerbaijan confirms, the handover is confirmed.
    de.reload()
    journey.check(de, "de travel document received")
    notice = de.get_by_role("region", name="Notify the transfer")
    notice.get_by_role("group", name="Persons").get_by_label("Huseynov, Rashad").check()
    planned = (today + dt.timedelta(days=10)).isoformat()
    notice.get_by_label("Date and time of the transfer").fill(f"{planned}T09:30")
    notice.get_by_label("Border crossing point").fill("Baku Heydar Aliyev airport")
    notice.get_by_label("Flight").fill("J2 8012")
    notice.get_by_role("button", name="Notify the transfer").click()
    done(de, "transfer")
    journey.check(de, "de transfer notified")
    for page, side, button in (
        (az, "az", "Confirm the transfer"),
        (de, "de", "Record the transfer as carried out"),
        (az, "az", "Confirm the handover"),
    ):
        page.reload()
        journey.check(page, f"{side} before {button}")
        page.get_by_role("button", name=button).click()
        done(page, button)
        journey.check(page, f"{side} done {button}")
    expect(az.get_by_text("Handover confirmed").first).to_be_visible()

    # Both timelines tell the whole story, each side's steps with who took them.
    de.reload()
    journey.check(de, "de final application")
    shared_steps = [
        "Application submitted",
        "Receipt acknowledged",
        "Interview scheduled",
        "Interview held",
        "Accepted",
        "Travel document issued",
        "Transfer notified",
        "Transfer confirmed",
        "Transfer carried out",
        "Handover confirmed",
    ]
    for page, side in ((de, "Germany"), (az, "Azerbaijan")):
        story = timeline(page)
        for step in shared_steps:
            expect(story, f"{side}'s timeline").to_contain_text(step)
        for actor in ("de-officer", "az-officer", "az-consul"):
            expect(story, f"{side}'s timeline").to_contain_text(actor)
    expect(timeline(de)).to_contain_text("Application drafted")
    expect(timeline(az)).not_to_contain_text("Application drafted")

    journey.assert_pages_are_accessible()
    pictures = sorted(p.name for p in screenshots.glob("*.png"))
    assert len(pictures) == len(journey.checks)
    assert pictures[0] == "01-sign-in.png" and pictures[-1].endswith("-de-final-application.png")
