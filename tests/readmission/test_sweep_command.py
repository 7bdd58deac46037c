from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import time_machine
from django.core.management import CommandError, call_command

from readmit.readmission import services as s
from readmit.readmission.models import Application
from readmit.readmission.tasks import run_deadline_sweep

from .conftest import World

pytestmark = pytest.mark.django_db


def test_the_sweep_runs_from_the_command_line_and_from_the_worker(
    world: World, draft: Callable[..., Application], capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel("2026-03-02 10:00:00+01:00", tick=False):
        application = draft(requested_state="RS")
        s.application_submit(actor=world.officer, application_id=application.pk)
    call_command("deadlines", "sweep", "--date", "2026-03-20")
    report = json.loads(capsys.readouterr().out)
    assert report["swept_for"] == "2026-03-20" and report["tacitly_accepted"] == 1
    with time_machine.travel("2026-03-21 10:00:00+01:00", tick=False):
        assert run_deadline_sweep.call()["tacitly_accepted"] == 0


def test_the_sweep_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="--date"):
        call_command("deadlines", "sweep", "--date", "20-03-2026")
    with pytest.raises(CommandError, match="--agreement"):
        call_command("deadlines")
