"""In a real browser: an officer switches the interface to Arabic and works right to left.

The Arabic labels are looked up through Django's translation machinery (the catalogue the
interface itself uses), so the test follows the catalogue's wording; what it asserts is what
the officer notices: Arabic script on the page, the layout turned right to left, the names
still in Latin script, and the choice kept at the next sign-in.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from readmit.demo.world import DEMO_PASSWORD
from readmit.readmission.models import Application

from .conftest import Journey

pytestmark = pytest.mark.django_db(transaction=True)

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def arabic(text: str) -> str:
    with translation.override("ar"):
        translated = translation.gettext(text)
    assert ARABIC_SCRIPT.search(translated), f"{text!r} has no Arabic translation"
    return translated


def expect_right_to_left_arabic(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text(ARABIC_SCRIPT)


def test_an_officer_works_in_arabic_right_to_left(submitted: Application, journey: Journey) -> None:
    az = journey.as_user("az-officer")
    expect(az.locator("html")).to_have_attribute("dir", "ltr")
    az.get_by_label("Language").select_option("ar")
    az.get_by_role("button", name="Change language").click()
    expect_right_to_left_arabic(az)
    expect(az.get_by_role("navigation").first).to_contain_text(arabic("Applications"))
    journey.check(az, "ar work queue")

    az.get_by_role("link", name=arabic("Applications"), exact=True).click()
    expect_right_to_left_arabic(az)
    journey.check(az, "ar applications")
    az.get_by_role("link", name=submitted.reference).click()
    expect_right_to_left_arabic(az)
    expect(az.get_by_text("Mammadov, Elchin").first).to_be_visible()  # names stay in Latin
    journey.check(az, "ar application")
    az.get_by_role("button", name=arabic("Acknowledge receipt")).click()
    expect(az.get_by_role("status")).to_have_text(ARABIC_SCRIPT)
    expect_right_to_left_arabic(az)
    journey.check(az, "ar receipt acknowledged")

    # The language belongs to the user: a new session opens in Arabic after signing in.
    again = journey.new_page()
    again.goto(journey.url("/accounts/login/"))
    journey.check(again, "sign-in in a new browser")
    again.get_by_label("Username").fill("az-officer")
    again.get_by_label("Password").fill(DEMO_PASSWORD)
    again.get_by_role("button", name="Sign in").click()
    expect_right_to_left_arabic(again)
    journey.check(again, "ar after signing in again")
    journey.assert_pages_are_accessible()
