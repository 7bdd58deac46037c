"""Every list page costs the same number of queries with 10 rows as with 100 (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .conftest import BulkMaker

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    ("de-officer", "/?queue=waiting"),
    ("de-officer", "/applications/?queue=all"),
    ("de-officer", "/applications/?queue=all&q=bulk&sort=-received"),
    ("az-officer", "/applications/?queue=action_needed"),
    ("az-officer", "/applications/?queue=overdue&nationality=AZ"),
    ("de-officer", "/returns/"),
    ("de-officer", "/persons/"),
    ("de-officer", "/notifications/"),
]


def _count(client: Client, url: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries.captured_queries], response.content.decode()


@pytest.mark.parametrize(("username", "url"), LIST_PAGES)
def test_a_list_page_costs_the_same_with_10_and_100_rows(
    username: str, url: str, many_applications: BulkMaker, client_as: Callable[[str], Client]
) -> None:
    client = client_as(username)
    many_applications(10)
    client.get(url)  # warm the session and the caches of the first request
    with_10, page_10 = _count(client, url)
    many_applications(90)
    with_100, page_100 = _count(client, url)
    row = 'class="notification' if "notifications" in url else "<tr"
    assert page_10.count(row) < page_100.count(row), "the second page should show more rows"
    assert len(with_10) == len(with_100), "\n".join(
        [f"{url}: {len(with_10)} queries with 10 rows, {len(with_100)} with 100:"]
        + [sql[:200] for sql in with_100]
    )
