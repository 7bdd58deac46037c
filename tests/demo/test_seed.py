"""`readmit seed`: synthetic applications in every status, consistent with the workflow, visible
to the right authorities only, never in production."""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from readmit.accounts.models import User
from readmit.demo.seed import seed
from readmit.persons.models import Person
from readmit.persons.services import _search_text
from readmit.persons.sharing import shareable_particulars
from readmit.readmission.filters import person_search_fields
from readmit.readmission.models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationPerson,
    ApplicationStatus,
    PersonStatus,
    Transfer,
    TravelDocument,
)
from readmit.readmission.selectors import application_view, work_queue
from readmit.readmission.sweep import deadline_sweep
from readmit.returns.models import ReturnCase

N = 1200


@pytest.fixture
def seeded(db: None) -> None:
    seed(N, batch=500)


def test_every_status_appears_with_what_it_implies(seeded: None) -> None:
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)
    person_statuses = set(ApplicationPerson.objects.values_list("status", flat=True))
    assert person_statuses >= set(PersonStatus.values) - {PersonStatus.READMISSION_IN_ERROR}
    assert Application.objects.count() == N
    # Every sent application has its receipt and a timeline; drafts were never sent.
    assert not Application.objects.filter(status="draft", submitted_at__isnull=False).exists()
    assert not Application.objects.exclude(status="draft").filter(received_on__isnull=True).exists()
    assert not Application.objects.annotate(n=Count("events")).filter(n=0).exists()
    # Replies, travel documents and transfers exist where the status says so.
    accepted = ApplicationPerson.objects.filter(status=PersonStatus.ACCEPTED)
    assert not accepted.filter(accepted_on__isnull=True).exists()
    refused = ApplicationPerson.objects.filter(status=PersonStatus.REFUSED)
    assert not refused.filter(refusal_reason="").exists()
    for status in (PersonStatus.TD_ISSUED, PersonStatus.TRANSFER_CONFIRMED):
        assert not ApplicationPerson.objects.filter(status=status, travel_documents=None).exists()
    assert not ApplicationPerson.objects.filter(
        status=PersonStatus.TRANSFER_CONFIRMED, transfers__status=Transfer.Status.NOTIFIED
    ).exists()
    assert not TravelDocument.objects.filter(
        status=TravelDocument.Status.ISSUED, valid_until__lt=timezone.localdate()
    ).exists()
    # Closed applications have only finished persons; open ones only pending persons.
    assert (
        not ApplicationPerson.objects.filter(application__status="closed")
        .exclude(status__in=["closed", "refused", "withdrawn"])
        .exists()
    )
    assert (
        not ApplicationPerson.objects.filter(application__status__in=OPEN_STATUSES)
        .exclude(status="pending")
        .exists()
    )


def test_deadlines_come_from_the_engine_and_the_sweep_finds_only_todays_work(
    seeded: None,
) -> None:
    today = timezone.localdate()
    open_with_due = Application.objects.filter(status__in=OPEN_STATUSES, reply_due__isnull=False)
    assert open_with_due.exists()
    assert not open_with_due.filter(reply_due_source="").exists()
    # Whatever was due before yesterday has been dealt with as the sweep would have.
    late = open_with_due.filter(reply_due__lt=today - timezone.timedelta(days=1))
    assert not late.filter(overdue_since__isnull=True).exists()
    tacit = ApplicationEvent.objects.filter(action="tacitly_accepted")
    assert tacit.exists()
    deadline_sweep()
    second = deadline_sweep()
    assert second.as_dict() == dict.fromkeys(second.as_dict(), 0)


def test_people_have_names_in_their_scripts_and_the_real_snapshot(seeded: None) -> None:
    scripts = set(Person.objects.values_list("original_script", flat=True))
    assert {"Latn", "Cyrl", "Geor", "Arab", "Armn"} <= scripts
    georgian = Person.objects.filter(original_script="Geor").first()
    assert georgian is not None and re.search("[\u10d0-\u10ff]", georgian.surname_original)
    assert re.fullmatch("[A-Za-z -]+", georgian.surname_latin)
    urdu = Person.objects.filter(original_script="Arab").first()
    assert urdu is not None and re.search("[\u0600-\u06ff]", urdu.surname_original)
    for member in ApplicationPerson.objects.select_related("person")[:50]:
        person = member.person
        assert member.particulars == shareable_particulars(person)
        assert (member.search_text, member.nationality_codes) == person_search_fields(
            member.particulars
        )
        assert person.search_text == _search_text(person)
    # The nationality mix follows the Eurostat data: Serbia, the largest, is the most frequent.
    top = (
        Application.objects.values("requested_state").annotate(n=Count("id")).order_by("-n").first()
    )
    assert top is not None and top["requested_state"] in {"RS", "AL", "RU"}


def test_seeded_applications_are_visible_to_the_right_authorities_only(
    seeded: None, persona: Callable[[str], User]
) -> None:
    de, az, consul, nl = (
        persona(u) for u in ("de-officer", "az-officer", "az-consul", "nl-officer")
    )
    mine = Application.objects.visible_to(de)
    assert mine.exists()
    assert set(mine.values_list("requesting_authority__code", flat=True)) == {"de-lea-berlin"}
    received = Application.objects.visible_to(az)
    assert received.exists()
    assert set(received.values_list("requested_state", flat=True)) == {"AZ"}
    assert not received.filter(status="draft").exists()
    assert set(Application.objects.visible_to(consul).values_list("requesting_authority__state", flat=True)) == {"DE"}  # fmt: skip
    assert not Application.objects.visible_to(nl).filter(requesting_authority__code="de-lea-berlin").exists()  # fmt: skip
    page = work_queue(viewer=az, queue="action_needed")
    assert page and {a.requested_state_id for a in page} == {"AZ"}
    # The requested state reads the shared zone of a seeded application.
    view = application_view(viewer=az, application_id=page[0].pk)
    assert view.side == "requested" and view.data["persons"]


def test_copies_keep_every_link_and_get_their_own_references(db: None) -> None:
    report = seed(300, distinct=100, batch=100)
    assert report.applications == Application.objects.count() == 300
    references = list(Application.objects.values_list("reference", flat=True))
    assert len(set(references)) == 300
    assert Application.objects.values("public_id").distinct().count() == 300
    assert len(set(ReturnCase.objects.values_list("reference", flat=True))) == 300
    for application in Application.objects.select_related("return_case")[::37]:
        principal = application.persons.get(role="principal")
        assert application.return_case is not None
        assert application.return_case.person_id == principal.person_id
        assert application.events.exists()
        assert application.reference.endswith(f"{application.pk:08d}")


def test_the_seed_is_never_run_in_production(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG"}
    }
    env.update(
        READMIT_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        READMIT_ENV="production",
        ALLOWED_HOSTS="x.example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
    )
    run = [sys.executable, "-c", "from readmit.cli import main; main()"]
    assert (
        subprocess.run([*run, "migrate", "-v0"], env=env, timeout=120, check=False).returncode == 0
    )
    result = subprocess.run(
        [*run, "seed", "--applications", "5"], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "never generated in production" in result.stderr
    count = subprocess.run(
        [*run, "shell", "-c", "from readmit.readmission.models import Application; print(Application.objects.count())"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert count.stdout.strip().splitlines()[-1] == "0"


def test_the_command_reports_what_it_made(db: None) -> None:
    out = io.StringIO()
    call_command("seed", "--applications", "40", "--authority", "nl-dtv", stdout=out)
    text = out.getvalue()
    assert "40 applications" in text and "Scripts:" in text
    assert set(Application.objects.values_list("requesting_authority__code", flat=True)) == {
        "nl-dtv"
    }
