"""Each user reads Readmit in their own language: the switch in the header, remembered for the
user and audited, applied at the next sign-in; Arabic right to left; dates as the language
writes them; names in both scripts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from readmit.accounts.models import User
from readmit.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

FRENCH_MONTHS = [
    *("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"),
    *("septembre", "octobre", "novembre", "décembre"),
]


def _switch(client: Client, language: str, next_url: str = "/") -> object:
    return client.post(reverse("accounts:language"), {"language": language, "next": next_url})


def test_the_header_offers_every_language_in_its_own_name(
    client_as: Callable[[str], Client],
) -> None:
    page = client_as("de-officer").get("/").content.decode()
    assert f'action="{reverse("accounts:language")}"' in page
    for code, native in (("en", "English"), ("fr", "français"), ("ru", "Русский")):
        assert f'value="{code}" lang="{code}"' in page
        assert native in page
    assert 'lang="ar"' in page and "العربيّة" in page


def test_switching_language_is_remembered_for_the_user_and_audited(
    client_as: Callable[[str], Client], persona: Callable[[str], User]
) -> None:
    client = client_as("de-officer")
    response = _switch(client, "fr", next_url="/agreements/")
    assert response.status_code == 302
    assert response["Location"] == "/agreements/"
    assert persona("de-officer").language == "fr"
    entry = AuditEntry.objects.filter(action="accounts.user.language_changed").latest("seq")
    assert entry.actor_username == "de-officer"
    assert entry.changes == {"language": ["", "fr"]}
    page = client.get("/agreements/")
    assert '<html lang="fr" dir="ltr">' in page.content.decode()
    assert "Registre des accords" in page.content.decode()
    assert page["Content-Language"] == "fr"


def test_the_chosen_language_follows_the_user_to_the_next_sign_in(
    client_as: Callable[[str], Client], demo_password: str
) -> None:
    _switch(client_as("de-officer"), "ru")
    # Another browser, which asks for English: the user's choice wins once signed in.
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in" in browser.get(reverse("accounts:login")).content.decode()
    signed_in = browser.post(
        reverse("accounts:login"), {"username": "de-officer", "password": demo_password}
    )
    assert signed_in.status_code == 302
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    home = browser.get("/").content.decode()
    assert '<html lang="ru" dir="ltr">' in home
    assert "Очередь задач" in home
    # After signing out, the sign-in page stays in the user's language.
    browser.post(reverse("accounts:logout"))
    assert "Войти" in browser.get(reverse("accounts:login")).content.decode()


def test_an_unknown_language_changes_nothing_and_says_so(
    client_as: Callable[[str], Client], persona: Callable[[str], User]
) -> None:
    client = client_as("de-officer")
    response = _switch(client, "xx")
    assert response.status_code == 302
    assert persona("de-officer").language == ""
    assert not AuditEntry.objects.filter(action="accounts.user.language_changed").exists()
    assert "This language is not available." in client.get("/").content.decode()


def test_the_switch_never_redirects_to_another_site(client_as: Callable[[str], Client]) -> None:
    response = _switch(client_as("de-officer"), "fr", next_url="https://evil.example/")
    assert response["Location"] == reverse("web:home")


def test_the_sign_in_page_can_be_switched_before_signing_in() -> None:
    browser = Client()
    response = _switch(browser, "fr", next_url=reverse("accounts:login"))
    assert response["Location"] == reverse("accounts:login")
    assert "Connexion à Readmit" in browser.get(reverse("accounts:login")).content.decode()
    assert not AuditEntry.objects.filter(action="accounts.user.language_changed").exists()


def test_the_switch_passes_the_two_factor_gate(
    client_as: Callable[[str], Client], persona: Callable[[str], User], settings: object
) -> None:
    """A user who has signed in but not yet entered a one-time code can still change the
    language of the code page."""
    settings.READMIT_REQUIRE_2FA = True  # type: ignore[attr-defined]
    client = client_as("de-officer")
    assert client.get("/")["Location"].startswith(reverse("accounts:two_factor"))
    response = _switch(client, "fr", next_url=reverse("accounts:two_factor_setup"))
    assert response["Location"] == reverse("accounts:two_factor_setup")
    assert persona("de-officer").language == "fr"


def test_an_arabic_page_is_right_to_left_with_arabic_text(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("az-officer")
    _switch(client, "ar")
    page = client.get("/applications/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "readmit/readmit-rtl.css" in page
    assert "طلبات إعادة القبول" in page  # "Readmission applications"
    assert "قائمة العمل" in page  # "Work queue" in the menu


def test_a_left_to_right_page_does_not_load_the_right_to_left_stylesheet(
    client_as: Callable[[str], Client],
) -> None:
    page = client_as("de-officer").get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "readmit-rtl.css" not in page


def test_a_french_page_shows_french_dates(client_as: Callable[[str], Client]) -> None:
    client = client_as("de-officer")
    _switch(client, "fr")
    page = client.get(reverse("agreements:agreement_detail", args=["EU-AZ"])).content.decode()
    signed = dt.date(2014, 2, 28)  # EU-Azerbaijan, signature (registry)
    assert f"{signed.day} {FRENCH_MONTHS[signed.month - 1]} {signed.year}" in page
    assert "2014-02-28" not in page


def test_the_english_interface_writes_dates_day_first() -> None:
    with translation.override("en"):
        rendered = Template("{{ day|date }} · {{ day|date:'SHORT_DATE_FORMAT' }}").render(
            Context({"day": dt.date(2026, 12, 6)})
        )
    assert rendered == "6 December 2026 · 06/12/2026"


def _render(text: str, **context: object) -> str:
    return Template("{% load readmit_i18n %}" + text).render(Context(context))


def test_a_name_is_shown_in_latin_and_in_its_original_script() -> None:
    person = {
        "surname_latin": "Aliyev",
        "given_names_latin": "Rashad",
        "surname_original": "Əliyev",
        "given_names_original": "Rəşad",
        "original_script": "Latn",
    }
    html = _render("{% person_name p %}", p=person)
    assert '<span class="name__latin">ALIYEV Rashad</span>' in html
    assert '<bdi class="name__original" lang="und-Latn" dir="auto">Əliyev Rəşad</bdi>' in html
    arabic = dict(
        person, surname_original="علييف", given_names_original="رشاد", original_script="arab"
    )
    assert 'lang="und-Arab" dir="auto">علييف رشاد</bdi>' in _render("{% person_name p %}", p=arabic)


def test_a_name_without_an_original_script_is_shown_once_and_escaped() -> None:
    html = _render(
        "{% person_name p %}", p={"surname_latin": "<b>Doe</b>", "given_names_latin": "Jane"}
    )
    assert (
        html
        == '<span class="name"><span class="name__latin">&lt;B&gt;DOE&lt;/B&gt; Jane</span></span>'
    )
    assert _render("{{ s|script_lang }}", s="not a script") == ""


def test_a_partial_date_of_birth_is_written_at_its_precision_in_the_language() -> None:
    with translation.override("fr"):
        assert _render("{% partial_date d %}", d={"year": 1987, "month": 3, "day": 14}) == (
            "14 mars 1987"
        )
        assert _render("{% partial_date d %}", d={"year": 1987, "month": 3, "day": None}) == (
            "mars 1987"
        )
        assert _render("{% partial_date d %}", d={"year": 1987, "month": None, "day": None}) == (
            "1987"
        )
    with translation.override("ru"):
        assert _render("{% partial_date d %}", d={"year": 1987, "month": 3, "day": 14}) == (
            "14 марта 1987 г."  # noqa: RUF001 - the Cyrillic abbreviation of "year"
        )


def test_the_stylesheet_lays_out_with_logical_properties_so_arabic_mirrors() -> None:
    """Right-to-left pages mirror because readmit.css says start and end, never left and right;
    what cannot be said that way belongs in readmit-rtl.css."""
    import re
    from pathlib import Path

    import readmit

    css = (Path(readmit.__file__).parent / "web/static/readmit/readmit.css").read_text()
    physical = re.compile(
        r"(?<![\w-])(margin-left|margin-right|padding-left|padding-right|border-left|border-right"
        r"|left|right)\s*:|text-align:\s*(left|right)|float:\s*(left|right)"
    )
    found = [m.group(0) for m in physical.finditer(css)]
    assert not found, found
