"""Shared fixtures: the reference data and the demo personas, loaded once per test database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from readmit.accounts.models import Authority, User
from readmit.accounts.reference import states_load
from readmit.demo.world import DEMO_PASSWORD, demo_world_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        states_load()
        demo_world_load()


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
