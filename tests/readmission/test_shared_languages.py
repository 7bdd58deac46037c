"""What one state writes, the other reads in its own language: notifications are written in
each recipient's language, and every step of the shared timeline is kept in every language."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.utils import translation

from readmit.accounts.models import User
from readmit.notifications.models import Notification
from readmit.readmission import services as s
from readmit.readmission.models import Application
from readmit.readmission.selectors import application_view

from .conftest import World

pytestmark = pytest.mark.django_db


def _submitted_in_french(world: World, draft: Callable[..., Application]) -> Application:
    with translation.override("fr"):  # the German officer works in French
        application = draft()
        s.evidence_add(
            actor=world.officer,
            application_id=application.pk,
            person_id=application.persons.get(role="principal").pk,
            evidence_code="passport",
            document_number="C01234567",
            expires_on=dt.date(2025, 3, 1),
            upload=io.BytesIO(b"%PDF-1.4\n" + b"0" * 100),
            file_name="passport.pdf",
        )
        s.application_submit(actor=world.officer, application_id=application.pk)
    return application


def test_each_recipient_reads_a_notification_in_their_own_language(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    az_officer, az_supervisor = persona("az-officer"), persona("az-supervisor")
    User.objects.filter(pk=az_officer.pk).update(language="ru")
    User.objects.filter(pk=az_supervisor.pk).update(language="ar")
    application = _submitted_in_french(world, draft)
    ref = application.reference
    titles = dict(
        Notification.objects.filter(action="readmission.application.submitted").values_list(
            "recipient__username", "title"
        )
    )
    assert titles["az-officer"] == f"Новое ходатайство о реадмиссии {ref}"  # noqa: RUF001
    assert titles["az-supervisor"] == f"طلب إعادة قبول جديد {ref}"
    assert titles["az-consul"] == f"New readmission application {ref}"  # no choice: the default


def test_the_shared_timeline_is_read_in_the_readers_language(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = _submitted_in_french(world, draft)
    az_officer = persona("az-officer")

    def steps(language: str, viewer: User) -> list[str]:
        with translation.override(language):
            view = application_view(viewer=viewer, application_id=application.pk)
            return [e["summary"] for e in view.data["events"]]

    assert any(step.startswith("Ходатайство направлено") for step in steps("ru", az_officer))
    assert any(step.startswith("تم تقديم الطلب إلى") for step in steps("ar", az_officer))
    assert any(step.startswith("Application submitted to") for step in steps("en", world.officer))
    assert any(step.startswith("Demande soumise à") for step in steps("fr", world.officer))


def test_a_refused_step_is_explained_with_the_interface_names_in_the_users_language() -> None:
    from readmit.core.errors import IllegalTransition
    from readmit.readmission import workflow

    with translation.override("fr"), pytest.raises(IllegalTransition) as refused:
        workflow.step_for(workflow.APPLICATION, "draft", "acknowledge", what="demande")
    message = refused.value.message
    assert "Brouillon" in message  # the status, not "draft"
    assert "« Accuser réception »" in message  # the action, not "acknowledge"
    assert "Soumettre la demande" in message  # what is possible instead
