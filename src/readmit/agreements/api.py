"""API operations for the agreements registry and the deadline computation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from readmit.accounts.models import User
from readmit.agreements import selectors
from readmit.agreements.choices import RuleKey
from readmit.agreements.deadlines import Procedure
from readmit.agreements.registry_io import agreement_to_dict
from readmit.api.errors import ErrorOut

router = Router(tags=["agreements"])


class AgreementSummaryOut(Schema):
    code: str
    title: str
    kind: str
    parties: list[str]
    signed: dt.date | None
    entry_into_force: dt.date | None
    end: dt.date | None
    dates_confidence: str


class RuleOut(Schema):
    rule: str
    value: int | bool
    unit: str
    clock_start: str | None
    valid_from: dt.date
    source: str
    confidence: str
    note: str


class AgreementOut(AgreementSummaryOut):
    legal_reference: str
    dates_source: str
    scope: dict[str, bool]
    excluded_member_states: list[dict[str, Any]]
    phases: list[dict[str, Any]]
    languages: list[str]
    rules: list[RuleOut]
    not_configured: list[str]
    evidence: list[dict[str, Any]]
    protocols: list[dict[str, Any]]
    notes: str


class RuleValueOut(Schema):
    value: int | bool
    unit: str
    clock_start: str | None
    valid_from: dt.date
    source: str
    confidence: str
    note: str
    origin: str


class ClockStartOut(Schema):
    event: str | None
    date: dt.date


class DeadlinesOut(Schema):
    agreement: str
    procedure: str
    received: dt.date
    acknowledged: dt.date | None
    accepted: dt.date | None
    requested_state: str
    requesting_state: str | None
    protocol: str | None
    calendar: str
    roll_forward: bool
    reply_due: dt.date | None
    reply_due_extended: dt.date | None
    tacit_acceptance: bool | None
    transfer_due: dt.date | None
    td_issue_due: dt.date | None
    clock_start: dict[str, ClockStartOut]
    sources: dict[str, str | None]
    confidence: dict[str, str | None]
    why_null: dict[str, str]
    rules: dict[str, RuleValueOut]
    warnings: list[str]


class DeadlinesQuery(Schema):
    agreement: str
    received: dt.date
    procedure: str = Procedure.NORMAL
    acknowledged: dt.date | None = None
    accepted: dt.date | None = None
    requested_state: str | None = None
    requesting_state: str | None = None


def _viewer(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get(
    "/agreements",
    response={200: list[AgreementSummaryOut], 401: ErrorOut, 422: ErrorOut},
    summary="The agreements and arrangements of the registry",
)
def agreement_list(request: HttpRequest, kind: str = "") -> list[AgreementSummaryOut]:
    """Every agreement or arrangement in the registry, with its dates' confidence."""
    return [
        AgreementSummaryOut(
            code=a.code,
            title=a.title,
            kind=a.kind,
            parties=list(a.party_codes),
            signed=a.signed,
            entry_into_force=a.entry_into_force,
            end=a.end,
            dates_confidence=a.dates_confidence,
        )
        for a in selectors.agreement_list(viewer=_viewer(request), kind=kind)
    ]


@router.get(
    "/agreements/{code}",
    response={200: AgreementOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="One agreement: rules with sources and confidence, evidence, phases, protocols",
)
def agreement_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """The agreement's rules (each with its source and confidence), evidence catalogue,
    phases and protocols; `not_configured` lists the rules the registry does not know."""
    agreement = selectors.agreement_get(viewer=_viewer(request), code=code)
    data = agreement_to_dict(agreement)
    configured = {r["rule"] for r in data["rules"]}
    data["not_configured"] = [key.value for key in RuleKey if key.value not in configured]
    return data


@router.get(
    "/deadlines",
    response={200: DeadlinesOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Deadlines of an application (null: not configured, see why_null)",
)
def deadlines(request: HttpRequest, query: Query[DeadlinesQuery]) -> dict[str, Any]:
    """The time limits of an application received on `received` under `agreement`: each
    with its rule, source and confidence; null where the agreement configures none."""
    report = selectors.agreement_deadlines(
        viewer=_viewer(request),
        code=query.agreement,
        received=query.received,
        procedure=query.procedure,
        acknowledged=query.acknowledged,
        accepted=query.accepted,
        requested_state=query.requested_state,
        requesting_state=query.requesting_state,
    )
    return report.as_json()
