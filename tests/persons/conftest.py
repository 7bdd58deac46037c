"""Fixtures for the person tests: uploaded files go to a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from readmit.accounts.models import User
from readmit.persons.models import Person
from readmit.persons.services import person_create


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_person(persona: Callable[[str], User]) -> Callable[..., Person]:
    """A person registered by de-lea-berlin (or by the given officer), with valid defaults."""

    def make(actor: str = "de-officer", **particulars: Any) -> Person:
        values: dict[str, Any] = {
            "surname_latin": "Mammadov",
            "given_names_latin": "Elchin",
            "sex": "M",
            "birth_year": 1990,
        }
        values.update(particulars)
        return person_create(actor=persona(actor), **values)

    return make
