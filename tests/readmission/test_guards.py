"""Each guard of the services, with the case it refuses and the case it lets through.

Every refusal names the field in plain words and changes nothing (rows, audit trail, border
log); each test would fail if its guard were taken out. The numbers come from the agreements
registry; where the registry configures nothing, nothing is checked (and a test shows it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from readmit.accounts.models import Authority, User
from readmit.agreements.models import EvidenceType
from readmit.audit.models import AuditEntry, Transmission
from readmit.core.errors import Conflict, DomainError, ValidationFailed
from readmit.readmission import services as s
from readmit.readmission.models import (
    Application,
    ApplicationEvent,
    ApplicationPerson,
    Evidence,
    PersonStatus,
    Transfer,
    TravelDocument,
)
from readmit.returns.safeguards import SafeguardStopped
from readmit.returns.services import (
    asylum_record,
    decision_record,
    safeguard_override,
)

from .conftest import World
from .walk import Walk, foreign_application, issue_td, start

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _counts() -> tuple[int, ...]:
    return (
        Application.objects.count(),
        ApplicationPerson.objects.count(),
        ApplicationEvent.objects.count(),
        Evidence.objects.count(),
        TravelDocument.objects.count(),
        Transfer.objects.count(),
        AuditEntry.objects.count(),
        Transmission.objects.count(),
    )


def refused(call: Callable[[], Any], error: type[DomainError] = ValidationFailed) -> DomainError:
    """Run a call that must be refused; check it changed nothing and return the error."""
    before = _counts()
    with pytest.raises(error) as excinfo:
        call()
    assert _counts() == before
    return excinfo.value


def _draft(world: World, state: str = "AZ", **kwargs: Any) -> Application:
    return s.application_draft(
        actor=world.officer,
        return_case_id=world.case.pk,
        requested_state=state,
        persons=[s.PersonInput(person_id=world.person.pk, role="principal")],
        **{"kind": "own_nationals", **kwargs},
    )


# --- Submission windows ------------------------------------------------------------------


def test_the_accelerated_window_after_apprehension(
    world: World, persona: Callable[[str], User]
) -> None:
    start(world, persona, state="TR")  # makes sure Türkiye has a central authority
    # EU-TR: the accelerated procedure within 3 working days of the apprehension (registry).
    late = _draft(
        world, "TR", procedure="accelerated", apprehended_on=TODAY() - dt.timedelta(days=30)
    )
    error = refused(lambda: s.application_submit(actor=world.officer, application_id=late.pk))
    assert "procedure" in error.fields and "accelerated procedure had to be used" in error.message
    assert Application.objects.get(pk=late.pk).status == "draft"
    in_time = _draft(world, "TR", procedure="accelerated", apprehended_on=TODAY())
    assert (
        s.application_submit(actor=world.officer, application_id=in_time.pk).status == "submitted"
    )


def test_no_accelerated_window_is_invented_where_none_is_configured(world: World) -> None:
    # EU-AZ configures an accelerated reply period but no application window.
    application = _draft(
        world, procedure="accelerated", apprehended_on=TODAY() - dt.timedelta(days=300)
    )
    s.application_submit(actor=world.officer, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted" and application.reply_due_amount == 2


def test_the_third_country_national_window(world: World) -> None:
    # EU-AZ: a third-country-national application within 6 months of knowledge (registry).
    late = _draft(
        world, kind="third_country_nationals", knowledge_on=TODAY() - dt.timedelta(days=400)
    )
    error = refused(lambda: s.application_submit(actor=world.officer, application_id=late.pk))
    assert "knowledge_on" in error.fields
    in_time = _draft(
        world, kind="third_country_nationals", knowledge_on=TODAY() - dt.timedelta(days=20)
    )
    s.application_submit(actor=world.officer, application_id=in_time.pk)


def test_mandatory_particulars_are_named_and_block_the_submission(world: World) -> None:
    application = _draft(world)
    person = application.persons.get()
    # A snapshot without them (e.g. an imported record): the submission names each one.
    particulars = dict(person.particulars)
    particulars.pop("given_names_latin")
    particulars["date_of_birth"] = {}
    ApplicationPerson.objects.filter(pk=person.pk).update(particulars=particulars)
    error = refused(
        lambda: s.application_submit(actor=world.officer, application_id=application.pk)
    )
    messages = error.fields[f"person_{person.pk}"]
    assert any("given names" in m for m in messages) and any("year of birth" in m for m in messages)
    assert Application.objects.get(pk=application.pk).status == "draft"


def test_dates_in_the_future_where_they_cannot_be(world: World, media: Path) -> None:
    tomorrow = TODAY() + dt.timedelta(days=1)
    error = refused(lambda: _draft(world, procedure="accelerated", apprehended_on=tomorrow))
    assert "future" in error.fields["apprehended_on"][0]
    error = refused(lambda: _draft(world, kind="third_country_nationals", knowledge_on=tomorrow))
    assert "future" in error.fields["knowledge_on"][0]
    application = _draft(world)
    error = refused(lambda: _evidence(world, application, issued_on=tomorrow))
    assert "future" in error.fields["issued_on"][0]


# --- Evidence ----------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _evidence(world: World, application: Application, **kwargs: Any) -> Evidence:
    return s.evidence_add(
        actor=world.officer,
        application_id=application.pk,
        person_id=application.persons.get().pk,
        **{"evidence_code": "passport", **kwargs},
    )


def test_a_copy_counts_only_where_the_catalogue_says_so(world: World, media: Path) -> None:
    application = _draft(world)
    error = refused(lambda: _evidence(world, application, is_copy=True))
    assert "is_copy" in error.fields
    # The catalogue's "copy of the passport" entry accepts a copy.
    assert _evidence(world, application, evidence_code="passport_copy", is_copy=True).is_copy


def test_a_copy_that_must_be_authenticated(world: World, media: Path) -> None:
    application = _draft(world)
    # No entry of the registry asks for authentication yet; the rule is the catalogue's.
    EvidenceType.objects.filter(agreement__code="EU-AZ", code="passport_copy").update(
        copy_must_be_authenticated=True
    )
    error = refused(
        lambda: _evidence(world, application, evidence_code="passport_copy", is_copy=True)
    )
    assert "authenticated" in error.fields
    _evidence(world, application, evidence_code="passport_copy", is_copy=True, authenticated=True)


def test_an_expired_document_counts_unless_the_catalogue_says_otherwise(
    world: World, media: Path
) -> None:
    application = _draft(world)
    expired = TODAY() - dt.timedelta(days=30)
    assert _evidence(world, application, expires_on=expired).expires_on == expired
    EvidenceType.objects.filter(agreement__code="EU-AZ", code="passport").update(
        expired_counts=False
    )
    error = refused(lambda: _evidence(world, application, expires_on=expired))
    assert "expires_on" in error.fields


def test_a_false_document_never_counts(world: World, media: Path) -> None:
    application = _draft(world)
    error = refused(lambda: _evidence(world, application, is_false=True))
    assert "is_false" in error.fields and "never" in error.fields["is_false"][0]


def test_evidence_the_agreement_does_not_know(world: World, media: Path) -> None:
    application = _draft(world)
    error = refused(lambda: _evidence(world, application, evidence_code="horoscope"))
    assert "EU-AZ does not know this means of evidence" in error.fields["evidence_code"][0]


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n" + b"0" * 64, b"This is a plain text letter, not a PDF at all.\n"],
    ids=["png-named-pdf", "text-named-pdf"],
)
def test_a_file_that_is_not_what_its_name_says(world: World, media: Path, content: bytes) -> None:
    import io

    application = _draft(world)
    error = refused(
        lambda: _evidence(world, application, upload=io.BytesIO(content), file_name="passport.pdf")
    )
    assert error.fields and "passport" not in str(error.fields)  # no file name echoed back
    assert not any(media.rglob("*.*"))  # nothing stored


def test_the_health_statement_is_kept_only_with_consent(world: World) -> None:
    def draft(consent: bool) -> ApplicationPerson:
        application = s.application_draft(
            actor=world.officer,
            return_case_id=world.case.pk,
            requested_state="AZ",
            kind="own_nationals",
            persons=[
                s.PersonInput(
                    person_id=world.person.pk,
                    role="principal",
                    health_statement="Needs insulin twice a day.",
                    health_consent=consent,
                )
            ],
        )
        return application.persons.get()

    without = draft(consent=False)
    assert without.health_statement == "" and without.health_consent_recorded_on is None
    with_consent = draft(consent=True)
    assert with_consent.health_statement == "Needs insulin twice a day."
    assert with_consent.health_consent_recorded_on == TODAY()


# --- The reply period ----------------------------------------------------------------------


def test_the_extension_maximum_and_only_once(world: World, persona: Callable[[str], User]) -> None:
    w = start(world, persona, state="PK").take("submit")
    pk = persona("pk-officer")
    due = w.application.reply_due
    assert due is not None
    # EU-PK: at most 60 calendar days more (registry).
    error = refused(
        lambda: s.reply_period_extend(
            actor=pk, application_id=w.application.pk, amount=61, reason="Registry check abroad."
        )
    )
    assert "At most 60" in error.fields["amount"][0]
    error = refused(
        lambda: s.reply_period_extend(
            actor=pk, application_id=w.application.pk, amount=5, reason="slow"
        )
    )
    assert "reason" in error.fields
    s.reply_period_extend(
        actor=pk, application_id=w.application.pk, amount=60, reason="Registry check abroad."
    )
    w.refresh()
    # 60 calendar days later (moved to the next working day if it ends on a day off).
    new_due = w.application.reply_due
    assert new_due is not None and 60 <= (new_due - due).days <= 64
    assert w.application.events.get(action="extended").due == new_due
    refused(
        lambda: s.reply_period_extend(
            actor=pk, application_id=w.application.pk, amount=1, reason="Registry check abroad."
        ),
        Conflict,
    )


# --- Travel document and transfer ----------------------------------------------------------


def test_the_minimum_validity_of_the_travel_document(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona, state="PK").take("submit", "accept")
    today = TODAY()

    def issue(valid_until: dt.date) -> TravelDocument:
        return s.travel_document_issue(
            actor=persona("pk-officer"),
            application_id=w.application.pk,
            person_id=w.person().pk,
            kind="laissez_passer",
            number="LP-9",
            issued_on=today,
            valid_until=valid_until,
        )

    # EU-PK: valid for at least 6 months (registry).
    error = refused(lambda: issue(today + dt.timedelta(days=60)))
    assert "at least 6" in error.fields["valid_until"][0]
    issue(today + dt.timedelta(days=200))
    assert w.person().status == PersonStatus.TD_ISSUED


def test_the_travel_document_must_be_valid_on_the_day_of_the_transfer(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona).take("submit", "accept")
    issue_td(w, valid_days=5)

    def notify(days: int) -> Transfer:
        return s.transfer_notify(
            actor=world.officer,
            application_id=w.application.pk,
            person_ids=[w.person().pk],
            planned_at=timezone.now() + dt.timedelta(days=days),
            border_crossing_point="Baku airport",
        )

    error = refused(lambda: notify(10))
    assert "expires before the transfer" in error.fields["planned_at"][0]
    notify(3)


@pytest.fixture
def austria(world: World) -> tuple[User, int]:
    """An Austrian return authority with a Georgian case (EU-GE and the AT-GE protocol)."""
    officer, application = foreign_application(
        state="AT", authority_code="at-bfa", requested_state="GE", surname="Beridze"
    )
    return officer, application.pk


def test_the_transfer_notice_lead_time_of_the_member_states_protocol(
    austria: tuple[User, int], persona: Callable[[str], User]
) -> None:
    officer, application_id = austria
    georgia = persona("ge-officer")
    s.application_submit(actor=officer, application_id=application_id)
    application = Application.objects.get(pk=application_id)
    assert s.protocol_state(application) == "AT"
    person = s.person_reply(
        actor=georgia, application_id=application_id, person_id=application.persons.get().pk,
        accept=True,
    )  # fmt: skip
    today = TODAY()
    s.travel_document_issue(
        actor=georgia,
        application_id=application_id,
        person_id=person.pk,
        kind="laissez_passer",
        number="GE-1",
        issued_on=today,
        valid_until=today + dt.timedelta(days=120),
    )

    def notify(days: int) -> Transfer:
        return s.transfer_notify(
            actor=officer,
            application_id=application_id,
            person_ids=[person.pk],
            planned_at=timezone.now() + dt.timedelta(days=days),
            border_crossing_point="Tbilisi airport",
        )

    # AT-GE protocol Art. 5: the notice at least 5 working days before the transfer.
    error = refused(lambda: notify(2))
    assert "5 working days" in error.fields["planned_at"][0]
    assert "AT-GE protocol" in error.fields["planned_at"][0]
    transfer = notify(14)
    # ... and the requested state confirms within 4 working days (the protocol again).
    assert transfer.confirmation_due is not None and transfer.confirmation_due > today


def test_the_protocol_is_the_member_states_whichever_way_the_application_goes(
    world: World,
) -> None:
    application = _draft(world)
    assert s.protocol_state(application) == "DE"
    # Seen from the partner's side (the third country asking a Member State): the Member State.
    reverse = Application(
        agreement=application.agreement,
        requesting_authority=Authority.objects.get(code="az-sms"),
        requested_state_id="DE",
    )
    assert s.protocol_state(reverse) == "DE"


def test_the_voluntary_departure_period_holds_the_transfer_not_the_submission(
    world: World, persona: Callable[[str], User]
) -> None:
    decision_record(
        actor=world.officer,
        case_id=world.case.pk,
        issuing_authority="LEA Berlin",
        decided_on=TODAY() - dt.timedelta(days=5),
        vd_granted=True,
        vd_start=TODAY() - dt.timedelta(days=4),
        vd_end=TODAY() + dt.timedelta(days=25),
        replacement_reason="The court ordered a new decision with a departure period.",
    )
    w = start(world, persona).take("submit", "accept", "issue_td")
    error = refused(lambda: w.take("notify_transfer"), SafeguardStopped)
    assert "voluntary" in error.message.lower()


def test_a_safeguard_stop_at_the_transfer_itself_and_its_override(
    world: World, persona: Callable[[str], User]
) -> None:
    w = start(world, persona).take("submit", "accept", "issue_td", "notify_transfer")
    w.take("confirm_transfer")
    asylum_record(actor=world.officer, case_id=world.case.pk, lodged_on=TODAY())
    refused(lambda: w.take("carry_out_transfer"), SafeguardStopped)
    assert w.person().status == PersonStatus.TRANSFER_CONFIRMED
    safeguard_override(
        actor=world.supervisor,
        case_id=world.case.pk,
        code="asylum_application_pending",
        reason="Subsequent application without new elements; inadmissibility decision served.",
    )
    w.take("carry_out_transfer")
    assert w.person().status == PersonStatus.TRANSFERRED


# --- After the transfer --------------------------------------------------------------------


def test_readmission_in_error_only_within_a_configured_window(
    world: World, persona: Callable[[str], User]
) -> None:
    path = ("submit", "accept", "issue_td", "notify_transfer", "confirm_transfer")
    # EU-AZ configures no window: the claim cannot be checked, and the case is closed by hand.
    w = start(world, persona).take(*path, "carry_out_transfer", "confirm_handover")
    error = refused(lambda: w.take("claim_in_error"))
    assert error.code == "not_configured"
    w.take("close_case")
    assert w.person().status == PersonStatus.CLOSED
    w.refresh()
    assert w.application.status == "closed"


def test_a_case_under_a_window_is_not_closed_by_hand_and_not_claimed_after_it(
    world: World, persona: Callable[[str], User]
) -> None:
    from readmit.readmission.sweep import deadline_sweep

    path = ("submit", "accept", "issue_td", "notify_transfer", "confirm_transfer")
    w = start(world, persona, state="TR").take(*path, "carry_out_transfer", "confirm_handover")
    window = w.person().in_error_window_until
    assert window is not None  # EU-TR: 3 months (registry)
    error = refused(lambda: w.take("close_case"), Conflict)
    assert (
        error.code == "window_running"
        and f"{window.day} {window:%B} {window.year}" in error.message
    )
    deadline_sweep(today=window)  # the last day of the window: still open
    assert w.person().status == PersonStatus.HANDOVER_CONFIRMED
    deadline_sweep(today=window + dt.timedelta(days=1))
    assert w.person().status == PersonStatus.CLOSED
    assert w.refresh().application.status == "closed"


def test_a_claim_after_the_window_is_too_late(world: World, persona: Callable[[str], User]) -> None:
    import time_machine

    path = ("submit", "accept", "issue_td", "notify_transfer", "confirm_transfer")
    w: Walk = start(world, persona, state="TR").take(*path, "carry_out_transfer")
    window = w.person().in_error_window_until
    assert window is not None
    with time_machine.travel(window + dt.timedelta(days=1), tick=False):
        error = refused(lambda: w.take("claim_in_error"), Conflict)
    assert "window ended" in error.message


def test_settling_a_readmission_in_error_claim_needs_a_reason(
    world: World, persona: Callable[[str], User]
) -> None:
    path = ("submit", "accept", "issue_td", "notify_transfer", "confirm_transfer")
    w = start(world, persona, state="TR").take(*path, "carry_out_transfer", "claim_in_error")
    error = refused(
        lambda: s.person_close(
            actor=world.officer, application_id=w.application.pk, person_id=w.person().pk
        )
    )
    assert "reason" in error.fields
    w.take("close_case")
    assert w.person().status == PersonStatus.CLOSED
