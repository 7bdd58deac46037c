"""API operations of the readmission workflow: applications, their actions, evidence, events.

Every read of an application goes through `selectors.application_view`, so a requested-state
caller receives only the shared fields; every action is the web's action (`actions.ACTIONS`):
the same form parses the body, the same service applies the transition table's rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import User
from readmit.api.errors import ERRORS, READ_ERRORS, ErrorOut
from readmit.api.forms import form_kwargs, form_schema
from readmit.api.operations import Runner, add_operation, viewer
from readmit.api.pagination import Page, PageQuery
from readmit.core.files import EVIDENCE_TYPES
from readmit.readmission import api_selectors, selectors, services
from readmit.readmission.actions import ACTIONS
from readmit.readmission.models import ApplicationKind, ApplicationStatus, Procedure
from readmit.readmission.views import DraftForm, EvidenceForm, action_choices, draft_create
from readmit.readmission.views import evidence_choices as _evidence_choices
from readmit.returns.selectors import case_get

router = Router(tags=["applications"])
MODULE = __name__


# --- Schemas ------------------------------------------------------------------------------
# The application's schemas validate the plain structure `application_view` builds: pydantic's
# BaseModel, not ninja's Schema, whose resolver wrapper (for reading model instances) costs a
# third of the busiest read's time.


class ApplicationSummaryOut(Schema):
    id: int
    reference: str
    kind: str
    procedure: str
    status: str
    agreement: str = Field(alias="agreement.code")
    requesting_authority: str = Field(alias="requesting_authority.code")
    requesting_state: str = Field(alias="requesting_authority.state_id")
    requested_state: str = Field(alias="requested_state_id")
    submitted_at: dt.datetime | None
    received_on: dt.date | None
    reply_due: dt.date | None
    overdue_since: dt.date | None


class ApplicationPage(Page[ApplicationSummaryOut]):
    pass


class ApplicationQuery(PageQuery):
    queue: str | None = Field(
        None, description="A work queue: action_needed, due_soon, overdue or waiting."
    )
    status: ApplicationStatus | None = None
    kind: ApplicationKind | None = None
    procedure: Procedure | None = None
    agreement: str | None = Field(None, description="Agreement code, e.g. EU-AZ.")
    requested_state: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    requesting_state: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    nationality: str | None = Field(
        None, description="A nationality of a person in the application (alpha-2 code)."
    )
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    reply_due_from: dt.date | None = None
    reply_due_to: dt.date | None = None
    deadline: str | None = Field(
        None, description="overdue, due_soon (7 days), open (not yet due) or no_deadline."
    )


class TravelDocumentOut(BaseModel):
    id: int
    kind: str
    number: str
    issued_on: dt.date
    valid_until: dt.date
    status: str


class ApplicationPersonOut(BaseModel):
    id: int
    role: str
    role_label: str
    status: str
    status_label: str
    particulars: dict[str, Any] = Field(
        description="Only the particulars the agreement allows to share (persons/sharing.py)."
    )
    health_statement: str
    reply_on: dt.date | None
    refusal_reason: str
    refusal_reason_label: str
    refusal_explanation: str
    accepted_on: dt.date | None
    td_due: dt.date | None
    transfer_due: dt.date | None
    transferred_on: dt.date | None
    in_error_window_until: dt.date | None
    travel_documents: list[TravelDocumentOut]


class EventOut(BaseModel):
    action: str
    at: dt.datetime
    actor: str
    authority: str
    summary: str
    text: str = Field(
        "",
        description="What one state wrote to the other with this step (the question, the "
        "answer, the reason for an extension, a postponement or a withdrawal, the "
        "readmission-in-error explanation); empty for other steps.",
    )
    due: dt.date | None
    person_id: int | None


class ApplicationDataOut(BaseModel):
    """Exactly the shared fields of `readmission.selectors.SHARED_APPLICATION_FIELDS`."""

    id: int
    reference: str
    kind: str
    procedure: str
    status: str
    status_label: str
    agreement: dict[str, str]
    legal_basis: str
    requesting_authority: str
    requesting_state: str
    requested_state: str
    requested_authority: str
    consular_post: str
    apprehended_on: dt.date | None
    knowledge_on: dt.date | None
    observations: str
    submitted_at: dt.datetime | None
    received_on: dt.date | None
    acknowledged_on: dt.date | None
    reply_due: dt.date | None
    reply_due_source: str
    reply_due_confidence: str
    reply_rule: str
    days_left: int | None
    tacit_acceptance: bool | None
    tacit_acceptance_source: str
    overdue_since: dt.date | None
    persons: list[ApplicationPersonOut]
    evidence: list[dict[str, Any]]
    transfers: list[dict[str, Any]]
    interviews: list[dict[str, Any]]
    events: list[EventOut]


class ApplicationOut(BaseModel):
    side: str = Field(description="requesting or requested: whose zone you see.")
    actions: dict[str, list[str]] = Field(
        description='Actions open to you now: "application" and each person id.'
    )
    return_case_id: int | None = Field(description="The return case (requesting side only).")
    application: ApplicationDataOut


def _view(user: User, application_id: int, purpose: str = "api application") -> dict[str, Any]:
    view = selectors.application_view(viewer=user, application_id=application_id, purpose=purpose)
    return {
        "side": view.side,
        "actions": view.actions,
        "return_case_id": view.return_case_id,
        "application": view.data,
    }


# --- Lists and reads ----------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: ApplicationPage, **READ_ERRORS},
    summary="Applications you can see, with the work queues' filters",
    description=(
        "Newest first, in cursor pages. Filter by work queue, status, kind, procedure, "
        "agreement, states, a person's nationality, submission and due dates, and deadline "
        "status. The list carries no personal data; open an application for its content."
    ),
)
def application_list(request: HttpRequest, query: Query[ApplicationQuery]) -> dict[str, Any]:
    filters = query.model_dump(exclude={"cursor", "limit"})
    rows, next_cursor = api_selectors.application_page(
        viewer=viewer(request), filters=filters, cursor=query.cursor, limit=query.limit
    )
    return {"items": rows, "next_cursor": next_cursor}


add_operation(
    router,
    method="GET",
    path="/applications/{application_id}",
    name="application_detail",
    module=MODULE,
    response={200: ApplicationOut, **READ_ERRORS},
    summary="One application, as your side may see it",
    description=(
        "The requested state receives only the shared fields and the shared timeline; the "
        "return case is linked for the requesting authority only. Access-logged."
    ),
    run=lambda u, p, d: _view(u, p["application_id"]),
)

add_operation(
    router,
    method="GET",
    path="/applications/{application_id}/events",
    name="application_events",
    module=MODULE,
    response={200: list[EventOut], **READ_ERRORS},
    summary="The application's timeline",
    description="Oldest first; the requested state sees the shared events only.",
    run=lambda u, p, d: _view(u, p["application_id"], "api timeline")["application"]["events"],
)


# --- Drafting -----------------------------------------------------------------------------


def _draft(user: User, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    case = case_get(viewer=user, case_id=case_id, purpose="api draft an application")
    require(user, Capability.SUBMIT_APPLICATION)
    family = [(pid, label) for pid, label, _role in api_selectors.draft_family(case)]
    application = draft_create(user, case, form_kwargs(DraftForm, data, family=family))
    return _view(user, application.pk)


add_operation(
    router,
    method="POST",
    path="/return-cases/{case_id}/applications",
    name="application_draft",
    module=MODULE,
    body=form_schema(
        DraftForm,
        "DraftIn",
        example={
            "kind": "own_nationals",
            "requested_state": "AZ",
            "procedure": "normal",
            "family": [],
            "observations": "",
        },
    ),
    status=201,
    response={201: ApplicationOut, **ERRORS},
    summary="Draft an application from a return case",
    description=(
        "The registry picks the agreement (an EU agreement before a bilateral one); without "
        "one, 422. `family` lists spouse and children (person ids linked to the case's person) "
        "who join the application. A draft stays with your authority until `submit`."
    ),
    run=lambda u, p, d: _draft(u, p["case_id"], d),
)


# --- Workflow actions ---------------------------------------------------------------------


def _act(user: User, application_id: int, name: str, data: dict[str, Any]) -> dict[str, Any]:
    spec = ACTIONS[name]
    view = selectors.application_view(
        viewer=user, application_id=application_id, purpose=f"api action {name}"
    )
    services.require_may_take(user, view.side, name)  # 403 before the body's questions
    spec.handler(user, application_id, form_kwargs(spec.form, data, **action_choices(spec, view)))
    return _view(user, application_id)


def _runner(name: str) -> Runner:
    return lambda u, p, d: _act(u, p["application_id"], name, d)


# action → (path segment, description, example body). Summaries are the web's labels.
ACTION_OPERATIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "submit": ("submit", "Requesting side. Checks mandatory particulars, the agreement's "
               "windows and the safeguard stops (409 `safeguard_stop`); starts the clock.", {}),
    "acknowledge": ("acknowledge", "Requested side: acknowledge receipt (where the agreement "
                    "starts the clock then, the reply is due from today).", {}),
    "record_identification": ("identification", "Requested side: record a registry check.",
                              {"result": "Found in the passport registry", "note": ""}),
    "interview": ("interviews", "Requested side: request or schedule an interview of a person.",
                  {"person": 1, "scheduled_for": "2026-02-03T10:00:00Z", "place": "Consulate"}),
    "interview_record": ("interviews/result", "Record an interview's result.",
                         {"interview": 1, "held_on": "2026-02-03",
                          "result": "nationality_confirmed"}),
    "request_information": ("information-requests", "Requested side: ask for more "
                            "information. The reply clock keeps running.",
                            {"question": "Please send a copy of the birth certificate."}),
    "provide_information": ("information", "Requesting side: answer the request.",
                            {"answer": "The copy is attached as evidence."}),
    "extend": ("extension", "Requested side: extend the reply period within the agreement's "
               "maximum, with the obstacles.", {"amount": 10, "reason": "Registry archives."}),
    "reply": ("replies", "Requested side: accept or refuse one person; a refusal needs a coded "
              "reason and written reasons.", {"person": 1, "decision": "accept"}),
    "request_td": ("travel-documents/request", "Requesting side: ask for a travel document "
                   "for an accepted person.", {"person": 1}),
    "issue_td": ("travel-documents", "Requested side: issue a travel document (minimum "
                 "validity enforced where configured).",
                 {"person": 1, "kind": "laissez_passer", "number": "LP-1",
                  "issued_on": "2026-02-10", "valid_until": "2026-05-10"}),
    "notify_transfer": ("transfers", "Requesting side: notify the transfer (lead time and "
                        "safeguards checked).",
                        {"persons": [1], "planned_at": "2026-03-01T09:30:00Z",
                         "border_crossing_point": "Baku Heydar Aliyev Airport",
                         "flight": "J2 8012"}),
    "confirm_transfer": ("transfers/confirm", "Requested side: confirm the notified transfer.",
                         {"transfer": 1}),
    "postpone_transfer": ("transfers/postpone", "Postpone a transfer with the obstacle.",
                          {"transfer": 1, "reason": "Flight cancelled."}),
    "carry_out_transfer": ("transfers/carry-out", "Requesting side: record the transfer as "
                           "carried out (safeguards checked again).", {"transfer": 1}),
    "confirm_handover": ("transfers/handover", "Requested side: confirm the handover.",
                         {"transfer": 1}),
    "claim_in_error": ("readmission-in-error", "Requested side: claim that the conditions "
                       "were not met, within the agreement's window.",
                       {"person": 1, "explanation": "Not a national: documents forged."}),
    "withdraw": ("withdrawal", "Requesting side: withdraw the application, with a reason, "
                 "until the transfer.", {"reason": "The person left voluntarily."}),
}  # fmt: skip

for _name, (_segment, _description, _example) in ACTION_OPERATIONS.items():
    _spec = ACTIONS[_name]
    add_operation(
        router,
        method="POST",
        path=f"/applications/{{application_id}}/{_segment}",
        name=f"application_{_name}",
        module=MODULE,
        body=form_schema(
            _spec.form, _name.title().replace("_", "") + "In", example=_example or None
        )
        if _spec.form.base_fields
        else None,
        response={200: ApplicationOut, **ERRORS},
        summary=str(_spec.label),
        description=(
            f"{_description} Allowed only where the transition table allows it now "
            "(409 `illegal_transition`; the other side's action: 403 `wrong_side`). Answers "
            "the application as you see it afterwards."
        ),
        run=_runner(_name),
    )


# --- Evidence -----------------------------------------------------------------------------

EvidenceIn = form_schema(
    EvidenceForm,
    "EvidenceIn",
    example={
        "person": 1,
        "evidence_code": "passport",
        "document_number": "C01234567",
        "expires_on": "2030-01-31",
    },
)


@router.post(
    "/applications/{application_id}/evidence",
    response={201: ApplicationOut, **ERRORS},
    summary="Add a means of evidence (multipart: the fields and an optional `file`)",
    description=(
        "Requesting side, while drafting or answering a request for information. "
        "`evidence_code` is a means of evidence from the agreement's catalogue; the file "
        "(PDF, JPEG, PNG or TIFF) is checked by content, hashed and stored under a neutral name."
    ),
)
def evidence_add(
    request: HttpRequest,
    application_id: int,
    payload: Form[EvidenceIn],  # type: ignore[valid-type]
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Status[dict[str, Any]]:
    user = viewer(request)
    view = selectors.application_view(
        viewer=user, application_id=application_id, purpose="api evidence"
    )
    require(user, Capability.SUBMIT_APPLICATION)
    data = form_kwargs(
        EvidenceForm,
        payload.model_dump(),  # type: ignore[attr-defined]
        files={"file": file} if file else None,
        **_evidence_choices(view),
    )
    upload = data.pop("file")
    services.evidence_add(
        actor=user,
        application_id=application_id,
        person_id=data.pop("person"),
        upload=upload.file if upload else None,
        file_name=upload.name if upload else "",
        **data,
    )
    return Status(201, _view(user, application_id))


@router.get(
    "/applications/{application_id}/evidence/{evidence_id}/file",
    response={200: None, 401: ErrorOut, 404: ErrorOut},
    summary="Download an evidence file",
    description="Both sides; under a neutral name. Access-logged.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file (PDF, JPEG, PNG or TIFF)",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in sorted(EVIDENCE_TYPES)
                },
            }
        }
    },
)
def evidence_file(request: HttpRequest, application_id: int, evidence_id: int) -> FileResponse:
    evidence = selectors.evidence_get(
        viewer=viewer(request), application_id=application_id, evidence_id=evidence_id
    )
    if not evidence.file:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    extension = evidence.file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="evidence-{evidence.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response
