"""Search texts (names, document numbers) never reach a URL: the filter forms POST, the text
stays in the session behind a token, and the list, its pages and its export read it back."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from readmit.readmission import services as s
from readmit.readmission.models import Application

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


def test_the_token_reads_as_no_search_for_another_user(
    submitted: Application, client_as: Callable[[str], Client]
) -> None:
    de = client_as("de-officer")
    url = de.post("/applications/", {"queue": "all", "q": "Nobody"})["Location"]
    # In the searcher's session the token is the search (nothing matches "Nobody") ...
    assert submitted.reference not in de.get(url).content.decode()
    # ... and in anyone else's it is nothing: the text is not in the link to be shared.
    assert submitted.reference in client_as("de-supervisor").get(url).content.decode()


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
