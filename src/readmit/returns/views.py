"""Return-case screens: the list, opening a case for a person, the case page and its forms.

Views parse, call one service or selector and render. Scope first (404 out of scope, via
the selectors, which also write the access log), then the capability for writes (403).
A refused form is shown again with what was typed and the messages next to the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from readmit.accounts.capabilities import Capability, require
from readmit.core.errors import Conflict, IllegalTransition, ValidationFailed
from readmit.core.pagination import web_keyset_page
from readmit.core.timeutil import today as local_today
from readmit.persons import selectors as person_selectors
from readmit.returns import selectors, services
from readmit.returns.choices import CaseAction, PolicyKey, StopCode
from readmit.returns.forms import (
    AppealDecideForm,
    AppealForm,
    AsylumDecideForm,
    AsylumForm,
    AvailabilityForm,
    CaseFilterForm,
    CaseForm,
    DecisionForm,
    DetentionEndForm,
    DetentionExtendForm,
    DetentionStartForm,
    OverrideForm,
    PostponementEndForm,
    PostponementForm,
    RiskForm,
    TransitionForm,
    VdExtendForm,
    VdShortenForm,
    VulnerabilityForm,
)
from readmit.returns.models import ReturnCase
from readmit.returns.policy import rule_text
from readmit.returns.safeguards import safeguard_overview
from readmit.web.search import search_redirect, searched
from readmit.web.utils import apply_domain_error, current_user

# Refusals shown on the form; NotFound and Forbidden go on to the 404 and 403 pages.
FORM_ERRORS = (ValidationFailed, Conflict, IllegalTransition)


# Cases per page, newest first. Each row logs two reads (case and person), and SQLite inserts
# at most 99 access-log rows per statement: 40 rows stay one INSERT.
LIST_LIMIT = 40


@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    if request.method == "POST":
        return search_redirect(request, ("query",))
    form = CaseFilterForm(searched(request, ("query",)) or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = web_keyset_page(
        request,
        lambda cursor: selectors.case_page(
            viewer=viewer,
            filters=filters,
            cursor=cursor,
            limit=LIST_LIMIT,
            purpose="return case list",
        ),
    )
    return render(request, "returns/case_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = current_user(request)
    person = person_selectors.person_get(
        viewer=viewer, person_id=person_id, purpose="open a return case"
    )
    require(viewer, Capability.EDIT_RETURN_CASE)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(actor=viewer, person_id=person.pk)
        except FORM_ERRORS as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Return case %(ref)s opened.") % {"ref": case.reference})
            return redirect("returns:case_detail", case_id=case.pk)
    return render(request, "returns/case_form.html", {"form": form, "person": person})


# The forms of the case page: key in the URL → (form, service, message on success).
CASE_FORMS: dict[str, tuple[type[CaseForm], Callable[..., Any], Any]] = {
    "decision": (DecisionForm, services.decision_record, gettext_lazy("Return decision recorded.")),
    "vd-extend": (VdExtendForm, services.vd_extend, gettext_lazy("Voluntary departure extended.")),
    "vd-shorten": (
        VdShortenForm,
        services.vd_shorten,
        gettext_lazy("Voluntary departure shortened."),
    ),
    "appeal": (AppealForm, services.appeal_record, gettext_lazy("Appeal recorded.")),
    "appeal-decide": (AppealDecideForm, services.appeal_decide, gettext_lazy("Appeal updated.")),
    "asylum": (AsylumForm, services.asylum_record, gettext_lazy("Asylum application recorded.")),
    "asylum-decide": (
        AsylumDecideForm,
        services.asylum_decide,
        gettext_lazy("Asylum application updated."),
    ),
    "detention": (
        DetentionStartForm,
        services.detention_start,
        gettext_lazy("Detention recorded."),
    ),
    "detention-end": (
        DetentionEndForm,
        services.detention_end,
        gettext_lazy("End of detention recorded."),
    ),
    "detention-extend": (
        DetentionExtendForm,
        services.detention_extend,
        gettext_lazy("Extension of detention recorded."),
    ),
    "postponement": (
        PostponementForm,
        services.postponement_add,
        gettext_lazy("Postponement recorded."),
    ),
    "postponement-end": (
        PostponementEndForm,
        services.postponement_end,
        gettext_lazy("Postponement ended."),
    ),
    "vulnerability": (
        VulnerabilityForm,
        services.vulnerability_assess,
        gettext_lazy("Vulnerability assessment recorded."),
    ),
    "risk": (
        RiskForm,
        services.risk_of_absconding_set,
        gettext_lazy("Risk of absconding recorded."),
    ),
    "availability": (
        AvailabilityForm,
        services.availability_set,
        gettext_lazy("Availability recorded."),
    ),
    "transition": (TransitionForm, services.case_transition, gettext_lazy("Case status changed.")),
}


def _form_name(key: str) -> str:
    return key.replace("-", "_") + "_form"


def _override_codes(rows: list[Any]) -> list[tuple[str, str]]:
    return [(r.stop.code, str(StopCode(r.stop.code).label)) for r in rows if r.blocking]


def _render_case(
    request: HttpRequest,
    case: ReturnCase,
    bound: dict[str, CaseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    on = local_today()
    bound = bound or {}
    decision = selectors.current_decision(case)
    safeguards = safeguard_overview(case, on)
    page_forms: dict[str, Any] = {
        _form_name(key): bound.get(key) or form_class(case=case, auto_id=f"{key}_%s")
        for key, (form_class, _service, _done) in CASE_FORMS.items()
    }
    page_forms["override_form"] = bound.get("override") or OverrideForm(
        case=case, codes=_override_codes(safeguards), auto_id="override_%s"
    )
    postponements = list(case.postponements.all())
    context = {
        "case": case,
        "person": case.person,
        "decision": decision,
        "replaced_decisions": case.decisions.filter(replaced_at__isnull=False),
        "vd_end": decision.vd_effective_end if decision else None,
        "vd_range": (
            rule_text(selectors.case_policy(case, PolicyKey.VOLUNTARY_DEPARTURE_MIN, on=on)),
            rule_text(selectors.case_policy(case, PolicyKey.VOLUNTARY_DEPARTURE_MAX, on=on)),
        ),
        "entry_ban_end": selectors.entry_ban_end(case, decision),
        "entry_ban_max": rule_text(selectors.case_policy(case, PolicyKey.ENTRY_BAN_MAX, on=on)),
        "appeals": case.appeals.all(),
        "asylum_applications": case.asylum_applications.all(),
        "detentions": case.detentions.all(),
        "detention": selectors.detention_total(case, on),
        "postponements": [(p, p.applies_on(on)) for p in postponements],
        "vulnerability": selectors.current_vulnerability(case),
        "vulnerability_history": case.vulnerability_assessments.count(),
        "readiness": selectors.readiness(case, on),
        "transfer_to_record": selectors.transfer_to_record(case),
        "safeguards": safeguards,
        "actions": [(a, CaseAction(a).label) for a in services.allowed_actions(case)],
        "timeline": selectors.case_timeline(case),
        "today": on,
        **page_forms,
    }
    return render(request, "returns/case_detail.html", context, status=status)


@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    viewer = current_user(request)
    case = selectors.case_get(viewer=viewer, case_id=case_id)
    return _render_case(request, case)


@require_POST
def case_post(request: HttpRequest, case_id: int, form: str) -> HttpResponse:
    viewer = current_user(request)
    case = selectors.case_get(viewer=viewer, case_id=case_id)
    require(viewer, Capability.EDIT_RETURN_CASE)
    if form not in CASE_FORMS:
        raise Http404(_("No such form."))
    form_class, service, done = CASE_FORMS[form]
    bound = form_class(request.POST, case=case, auto_id=f"{form}_%s")
    if bound.is_valid():
        try:
            service(actor=viewer, case_id=case.pk, **bound.service_kwargs())
        except FORM_ERRORS as exc:
            apply_domain_error(bound, exc)
        else:
            messages.success(request, str(done))
            return redirect("returns:case_detail", case_id=case.pk)
    return _render_case(request, case, {form: bound})


@require_POST
def safeguard_override(request: HttpRequest, case_id: int) -> HttpResponse:
    viewer = current_user(request)
    case = selectors.case_get(viewer=viewer, case_id=case_id)
    require(viewer, Capability.OVERRIDE_SAFEGUARD)
    codes = _override_codes(safeguard_overview(case, local_today()))
    bound = OverrideForm(request.POST, case=case, codes=codes, auto_id="override_%s")
    if bound.is_valid():
        try:
            services.safeguard_override(actor=viewer, case_id=case.pk, **bound.service_kwargs())
        except FORM_ERRORS as exc:
            apply_domain_error(bound, exc)
        else:
            messages.success(
                request, _("Safeguard stop overridden; the reason is in the audit trail.")
            )
            return redirect("returns:case_detail", case_id=case.pk)
    return _render_case(request, case, {"override": bound})
