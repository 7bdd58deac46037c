"""The way of a case through the services, with its deadlines, guards and safeguards."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from readmit.accounts.models import User
from readmit.accounts.services import token_create
from readmit.audit.models import AuditEntry, Transmission
from readmit.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from readmit.readmission import services as s
from readmit.readmission.models import Application, ApplicationStatus, Evidence, PersonStatus
from readmit.readmission.selectors import application_view
from readmit.readmission.sweep import deadline_sweep
from readmit.returns.safeguards import SafeguardStopped
from readmit.returns.selectors import transfer_to_record
from readmit.returns.services import (
    asylum_decide,
    asylum_record,
    case_record_return,
    safeguard_override,
)

from .conftest import World

pytestmark = pytest.mark.django_db

MONDAY = "2026-03-02 10:00:00+01:00"


def _principal(application: Application) -> int:
    return application.persons.get(role="principal").pk


def _at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day} 10:00:00+01:00", tick=False)


def test_the_registry_chooses_the_agreement_and_the_particulars_are_a_snapshot(
    world: World, draft: Callable[..., Application]
) -> None:
    application = draft()
    assert application.agreement.code == "EU-AZ"
    assert application.status == ApplicationStatus.DRAFT
    assert (
        application.requested_authority is not None
        and application.requested_authority.code == "az-sms"
    )
    assert (
        application.consular_post is not None
        and application.consular_post.code == "az-consulate-berlin"
    )
    particulars = application.persons.get(role="principal").particulars
    assert particulars["surname_original"] == "Məmmədov"
    assert particulars["identity_documents"][0]["number"] == "C01234567"


def test_no_agreement_no_application(world: World, draft: Callable[..., Application]) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        draft(requested_state="BR")
    assert excinfo.value.code == "no_agreement"
    assert not Application.objects.exists()


def test_the_whole_way_of_a_case(
    world: World,
    draft: Callable[..., Application],
    persona: Callable[[str], User],
    client_as: Callable[[str], Client],
) -> None:
    az, consul = persona("az-officer"), persona("az-consul")
    with time_machine.travel(MONDAY, tick=False) as clock:
        application = draft()
        s.evidence_add(
            actor=world.officer,
            application_id=application.pk,
            person_id=_principal(application),
            evidence_code="passport",
            document_number="C01234567",
            expires_on=dt.date(2025, 3, 1),
            upload=io.BytesIO(b"%PDF-1.4\n" + b"0" * 100),
            file_name="passport.pdf",
        )
        s.application_submit(actor=world.officer, application_id=application.pk)
        application.refresh_from_db()
        # EU-AZ: reply within 15 days of receipt (secondary source): 2 March + 15 = 17 March.
        assert application.received_on == dt.date(2026, 3, 2)
        assert application.reply_due == dt.date(2026, 3, 17)
        assert application.reply_due_confidence == "secondary"

        clock.shift(dt.timedelta(days=1))
        s.application_acknowledge(actor=az, application_id=application.pk)
        s.identification_record(
            actor=az, application_id=application.pk, result="Found in the passport registry"
        )
        interview = s.interview_request(
            actor=az,
            application_id=application.pk,
            person_id=_principal(application),
            scheduled_for=timezone.now() + dt.timedelta(days=2),
            place="Consulate Berlin",
        )
        clock.shift(dt.timedelta(days=3))
        s.interview_record(
            actor=consul,
            application_id=application.pk,
            interview_id=interview.pk,
            held_on=timezone.localdate(),
            result="nationality_confirmed",
        )
        person = s.person_reply(
            actor=az, application_id=application.pk, person_id=_principal(application), accept=True
        )
        assert person.status == PersonStatus.ACCEPTED
        # Accepted Friday 6 March. EU-AZ (secondary): 3 months for the transfer, to Saturday
        # 6 June, rolled to Monday 8 June; 5 working days for the travel document, skipping
        # Monday 9 March (Women's Day, observed, in Azerbaijan): 10-13 and 16 March.
        assert person.transfer_due == dt.date(2026, 6, 8)
        assert person.td_due == dt.date(2026, 3, 16)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.REPLIED

        s.travel_document_issue(
            actor=consul,
            application_id=application.pk,
            person_id=person.pk,
            kind="laissez_passer",
            number="LP-77",
            issued_on=timezone.localdate(),
            valid_until=timezone.localdate() + dt.timedelta(days=60),
        )
        transfer = s.transfer_notify(
            actor=world.officer,
            application_id=application.pk,
            person_ids=[person.pk],
            planned_at=timezone.now() + dt.timedelta(days=14),
            border_crossing_point="Baku GYD airport",
            flight="J2 8012",
            escorts="Two officers of the Bundespolizei",
        )
        s.transfer_confirm(actor=az, application_id=application.pk, transfer_id=transfer.pk)
        clock.shift(dt.timedelta(days=14))
        s.transfer_carry_out(
            actor=world.officer, application_id=application.pk, transfer_id=transfer.pk
        )
        s.handover_confirm(actor=az, application_id=application.pk, transfer_id=transfer.pk)

    person.refresh_from_db()
    assert person.status == PersonStatus.HANDOVER_CONFIRMED
    timeline = [e.action for e in application.events.order_by("at", "id")]
    assert timeline == [
        "drafted",
        "submitted",
        "acknowledged",
        "identification_recorded",
        "interview_scheduled",
        "interview_held",
        "accepted",
        "td_issued",
        "transfer_notified",
        "transfer_confirmed",
        "transferred",
        "handover_confirmed",
    ]
    events = {e.action: e for e in application.events.all()}
    assert events["submitted"].actor_username == "de-officer" and events[
        "submitted"
    ].due == dt.date(2026, 3, 17)
    assert events["accepted"].actor_authority_code == "az-sms"
    assert events["td_issued"].actor_username == "az-consul"
    messages = list(
        Transmission.objects.filter(object_id=str(application.pk)).values_list("message", flat=True)
    )
    assert {"application", "acknowledgement", "reply", "travel_document", "transfer_notice"} <= set(
        messages
    )
    world.case.refresh_from_db()
    assert world.case.identified_on is not None and world.case.documented_on is not None
    # Readmitted: the application can no longer be withdrawn, so it is not offered, and the
    # service refuses it if asked anyway.
    view = application_view(viewer=world.officer, application_id=application.pk)
    assert "withdraw" not in view.actions["application"]
    # The return case asks for the departure, offering the day of the transfer.
    transferred = application.persons.get(role="principal").transferred_on
    assert transfer_to_record(world.case) == (application.reference, transferred)
    page = client_as("de-officer").get(f"/returns/{world.case.pk}/").content.decode()
    assert f"under application {application.reference}: record the departure" in page
    assert "Absconded twice from the reception centre." in page  # the refusal's details
    assert f'name="actual_departure" value="{transferred.isoformat()}"' in page
    case_record_return(actor=world.officer, case_id=world.case.pk, actual_departure=transferred)
    world.case.refresh_from_db()
    assert transfer_to_record(world.case) is None
    with pytest.raises(IllegalTransition):
        s.application_withdraw(
            actor=world.officer, application_id=application.pk, reason="Changed our mind later."
        )


def test_each_side_can_only_do_its_own_part(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()
    # The requested state does not even see a draft.
    with pytest.raises(NotFound):
        s.application_acknowledge(actor=persona("az-officer"), application_id=application.pk)
    s.application_submit(actor=world.officer, application_id=application.pk)
    with pytest.raises(Forbidden):
        s.application_acknowledge(actor=world.officer, application_id=application.pk)
    with pytest.raises(NotFound):
        s.application_acknowledge(actor=persona("pk-officer"), application_id=application.pk)
    with pytest.raises(NotFound):
        s.application_acknowledge(actor=persona("nl-officer"), application_id=application.pk)
    with pytest.raises(NotFound):  # an administrator handles no case: for them it does not exist
        s.person_reply(
            actor=persona("az-admin"),
            application_id=application.pk,
            person_id=_principal(application),
            accept=True,
        )
    with pytest.raises(Forbidden):  # the requesting state cannot answer its own application
        s.person_reply(
            actor=world.supervisor,
            application_id=application.pk,
            person_id=_principal(application),
            accept=True,
        )
    with pytest.raises(IllegalTransition):
        s.application_submit(actor=world.officer, application_id=application.pk)
    # Whoever may never take a step is told so (403), not that the status does not allow it:
    # the other side, and a colleague whose role lacks the capability.
    with pytest.raises(Forbidden) as wrong_side:
        s.application_submit(actor=persona("az-officer"), application_id=application.pk)
    assert wrong_side.value.code == "wrong_side"
    with pytest.raises(Forbidden) as no_capability:
        s.application_submit(actor=persona("de-readonly"), application_id=application.pk)
    assert no_capability.value.code == "capability_required"


def test_the_page_and_the_api_refuse_the_other_side_before_asking_for_the_form(
    world: World,
    draft: Callable[..., Application],
    persona: Callable[[str], User],
    client_as: Callable[[str], Client],
) -> None:
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    # An empty form: the requested state may not withdraw, nor a read-only user reply.
    az = client_as("az-officer")
    assert az.post(f"/applications/{application.pk}/act/withdraw/", {}).status_code == 403
    readonly = client_as("de-readonly")
    assert readonly.post(f"/applications/{application.pk}/act/reply/", {}).status_code == 403
    token = token_create(actor=None, user=persona("de-readonly"), name="t", days=1).plaintext
    answer = Client().post(
        f"/api/v1/applications/{application.pk}/submit",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "capability_required"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_refusal_needs_a_coded_reason_and_written_reasons(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    az = persona("az-officer")
    with pytest.raises(ValidationFailed) as excinfo:
        s.person_reply(
            actor=az,
            application_id=application.pk,
            person_id=_principal(application),
            accept=False,
            reason="",
            explanation="no",
        )
    assert set(excinfo.value.fields) == {"reason", "explanation"}
    person = s.person_reply(
        actor=az,
        application_id=application.pk,
        person_id=_principal(application),
        accept=False,
        reason="not_a_national",
        explanation="No record of this person in the civil registry.",
    )
    assert person.status == PersonStatus.REFUSED
    with pytest.raises(Conflict):
        s.person_reply(actor=az, application_id=application.pk, person_id=person.pk, accept=True)


def test_a_family_application_gets_a_reply_per_person(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft(family=True)
    s.application_submit(actor=world.officer, application_id=application.pk)
    az = persona("az-officer")
    by_role = {p.role: p.pk for p in application.persons.all()}
    s.person_reply(
        actor=az, application_id=application.pk, person_id=by_role["principal"], accept=True
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED  # two persons still wait
    s.person_reply(
        actor=az,
        application_id=application.pk,
        person_id=by_role["spouse"],
        accept=False,
        reason="not_a_national",
        explanation="The spouse is a national of another state.",
    )
    s.person_reply(actor=az, application_id=application.pk, person_id=by_role["child"], accept=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPLIED
    statuses = dict(application.persons.values_list("role", "status"))
    assert statuses == {"principal": "accepted", "spouse": "refused", "child": "accepted"}


def test_a_person_listed_twice_is_refused_and_nothing_is_drafted(world: World) -> None:
    # Twice in one application, the requested state would have to reply twice for one person.
    for twice in (
        [("principal", world.person.pk), ("child", world.child.pk), ("child", world.child.pk)],
        [("principal", world.person.pk), ("spouse", world.person.pk)],
    ):
        with pytest.raises(ValidationFailed) as excinfo:
            s.application_draft(
                actor=world.officer,
                return_case_id=world.case.pk,
                requested_state="AZ",
                kind="own_nationals",
                persons=[s.PersonInput(person_id=pid, role=role) for role, pid in twice],
            )
        assert excinfo.value.fields == {"family": ["A person is listed twice."]}
        assert str(excinfo.value) == "Each person can be in the application only once."
    assert not Application.objects.exists()


def test_a_safeguard_stops_submission_until_cleared_or_overridden(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()
    asylum = asylum_record(
        actor=world.officer, case_id=world.case.pk, lodged_on=dt.date(2026, 1, 10)
    )
    with pytest.raises(SafeguardStopped) as excinfo:
        s.application_submit(actor=world.officer, application_id=application.pk)
    assert excinfo.value.code == "safeguard_stop" and "asylum" in excinfo.value.message.lower()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not Transmission.objects.filter(object_id=str(application.pk)).exists()

    with pytest.raises(Forbidden):
        safeguard_override(
            actor=world.officer,
            case_id=world.case.pk,
            code="asylum_application_pending",
            reason="The asylum application is manifestly abusive, decision expected.",
        )
    safeguard_override(
        actor=world.supervisor,
        case_id=world.case.pk,
        code="asylum_application_pending",
        reason="Subsequent application without new elements; inadmissibility decision served.",
    )
    s.application_submit(actor=world.officer, application_id=application.pk)
    assert AuditEntry.objects.filter(action="returns.safeguard.overridden").exists()
    del asylum


def test_a_safeguard_also_stops_the_transfer(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    person = s.person_reply(
        actor=persona("az-officer"),
        application_id=application.pk,
        person_id=_principal(application),
        accept=True,
    )
    today = timezone.localdate()
    s.travel_document_issue(
        actor=persona("az-consul"),
        application_id=application.pk,
        person_id=person.pk,
        kind="laissez_passer",
        number="LP-1",
        issued_on=today,
        valid_until=today + dt.timedelta(days=90),
    )
    asylum = asylum_record(actor=world.officer, case_id=world.case.pk, lodged_on=today)
    with pytest.raises(SafeguardStopped):
        s.transfer_notify(
            actor=world.officer,
            application_id=application.pk,
            person_ids=[person.pk],
            planned_at=timezone.now() + dt.timedelta(days=10),
            border_crossing_point="GYD",
        )
    asylum_decide(
        actor=world.officer,
        case_id=world.case.pk,
        application_id=asylum.pk,
        status="rejected",
        decided_on=today,
    )
    s.transfer_notify(
        actor=world.officer,
        application_id=application.pk,
        person_ids=[person.pk],
        planned_at=timezone.now() + dt.timedelta(days=10),
        border_crossing_point="GYD",
    )


def test_tacit_acceptance_where_the_agreement_provides_it(
    world: World, draft: Callable[..., Application]
) -> None:
    with _at("2026-03-02"):
        application = draft(requested_state="RS")
        assert application.agreement.code == "EU-RS"
        s.application_submit(actor=world.officer, application_id=application.pk)
    application.refresh_from_db()
    assert application.reply_due == dt.date(2026, 3, 12) and application.tacit_acceptance is True
    with _at("2026-03-12"):
        assert deadline_sweep().tacitly_accepted == 0  # the last day is still open
    with _at("2026-03-20"):  # the sweep ran late
        report = deadline_sweep()
        assert report.tacitly_accepted == 1
        assert deadline_sweep().tacitly_accepted == 0  # twice changes nothing
    person = application.persons.get()
    assert person.status == PersonStatus.TACITLY_ACCEPTED
    assert person.reply_on == dt.date(
        2026, 3, 13
    )  # the day after the limit, not the day of the run
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPLIED
    assert application.events.filter(action="tacitly_accepted").count() == 1


def test_silence_is_only_overdue_where_tacit_acceptance_is_not_configured(
    world: World, draft: Callable[..., Application]
) -> None:
    with _at("2026-03-02"):
        application = draft()  # EU-AZ has no tacit-acceptance rule in the registry
        s.application_submit(actor=world.officer, application_id=application.pk)
    with _at("2026-03-25"):
        report = deadline_sweep()
        assert (report.tacitly_accepted, report.marked_overdue) == (0, 1)
        assert deadline_sweep().marked_overdue == 0
    application.refresh_from_db()
    assert application.overdue_since == dt.date(2026, 3, 18)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.persons.get().status == PersonStatus.PENDING
    assert "not configured" in application.events.get(action="overdue").summary


def test_reminders_before_the_deadline_go_out_once(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    from readmit.notifications.models import Notification

    with _at("2026-03-02"):
        application = draft()
        s.application_submit(actor=world.officer, application_id=application.pk)
    with _at("2026-03-14"):  # 3 days before 17 March
        assert deadline_sweep().reminders == 1
        assert deadline_sweep().reminders == 0
    with _at("2026-03-16"):
        assert deadline_sweep().reminders == 1
    titles = list(
        Notification.objects.filter(
            recipient=persona("az-officer"), action="readmission.application.reminder"
        ).values_list("title", flat=True)
    )
    assert len(titles) == 2 and all(application.reference in t for t in titles)


def test_an_extension_moves_the_deadline_within_the_agreements_maximum(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    with _at("2026-03-02"):
        application = draft(requested_state="RS")
        s.application_submit(actor=world.officer, application_id=application.pk)
        # EU-RS: at most +6 calendar days on a substantiated request.
        with pytest.raises(ValidationFailed) as excinfo:
            s.reply_period_extend(
                actor=None,
                application_id=application.pk,
                amount=7,
                reason="Registry offline for maintenance.",
            )  # type: ignore[arg-type]
        assert "amount" in excinfo.value.fields
        s.reply_period_extend(
            actor=None,
            application_id=application.pk,
            amount=6,
            reason="Registry offline for maintenance.",
        )  # type: ignore[arg-type]
    application.refresh_from_db()
    # 12 March + 6 = 18 March (Wednesday).
    assert application.reply_due == dt.date(2026, 3, 18)
    with _at("2026-03-18"):
        assert deadline_sweep().tacitly_accepted == 0
    with _at("2026-03-19"):
        assert deadline_sweep().tacitly_accepted == 1


def test_no_extension_where_the_agreement_configures_none(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    with pytest.raises(ValidationFailed) as excinfo:
        s.reply_period_extend(
            actor=persona("az-officer"),
            application_id=application.pk,
            amount=5,
            reason="Need more time to check.",
        )
    assert excinfo.value.code == "not_configured"


def test_bad_evidence_is_refused_and_nothing_is_saved(
    world: World, draft: Callable[..., Application]
) -> None:
    application = draft()
    principal = _principal(application)
    with pytest.raises(ValidationFailed) as excinfo:
        s.evidence_add(
            actor=world.officer,
            application_id=application.pk,
            person_id=principal,
            evidence_code="tarot_reading",
        )
    assert "does not know this means of evidence" in excinfo.value.fields["evidence_code"][0]
    with pytest.raises(ValidationFailed) as excinfo:
        s.evidence_add(
            actor=world.officer,
            application_id=application.pk,
            person_id=principal,
            evidence_code="passport",
            upload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 50),
            file_name="passport.pdf",
        )
    assert "not what its name says" in str(excinfo.value.fields)
    with pytest.raises(ValidationFailed):
        s.evidence_add(
            actor=world.officer,
            application_id=application.pk,
            person_id=principal,
            evidence_code="passport",
            issued_on=timezone.localdate() + dt.timedelta(days=3),
        )
    with pytest.raises(ValidationFailed) as excinfo:
        s.evidence_add(
            actor=world.officer,
            application_id=application.pk,
            person_id=principal,
            evidence_code="passport",
            is_copy=True,
        )
    assert "copy" in str(excinfo.value.fields["is_copy"])
    assert not Evidence.objects.exists()


def test_the_requested_state_sees_only_the_shared_zone(
    world: World, draft: Callable[..., Application], persona: Callable[[str], User]
) -> None:
    from readmit.persons.sharing import SHAREABLE_FIELDS
    from readmit.readmission.selectors import SHARED_APPLICATION_FIELDS, SHARED_PERSON_FIELDS

    asylum_record(actor=world.officer, case_id=world.case.pk, lodged_on=dt.date(2026, 1, 10))
    safeguard_override(
        actor=world.supervisor,
        case_id=world.case.pk,
        code="asylum_application_pending",
        reason="Subsequent application without new elements; inadmissibility decision served.",
    )
    application = draft()
    s.application_submit(actor=world.officer, application_id=application.pk)
    view = application_view(viewer=persona("az-officer"), application_id=application.pk)
    assert view.side == "requested" and view.return_case_id is None
    assert set(view.data) <= set(SHARED_APPLICATION_FIELDS) | {
        "status_label",
        "reply_rule",
        "days_left",
    }
    for person in view.data["persons"]:
        assert set(person) - {"role_label", "status_label", "refusal_reason_label"} <= set(
            SHARED_PERSON_FIELDS
        )
        assert set(person["particulars"]) <= set(SHAREABLE_FIELDS)
    assert all(e["action"] != "drafted" for e in view.data["events"])
    text = str(view.data)
    for secret in (
        "asylum",
        "Absconded",
        "inadmissibility",
        "risk_of_absconding",
        world.case.reference,
    ):
        assert secret not in text
