"""Search texts (names, document numbers) never reach a URL: the filter forms POST, the text
stays in the session behind a token, and the list, its pages and its export read it back."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from readmit.readmission import services as s
from readmit.readmission.models import Application
from readmit.web.search import KEEP, MAX_TEXT, SESSION_KEY

from .conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world: World, draft: Callable[..., Application]) -> Application:
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    application.refresh_from_db()
    return application


def test_a_search_by_name_leaves_the_name_out_of_every_url(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    de = client_as("de-officer")

    def search(text: str) -> tuple[str, list[str], str]:
        sent = de.post("/applications/", {"queue": "all", "q": text, "nationality": ""})
        assert sent.status_code == 302
        url = sent["Location"]
        page = de.get(url).content.decode()
        links = [part.split('"', 1)[0] for part in page.split('href="')[1:]]
        export = next(link for link in links if "export.csv" in link).replace("&amp;", "&")
        return url, links, b"".join(de.get(export).streaming_content).decode()

    url, links, exported = search("Mammadov")
    assert "Mammadov" not in url and "q=" not in url and "s=" in url and "queue=all" in url
    assert not [link for link in links if "Mammadov" in link]
    assert submitted.reference in de.get(url).content.decode()
    assert 'value="Mammadov"' in de.get(url).content.decode()  # the box shows the search
    assert submitted.reference in exported  # the export reads the same search
    _url, _links, nothing = search("Nobody-Matches")
    assert submitted.reference not in nothing


def test_a_token_the_session_does_not_hold_is_refused_never_read_as_no_search(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    de = client_as("de-officer")
    url = de.post("/applications/", {"queue": "all", "q": "Nobody"})["Location"]
    export = url.replace("/applications/", "/applications/export.csv")
    # In the searcher's session the token is the search (nothing matches "Nobody") ...
    assert submitted.reference not in de.get(url).content.decode()
    assert submitted.reference not in b"".join(de.get(export).streaming_content).decode()
    # ... in anyone else's, or once the session has dropped it, it is refused: the list or the
    # export without its search would show everyone the searcher meant to leave out.
    other = client_as("de-supervisor")
    for link in (url, export):
        refused = other.get(link)
        assert refused.status_code == 409
        assert "search again" in refused.content.decode()
        assert submitted.reference not in refused.content.decode()
    for n in range(KEEP):
        de.post("/applications/", {"queue": "all", "q": f"Other search {n}"})
    assert de.get(export).status_code == 409


def test_the_session_keeps_only_a_bounded_text_of_a_bounded_number_of_searches(
    client_as: Callable[[str], Client],
) -> None:
    de = client_as("de-officer")
    for _n in range(KEEP + 5):
        url = de.post("/applications/", {"queue": "all", "q": "x" * 100_000})["Location"]
    searches = de.session[SESSION_KEY]
    assert len(searches) == KEEP
    assert all(len(texts["q"]) == MAX_TEXT + 1 for texts in searches.values())
    page = de.get(url)  # too long for the search box: said next to it, no rows shown
    assert "at most 100 characters" in page.content.decode()


def test_htmx_filtering_swaps_the_results_and_pushes_a_url_without_the_text(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    az = client_as("az-officer")
    htmx = {"HX-Request": "true", "HX-Target": "queue-results"}
    answer = az.post("/applications/", {"queue": "all", "q": "mammadov"}, headers=htmx)
    assert answer.status_code == 204
    location = json.loads(answer["HX-Location"])
    assert "mammadov" not in location["path"] and location["target"] == "#queue-results"
    results = az.get(location["path"], headers=htmx).content.decode()
    assert submitted.reference in results and "<html" not in results


def test_the_persons_and_return_cases_searches_keep_the_name_out_of_the_url(
    world: World, client_as: Callable[[str], Client]
) -> None:
    de = client_as("de-officer")
    for path, field in (("/persons/", "q"), ("/returns/", "query")):
        url = de.post(path, {field: "Mammadov"})["Location"]
        assert url.startswith(path) and "Mammadov" not in url, url
        page = de.get(url).content.decode()
        assert world.case.reference in page or f"#{world.person.pk}" in page, path
        nobody = de.get(de.post(path, {field: "Nobody-Matches"})["Location"]).content.decode()
        assert f"#{world.person.pk}<" not in nobody and world.case.reference not in nobody
