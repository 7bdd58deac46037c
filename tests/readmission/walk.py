"""Walk an application forward through the real services, step by step.

`Walk` knows one application of the `world` fixture and the users of both sides; `STEPS`
names every step a test can take, and `APPLICATION_PATH` / `PERSON_PATH` say which steps bring
the application, or its principal person, into each status of the transition tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from readmit.accounts.models import Authority, AuthorityKind, User
from readmit.accounts.services import user_create
from readmit.readmission import services as s
from readmit.readmission.models import Application, ApplicationPerson, Transfer
from readmit.readmission.models import ApplicationStatus as A
from readmit.readmission.models import PersonStatus as P
from readmit.readmission.sweep import deadline_sweep

from .conftest import World

PASSWORD = "a-long-test-password-1"

# The requested state's central authority for the agreements the walks use; Pakistan's and
# Azerbaijan's come with the demo world, Türkiye's (EU-TR: the readmission-in-error window) not.
CENTRAL = {"AZ": "az-sms", "PK": "pk-moi", "TR": "tr-pmm"}


def requested_users(state: str) -> tuple[User, User]:
    """An officer and a read-only user of the requested state's central authority."""
    code = CENTRAL[state]
    authority = Authority.objects.filter(code=code).first()
    if authority is None:
        authority = Authority.objects.create(
            code=code,
            name="Presidency of Migration Management",
            kind=AuthorityKind.CENTRAL_AUTHORITY,
            state_id=state,
        )
    users = []
    for role in ("officer", "read_only"):
        username = f"{state.lower()}-walk-{role}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=None, authority=authority, username=username, role=role, password=PASSWORD
        )
        users.append(User.objects.select_related("authority").get(pk=user.pk))
    return users[0], users[1]


@dataclass
class Walk:
    world: World
    application: Application
    requested: User  # the requested state's officer
    requested_readonly: User
    requesting_readonly: User
    stranger: User  # an officer of another requesting authority
    transfer: Transfer | None = None
    taken: list[str] = field(default_factory=list)
    acting: User | None = None  # who takes the next step instead of the usual officer

    @property
    def officer(self) -> User:
        """The requesting state's officer (or whoever is set to act instead)."""
        return self.acting or self.world.officer

    @property
    def req(self) -> User:
        """The requested state's officer (or whoever is set to act instead)."""
        return self.acting or self.requested

    def take_as(self, actor: User, step: str) -> None:
        """Take one step as `actor` (a stranger, the other side, a role without the right)."""
        self.acting = actor
        try:
            STEPS[step](self)
        finally:
            self.acting = None

    def person(self, role: str = "principal") -> ApplicationPerson:
        return self.application.persons.get(role=role)

    def refresh(self) -> Walk:
        self.application.refresh_from_db()
        return self

    def take(self, *steps: str) -> Walk:
        for name in steps:
            STEPS[name](self)
            self.taken.append(name)
        return self.refresh()


def start(
    world: World,
    persona: Callable[[str], User],
    *,
    state: str = "AZ",
    family: bool = False,
    kind: str = "own_nationals",
) -> Walk:
    from readmit.readmission.services import PersonInput

    requested, readonly = requested_users(state)
    persons = [PersonInput(person_id=world.person.pk, role="principal")]
    if family:
        persons += [
            PersonInput(person_id=world.spouse.pk, role="spouse"),
            PersonInput(person_id=world.child.pk, role="child"),
        ]
    application = s.application_draft(
        actor=world.officer,
        return_case_id=world.case.pk,
        kind=kind,
        requested_state=state,
        persons=persons,
    )
    return Walk(
        world=world,
        application=application,
        requested=requested,
        requested_readonly=readonly,
        requesting_readonly=persona("de-readonly"),
        stranger=persona("nl-officer"),
    )


def _principal(w: Walk) -> int:
    return w.person().pk


def _notify_transfer(w: Walk) -> None:
    w.transfer = s.transfer_notify(
        actor=w.officer,
        application_id=w.application.pk,
        person_ids=[_principal(w)],
        planned_at=timezone.now() + dt.timedelta(days=10),
        border_crossing_point="Airport",
        flight="XY 123",
    )


def _transfer_id(w: Walk) -> int:
    assert w.transfer is not None
    return w.transfer.pk


def _sweep_after_reply_due(w: Walk) -> None:
    w.refresh()
    assert w.application.reply_due is not None
    deadline_sweep(today=w.application.reply_due + dt.timedelta(days=1))


def _sweep_after_td_validity(w: Walk) -> None:
    document = w.person().travel_documents.get(status="issued")
    deadline_sweep(today=document.valid_until + dt.timedelta(days=1))


def _sweep_after_in_error_window(w: Walk) -> None:
    window = w.person().in_error_window_until
    assert window is not None
    deadline_sweep(today=window + dt.timedelta(days=1))


def issue_td(w: Walk, valid_days: int = 365) -> None:
    """The requested state issues a laissez-passer for the principal, valid `valid_days`."""
    today = timezone.localdate()
    s.travel_document_issue(
        actor=w.req,
        application_id=w.application.pk,
        person_id=_principal(w),
        kind="laissez_passer",
        number=f"LP-{len(w.taken)}",
        issued_on=today,
        valid_until=today + dt.timedelta(days=valid_days),
    )


STEPS: dict[str, Callable[[Walk], object]] = {
    "submit": lambda w: s.application_submit(actor=w.officer, application_id=w.application.pk),
    "acknowledge": lambda w: s.application_acknowledge(
        actor=w.req, application_id=w.application.pk
    ),
    "record_identification": lambda w: s.identification_record(
        actor=w.req, application_id=w.application.pk, result="Found in the civil registry"
    ),
    "interview": lambda w: s.interview_request(
        actor=w.req, application_id=w.application.pk, person_id=_principal(w)
    ),
    "request_information": lambda w: s.information_request(
        actor=w.req,
        application_id=w.application.pk,
        question="Please send the birth certificate.",
    ),
    "provide_information": lambda w: s.information_provide(
        actor=w.officer, application_id=w.application.pk, answer="Attached the certificate."
    ),
    "extend": lambda w: s.reply_period_extend(
        actor=w.req,
        application_id=w.application.pk,
        amount=10,
        reason="The civil registry of the province must be consulted.",
    ),
    "accept": lambda w: s.person_reply(
        actor=w.req, application_id=w.application.pk, person_id=_principal(w), accept=True
    ),
    "refuse": lambda w: s.person_reply(
        actor=w.req,
        application_id=w.application.pk,
        person_id=_principal(w),
        accept=False,
        reason="not_a_national",
        explanation="No record of this person in any registry.",
    ),
    "sweep_reply": _sweep_after_reply_due,
    "request_td": lambda w: s.travel_document_request(
        actor=w.officer, application_id=w.application.pk, person_id=_principal(w)
    ),
    "issue_td": issue_td,
    "sweep_td": _sweep_after_td_validity,
    "notify_transfer": _notify_transfer,
    "confirm_transfer": lambda w: s.transfer_confirm(
        actor=w.req, application_id=w.application.pk, transfer_id=_transfer_id(w)
    ),
    "postpone_transfer": lambda w: s.transfer_postpone(
        actor=w.officer,
        application_id=w.application.pk,
        transfer_id=_transfer_id(w),
        reason="The flight was cancelled by the airline.",
    ),
    "carry_out_transfer": lambda w: s.transfer_carry_out(
        actor=w.officer, application_id=w.application.pk, transfer_id=_transfer_id(w)
    ),
    "confirm_handover": lambda w: s.handover_confirm(
        actor=w.req, application_id=w.application.pk, transfer_id=_transfer_id(w)
    ),
    "claim_in_error": lambda w: s.readmission_in_error_claim(
        actor=w.req,
        application_id=w.application.pk,
        person_id=_principal(w),
        explanation="The person is not a national: the registry entry was a namesake.",
    ),
    "close_case": lambda w: s.person_close(
        actor=w.officer,
        application_id=w.application.pk,
        person_id=_principal(w),
        reason="The person was taken back on 3 May.",
    ),
    "sweep_in_error": _sweep_after_in_error_window,
    "withdraw": lambda w: s.application_withdraw(
        actor=w.officer, application_id=w.application.pk, reason="The person left voluntarily."
    ),
}

_TO_TRANSFERRED = ("submit", "accept", "issue_td", "notify_transfer", "confirm_transfer")

# The steps that bring the principal person into each status.
PERSON_PATH: dict[str, tuple[str, ...]] = {
    P.PENDING: ("submit",),
    P.ACCEPTED: ("submit", "accept"),
    P.TACITLY_ACCEPTED: ("submit", "sweep_reply"),
    P.REFUSED: ("submit", "refuse"),
    P.TD_REQUESTED: ("submit", "accept", "request_td"),
    P.TD_ISSUED: ("submit", "accept", "issue_td"),
    P.TD_EXPIRED: ("submit", "accept", "issue_td", "sweep_td"),
    P.TRANSFER_NOTIFIED: ("submit", "accept", "issue_td", "notify_transfer"),
    P.TRANSFER_CONFIRMED: _TO_TRANSFERRED,
    P.TRANSFER_POSTPONED: ("submit", "accept", "issue_td", "notify_transfer", "postpone_transfer"),
    P.TRANSFERRED: (*_TO_TRANSFERRED, "carry_out_transfer"),
    P.HANDOVER_CONFIRMED: (*_TO_TRANSFERRED, "carry_out_transfer", "confirm_handover"),
    P.READMISSION_IN_ERROR: (
        *_TO_TRANSFERRED,
        "carry_out_transfer",
        "confirm_handover",
        "claim_in_error",
    ),
    P.CLOSED: (*_TO_TRANSFERRED, "carry_out_transfer", "confirm_handover", "close_case"),
    P.WITHDRAWN: ("submit", "withdraw"),
}

# The steps that bring the application into each status.
APPLICATION_PATH: dict[str, tuple[str, ...]] = {
    A.DRAFT: (),
    A.SUBMITTED: ("submit",),
    A.ACKNOWLEDGED: ("submit", "acknowledge"),
    A.IDENTIFICATION: ("submit", "record_identification"),
    A.INFORMATION_REQUESTED: ("submit", "request_information"),
    A.REPLIED: ("submit", "accept"),
    A.CLOSED: ("submit", "refuse"),
    A.WITHDRAWN: ("submit", "withdraw"),
}


def state_for(status: str, action: str) -> str:
    """The requested state whose agreement has what the step needs: Pakistan (EU-PK) for tacit
    acceptance and extensions, Türkiye (EU-TR) for the readmission-in-error window, else
    Azerbaijan (EU-AZ: none of them, so a handed-over person is closed by hand)."""
    if status == P.CLOSED:
        return "AZ"
    if status == P.TACITLY_ACCEPTED or action in {"extend", "tacit_acceptance", "tacitly_accept"}:
        return "PK"
    if status == P.READMISSION_IN_ERROR or action == "claim_in_error":
        return "TR"
    if status == P.HANDOVER_CONFIRMED and action == "close":
        return "TR"
    return "AZ"


def foreign_application(
    *, state: str, authority_code: str, requested_state: str, surname: str = "Aliyev"
) -> tuple[User, Application]:
    """A draft from a return authority of another requesting state (created for the test),
    for agreements the German demo authority cannot use (CH-AZ, the AT-GE protocol)."""
    from readmit.persons.services import nationality_set
    from readmit.returns.services import case_create, decision_record

    from .conftest import make_person

    authority = Authority.objects.create(
        code=authority_code,
        name=f"Return authority {state}",
        kind=AuthorityKind.RETURN_AUTHORITY,
        state_id=state,
    )
    created = user_create(
        actor=None,
        authority=authority,
        username=f"{authority_code}-officer",
        role="officer",
        password=PASSWORD,
    )
    officer = User.objects.select_related("authority").get(pk=created.pk)
    person = make_person(officer, surname, "Kamran", 1988)
    nationality_set(actor=officer, person_id=person.pk, state=requested_state, status="claimed")
    case = case_create(actor=officer, person_id=person.pk)
    decision_record(
        actor=officer,
        case_id=case.pk,
        issuing_authority="Migration office",
        decided_on=timezone.localdate() - dt.timedelta(days=30),
        vd_granted=False,
        vd_refusal_reason="risk_of_absconding",
    )
    application = s.application_draft(
        actor=officer,
        return_case_id=case.pk,
        requested_state=requested_state,
        kind="own_nationals",
        persons=[s.PersonInput(person_id=person.pk, role="principal")],
    )
    return officer, application
