"""Shared fixtures: the reference data and the demo personas, loaded once per test database."""

from __future__ import annotations

from collections.abc import Callable, Generator

import pytest
from django.test import Client

from readmit.accounts.models import Authority, User
from readmit.accounts.reference import states_load
from readmit.agreements.services import agreements_load
from readmit.demo.world import DEMO_PASSWORD, demo_world_load
from readmit.returns.policy import policy_load


def load_reference_data() -> None:
    states_load()
    demo_world_load()
    agreements_load()
    policy_load()


def pytest_configure(config: pytest.Config) -> None:
    """Build the translation .mo files from the .po catalogues when they are missing or older
    (once, in the controlling process: the test workers only read them)."""
    if not hasattr(config, "workerinput"):
        from readmit.core.translations import compile_stale

        compile_stale()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    """A test with real transactions (concurrency, live server) ends by emptying the database;
    load the reference data and the demo world again for the tests that follow."""
    yield
    if nextitem is None:
        return  # the session is over and the test database is gone
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional or {"transactional_db", "live_server"} & set(
        getattr(item, "fixturenames", ())
    ):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()


@pytest.fixture(autouse=True)
def _english_by_default() -> Generator[None, None, None]:
    """Each test starts in the default language: a request as a user who chose French leaves
    French active in the thread (as Django's LocaleMiddleware does), which must not decide the
    language of the next test's messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def persona(db: None) -> Callable[[str], User]:
    """A demo persona by user name, e.g. persona("de-officer")."""

    def get(username: str) -> User:
        return User.objects.select_related("authority").get(username=username)

    return get


@pytest.fixture
def authority(db: None) -> Callable[[str], Authority]:
    def get(code: str) -> Authority:
        return Authority.objects.get(code=code)

    return get


@pytest.fixture
def client_as(persona: Callable[[str], User]) -> Callable[[str], Client]:
    """A web client signed in as the persona (two-factor relaxed, as in the demo)."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(persona(username))
        return client

    return make
