"""A reply period that reaches past the requested state's holiday data (Sri Lanka's, for
example, ends with 2026 in the pinned `holidays`): the application still goes, and its due date
is unknown with the rule shown, never guessed and never a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from readmit.accounts.models import User
from readmit.core.calendar import UnknownCountryCalendar
from readmit.readmission import services as s
from readmit.readmission.models import ApplicationStatus

from .conftest import World
from .walk import start

pytestmark = pytest.mark.django_db


def _no_calendar(**kwargs: Any) -> None:
    raise UnknownCountryCalendar("No working-day calendar is available for that year.")


def test_a_period_past_the_holiday_data_is_unknown_not_a_refusal(
    world: World,
    persona: Callable[[str], User],
    client_as: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walk = start(world, persona, state="AZ")
    monkeypatch.setattr(s, "period_deadline", _no_calendar)

    application = s.application_submit(actor=world.officer, application_id=walk.application.pk)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reply_due is None
    assert application.reply_due_amount  # the rule is known ...
    assert application.reply_due_source  # ... with its source
    page = client_as("az-officer").get(
        reverse("readmission:application_detail", args=[application.pk])
    )
    html = page.content.decode()
    assert 'data-testid="deadline-unknown"' in html
    assert application.reply_due_source[:40] in html


def test_an_acceptance_past_the_holiday_data_is_recorded_with_its_due_dates_unknown(
    world: World, persona: Callable[[str], User], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sri Lanka's case today: a 3-month transfer period from an acceptance in December runs
    # into a year the holiday data does not hold. The acceptance is not refused for it.
    walk = start(world, persona, state="AZ").take("submit")
    monkeypatch.setattr(s, "period_deadline", _no_calendar)
    walk.take("accept")
    person = walk.application.persons.get(role="principal")
    assert person.status == "accepted"
    assert person.td_due is None and person.transfer_due is None
    summary = walk.application.events.get(action="accepted").summary
    assert "Travel document due date unknown" in summary
    assert "Transfer due date unknown" in summary
