"""API operations for return cases: the requesting authority's return file.

Each form of the case page is one operation (`CASE_FORMS` of the web, parsed by the same
form, applied by the same service); the case is answered as it stands afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.orm import create_schema
from pydantic import Field

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import User
from readmit.api.errors import ERRORS, READ_ERRORS
from readmit.api.forms import form_kwargs, form_schema
from readmit.api.operations import Runner, add_operation, viewer
from readmit.api.pagination import Page, PageQuery
from readmit.core.timeutil import today as local_today
from readmit.returns import selectors, services
from readmit.returns.choices import CaseStatus
from readmit.returns.forms import OverrideForm
from readmit.returns.models import (
    Appeal,
    AsylumApplication,
    DetentionEpisode,
    Postponement,
    ReturnCase,
    ReturnDecision,
    VulnerabilityAssessment,
)
from readmit.returns.safeguards import safeguard_overview
from readmit.returns.views import CASE_FORMS, _override_codes

router = Router(tags=["return cases"])
MODULE = __name__

_CASE = ["case"]
DecisionOut = create_schema(ReturnDecision, name="DecisionOut", exclude=_CASE)
AppealOut = create_schema(Appeal, name="AppealOut", exclude=_CASE)
AsylumOut = create_schema(AsylumApplication, name="AsylumOut", exclude=_CASE)
DetentionOut = create_schema(DetentionEpisode, name="DetentionOut", exclude=_CASE)
PostponementOut = create_schema(Postponement, name="PostponementOut", exclude=_CASE)
VulnerabilityOut = create_schema(VulnerabilityAssessment, name="VulnerabilityOut", exclude=_CASE)


class SafeguardOut(Schema):
    code: str
    message: str
    what_clears_it: str
    source: str
    blocking: bool
    blocks: list[str]


class TimelineOut(Schema):
    at: dt.datetime
    action: str
    label: str
    actor: str
    detail: dict[str, Any]


class CaseSummaryOut(Schema):
    id: int
    reference: str
    status: str
    person_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CaseOut(CaseSummaryOut):
    identified_on: dt.date | None
    documented_on: dt.date | None
    availability: str
    risk_of_absconding: bool | None
    actual_departure: dt.date | None
    decision: DecisionOut | None  # type: ignore[valid-type]
    appeals: list[AppealOut]  # type: ignore[valid-type]
    asylum_applications: list[AsylumOut]  # type: ignore[valid-type]
    detentions: list[DetentionOut]  # type: ignore[valid-type]
    postponements: list[PostponementOut]  # type: ignore[valid-type]
    vulnerability: VulnerabilityOut | None  # type: ignore[valid-type]
    safeguards: list[SafeguardOut]
    ready: bool
    missing: list[str]
    actions: list[str] = Field(description="Status changes allowed now (operation `transition`).")
    timeline: list[TimelineOut]


def case_out(case: ReturnCase) -> dict[str, Any]:
    on = local_today()
    readiness = selectors.readiness(case, on)
    return {
        **{k: getattr(case, k) for k in CaseSummaryOut.model_fields if k != "person_id"},
        "person_id": case.person_id,
        "identified_on": case.identified_on,
        "documented_on": case.documented_on,
        "availability": case.availability,
        "risk_of_absconding": case.risk_of_absconding,
        "actual_departure": case.actual_departure,
        "decision": selectors.current_decision(case),
        "appeals": list(case.appeals.all()),
        "asylum_applications": list(case.asylum_applications.all()),
        "detentions": list(case.detentions.all()),
        "postponements": list(case.postponements.all()),
        "vulnerability": selectors.current_vulnerability(case),
        "safeguards": [
            {
                "code": row.stop.code,
                "message": str(row.stop.message),
                "what_clears_it": str(row.stop.what_clears_it),
                "source": str(row.stop.source),
                "blocking": row.blocking,
                "blocks": [str(b) for b in row.blocks],
            }
            for row in safeguard_overview(case, on)
        ],
        "ready": readiness.ready,
        "missing": [str(m) for m in readiness.missing],
        "actions": services.allowed_actions(case),
        "timeline": [
            {**vars(e), "label": str(e.label), "detail": e.detail}
            for e in selectors.case_timeline(case)
        ],
    }


class CasePage(Page[CaseSummaryOut]):
    pass


class CaseQuery(PageQuery):
    status: CaseStatus | None = None
    query: str = Field("", max_length=200, description="Reference, name or document number.")


@router.get(
    "/return-cases",
    response={200: CasePage, **READ_ERRORS},
    summary="Return cases of your authority",
    description="Newest first, in cursor pages; filter by status or text. Access-logged.",
)
def case_list(request: HttpRequest, query: Query[CaseQuery]) -> dict[str, Any]:
    rows, next_cursor = selectors.case_page(
        viewer=viewer(request),
        filters={"status": query.status, "query": query.query},
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": rows, "next_cursor": next_cursor}


def _case(user: User, case_id: int, purpose: str = "api return case") -> ReturnCase:
    return selectors.case_get(viewer=user, case_id=case_id, purpose=purpose)


class CaseIn(Schema):
    person_id: int = Field(description="A person registered by your authority.")

    model_config = {**Schema.model_config, "json_schema_extra": {"examples": [{"person_id": 1}]}}


def _case_create(user: User, person_id: int) -> dict[str, Any]:
    from readmit.persons.selectors import person_get

    person = person_get(viewer=user, person_id=person_id, purpose="api open a return case")
    return case_out(services.case_create(actor=user, person_id=person.pk))


add_operation(
    router,
    method="POST",
    path="/return-cases",
    name="case_create",
    module=MODULE,
    body=CaseIn,
    status=201,
    response={201: CaseOut, **ERRORS},
    summary="Open a return case for a person",
    description="One active case per person; the reference is given by the platform.",
    run=lambda u, p, d: _case_create(u, d["person_id"]),
)

add_operation(
    router,
    method="GET",
    path="/return-cases/{case_id}",
    name="case_detail",
    module=MODULE,
    response={200: CaseOut, **READ_ERRORS},
    summary="One return case with its decision, remedies, detention and safeguards",
    description="Everything the case page shows; the requested state never sees this.",
    run=lambda u, p, d: case_out(_case(u, p["case_id"])),
)


def _case_form(user: User, case_id: int, key: str, data: dict[str, Any]) -> dict[str, Any]:
    case = _case(user, case_id, f"api case {key}")
    require(user, Capability.EDIT_RETURN_CASE)
    form_class, service, _done = CASE_FORMS[key]
    service(actor=user, case_id=case.pk, **form_kwargs(form_class, data, case=case))
    return case_out(_case(user, case_id))


def _runner(key: str) -> Runner:
    return lambda u, p, d: _case_form(u, p["case_id"], key, d)


# key of the web's CASE_FORMS → (summary, example). One operation each.
CASE_OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "decision": ("Record the return decision", {
        "decided_on": "2026-01-10", "notified_on": "2026-01-12", "vd_granted": True,
        "vd_start": "2026-01-12", "vd_end": "2026-02-10", "entry_ban_imposed": False}),
    "vd-extend": ("Extend the voluntary-departure period",
                  {"until": "2026-03-10", "reason": "School year ends."}),
    "vd-shorten": ("Shorten the voluntary-departure period",
                   {"until": "2026-01-20", "reason": "risk_of_absconding"}),
    "appeal": ("Record an appeal", {"lodged_on": "2026-01-20", "body": "Administrative court",
                                    "suspensive_effect": True}),
    "appeal-decide": ("Record the appeal's decision or withdrawal",
                      {"appeal_id": 1, "status": "decided", "decided_on": "2026-02-01"}),
    "asylum": ("Record an asylum application", {"lodged_on": "2026-01-20"}),
    "asylum-decide": ("Record the asylum decision",
                      {"application_id": 1, "status": "rejected", "decided_on": "2026-02-01"}),
    "detention": ("Record the start of detention",
                  {"start": "2026-01-20", "ground": "risk_of_absconding"}),
    "detention-end": ("Record the end of detention", {"episode_id": 1, "end": "2026-02-20"}),
    "detention-extend": ("Extend detention", {"episode_id": 1, "until": "2026-08-20",
                                              "reason": "delays_obtaining_documents"}),
    "postponement": ("Postpone removal", {"reason": "health", "starts_on": "2026-01-20",
                                          "until": "2026-03-01"}),
    "postponement-end": ("End a postponement", {"postponement_id": 1, "ended_on": "2026-02-01"}),
    "vulnerability": ("Record a vulnerability assessment",
                      {"assessed_on": "2026-01-15", "minor": False, "serious_illness": False}),
    "risk": ("Record the risk-of-absconding assessment",
             {"risk": True, "reason": "Previous absconding.", "assessed_on": "2026-01-15"}),
    "availability": ("Record where the person can be found",
                     {"availability": "whereabouts_known", "on": "2026-01-15"}),
    "transition": ("Change the case's status (see `actions`)", {"action": "mark_ready"}),
}  # fmt: skip

for _key, (_summary, _example) in CASE_OPERATIONS.items():
    _segment = _key.replace("-", "_")
    add_operation(
        router,
        method="POST",
        path=f"/return-cases/{{case_id}}/{_key}",
        name=f"case_{_segment}",
        module=MODULE,
        body=form_schema(
            CASE_FORMS[_key][0], "Case" + _segment.title().replace("_", "") + "In", example=_example
        ),
        response={200: CaseOut, **ERRORS},
        summary=_summary,
        description=(
            f"{_summary}: the same rules as the case page (`{_key}` form). Answers the case; "
            "the change and its reasons are in the audit trail."
        ),
        run=_runner(_key),
    )


def _override(user: User, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    case = _case(user, case_id, "api safeguard override")
    require(user, Capability.OVERRIDE_SAFEGUARD)
    codes = _override_codes(safeguard_overview(case, local_today()))
    services.safeguard_override(
        actor=user, case_id=case.pk, **form_kwargs(OverrideForm, data, case=case, codes=codes)
    )
    return case_out(_case(user, case_id))


add_operation(
    router,
    method="POST",
    path="/return-cases/{case_id}/safeguard-override",
    name="case_safeguard_override",
    module=MODULE,
    body=form_schema(
        OverrideForm,
        "SafeguardOverrideIn",
        example={"code": "pending_appeal", "reason": "The court refused interim measures."},
    ),
    response={200: CaseOut, **ERRORS},
    summary="Override a blocking safeguard stop (supervisors)",
    description=(
        "Only a blocking stop of the case can be overridden, with a written reason; the "
        "override is audited and lapses when a new blocking fact appears."
    ),
    run=lambda u, p, d: _override(u, p["case_id"], d),
)
