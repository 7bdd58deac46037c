"""Web pages of the agreements registry.

Every signed-in user reads the registry; platform administrators (`MANAGE_AGREEMENTS`) edit
it, and export or import it as JSON. Views parse input, call one service or selector, and
render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from readmit.accounts.capabilities import Capability, has, require
from readmit.agreements import selectors, services
from readmit.agreements.choices import EU_KINDS, AgreementKind, Category, RuleKey
from readmit.agreements.deadlines import Procedure
from readmit.agreements.forms import (
    AgreementForm,
    DeadlineForm,
    EvidenceForm,
    ImportForm,
    RuleForm,
)
from readmit.agreements.models import Agreement
from readmit.agreements.registry_io import registry_export
from readmit.core.errors import DomainError, NotFound
from readmit.web.utils import apply_domain_error, current_user


def _can_edit(request: HttpRequest) -> bool:
    return has(current_user(request), Capability.MANAGE_AGREEMENTS)


@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    kind = request.GET.get("kind", "")
    if kind not in AgreementKind.values:
        kind = ""
    agreements = selectors.agreement_list(viewer=viewer, kind=kind)
    context = {
        "agreements": agreements,
        "kinds": AgreementKind.choices,
        "kind": kind,
        "can_edit": _can_edit(request),
    }
    return render(request, "agreements/agreement_list.html", context)


def _rule_rows(agreement: Agreement, today: dt.date) -> list[dict[str, Any]]:
    """One row per rule key: its versions (newest first), which one is in force, or none,
    and which Member States' protocols configure the key."""
    by_key: dict[str, list[Any]] = {}
    for rule in agreement.rules.all():
        by_key.setdefault(rule.key, []).append(rule)
    in_protocols: dict[str, list[str]] = {}
    for protocol in agreement.protocols.all():
        for override in protocol.rules.all():
            states = in_protocols.setdefault(override.key, [])
            if protocol.member_state_id not in states:
                states.append(protocol.member_state_id)
    rows = []
    for key in RuleKey:
        versions = sorted(by_key.get(key.value, []), key=lambda r: r.valid_from, reverse=True)
        current = next((r for r in versions if r.valid_from <= today), None)
        rows.append(
            {
                "key": key.value,
                "label": key.label,
                "versions": versions,
                "current": current,
                "protocols": ", ".join(in_protocols.get(key.value, [])),
            }
        )
    return rows


@require_GET
def agreement_detail(request: HttpRequest, code: str) -> HttpResponse:
    viewer = current_user(request)
    agreement = selectors.agreement_get(viewer=viewer, code=code)
    today = dt.date.today()
    evidence = sorted(
        agreement.evidence.all(), key=lambda e: (e.establishes, e.evidence_class, e.code)
    )
    context = {
        "agreement": agreement,
        "rule_rows": _rule_rows(agreement, today),
        "evidence": evidence,
        "categories": [(c.label, agreement.covers(c.value)) for c in Category],
        "is_eu": agreement.kind in EU_KINDS,
        "can_edit": _can_edit(request),
        "today": today,
        "deadline_form": DeadlineForm(),
    }
    return render(request, "agreements/agreement_detail.html", context)


@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, code: str) -> HttpResponse:
    viewer = current_user(request)
    agreement = selectors.agreement_get(viewer=viewer, code=code)
    require(viewer, Capability.MANAGE_AGREEMENTS)
    initial = {
        name: getattr(agreement, name) for name in AgreementForm.base_fields if name != "languages"
    }
    initial["languages"] = ", ".join(agreement.languages)
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(actor=viewer, code=agreement.code, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Changes to %(code)s saved.") % {"code": agreement.code})
            return redirect("agreements:agreement_detail", code=agreement.code)
    return render(request, "agreements/agreement_form.html", {"agreement": agreement, "form": form})


def _rule_version(agreement: Agreement, key: str, valid_from: str) -> Any:
    try:
        day = dt.date.fromisoformat(valid_from)
    except ValueError:
        return None
    return next((r for r in agreement.rules.all() if r.key == key and r.valid_from == day), None)


@require_http_methods(["GET", "POST"])
def rule_set(request: HttpRequest, code: str) -> HttpResponse:
    """Add a rule version, or change one (?key=…&valid_from=… fills the form with it)."""
    viewer = current_user(request)
    agreement = selectors.agreement_get(viewer=viewer, code=code)
    require(viewer, Capability.MANAGE_AGREEMENTS)
    initial: dict[str, Any] = {}
    existing = _rule_version(
        agreement, request.GET.get("key", ""), request.GET.get("valid_from", "")
    )
    if existing is not None:
        initial = {
            "key": existing.key,
            "valid_from": existing.valid_from,
            "value": ("yes" if existing.value else "no")
            if existing.unit == "boolean"
            else existing.value,
            "unit": existing.unit,
            "clock_start": existing.clock_start,
            "source": existing.source,
            "confidence": existing.confidence,
            "note": existing.note,
        }
    elif request.GET.get("key") in RuleKey.values:
        initial = {"key": request.GET["key"]}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set(actor=viewer, code=agreement.code, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("agreements:agreement_detail", code=agreement.code)
    context = {"agreement": agreement, "form": form, "editing": existing is not None}
    return render(request, "agreements/rule_form.html", context)


@require_POST
def rule_remove(request: HttpRequest, code: str, key: str, valid_from: str) -> HttpResponse:
    viewer = current_user(request)
    agreement = selectors.agreement_get(viewer=viewer, code=code)
    try:
        day = dt.date.fromisoformat(valid_from)
    except ValueError:
        raise NotFound(_("No such rule version.")) from None
    services.rule_remove(actor=viewer, code=agreement.code, key=key, valid_from=day)
    messages.success(
        request, _("Rule removed: %(key)s valid from %(day)s.") % {"key": key, "day": valid_from}
    )
    return redirect("agreements:agreement_detail", code=agreement.code)


@require_http_methods(["GET", "POST"])
def evidence_set(request: HttpRequest, code: str) -> HttpResponse:
    """Add a means of evidence, or change one (?code=… fills the form with it)."""
    viewer = current_user(request)
    agreement = selectors.agreement_get(viewer=viewer, code=code)
    require(viewer, Capability.MANAGE_AGREEMENTS)
    existing = agreement.evidence.filter(code=request.GET.get("evidence", "")).first()
    initial: dict[str, Any] = {"expired_counts": True}
    if existing is not None:
        initial = {
            "evidence_code": existing.code,
            "label": existing.label,
            "evidence_class": existing.evidence_class,
            "establishes": existing.establishes,
            "expired_counts": existing.expired_counts,
            "copy_counts": existing.copy_counts,
            "copy_must_be_authenticated": existing.copy_must_be_authenticated,
            "source": existing.source,
            "confidence": existing.confidence,
        }
    form = EvidenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_set(actor=viewer, code=agreement.code, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Means of evidence saved."))
            return redirect("agreements:agreement_detail", code=agreement.code)
    context = {"agreement": agreement, "form": form, "editing": existing is not None}
    return render(request, "agreements/evidence_form.html", context)


@require_POST
def evidence_remove(request: HttpRequest, code: str, evidence_code: str) -> HttpResponse:
    viewer = current_user(request)
    agreement = selectors.agreement_get(viewer=viewer, code=code)
    services.evidence_remove(actor=viewer, code=agreement.code, evidence_code=evidence_code)
    messages.success(request, _("Means of evidence removed: %(code)s.") % {"code": evidence_code})
    return redirect("agreements:agreement_detail", code=agreement.code)


@require_GET
def deadlines(request: HttpRequest, code: str) -> HttpResponse:
    """The deadline calculator: what the `readmit deadlines` command prints, as a page."""
    viewer = current_user(request)
    agreement = selectors.agreement_get(viewer=viewer, code=code)
    form = DeadlineForm(request.GET or None)
    report = None
    if request.GET and form.is_valid():
        given = form.cleaned_data
        try:
            report = selectors.agreement_deadlines(
                viewer=viewer,
                code=agreement.code,
                received=given["received"],
                procedure=given["procedure"] or Procedure.NORMAL,
                acknowledged=given["acknowledged"],
                accepted=given["accepted"],
                requested_state=given["requested_state"] or None,
                requesting_state=given["requesting_state"] or None,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
    rows: list[dict[str, Any]] = []
    data = report.as_json() if report else None
    if data is not None:
        reply_rule = f"reply_period_{data['procedure']}"
        for key, label, rule in (
            ("reply_due", _("Reply due"), reply_rule),
            (
                "reply_due_extended",
                _("Reply due with the maximum extension"),
                "reply_extension_max",
            ),
            (
                "tacit_acceptance",
                _("Silence means acceptance (tacit acceptance)"),
                "tacit_acceptance",
            ),
            ("transfer_due", _("Transfer due"), "transfer_period"),
            ("td_issue_due", _("Travel document due"), "td_issue_period"),
        ):
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "value": data[key],
                    "clock_start": data["clock_start"].get(key),
                    "source": data["sources"].get(key),
                    "confidence": data["confidence"].get(key),
                    "why_null": data["why_null"].get(key, ""),
                    "configured": rule in data["rules"],
                }
            )
    context = {"agreement": agreement, "form": form, "report": data, "rows": rows}
    return render(request, "agreements/deadlines.html", context)


@require_GET
def registry_download(request: HttpRequest) -> HttpResponse:
    require(current_user(request), Capability.MANAGE_AGREEMENTS)
    response = HttpResponse(registry_export(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="readmit-agreements-{dt.date.today():%Y%m%d}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def registry_upload(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    require(viewer, Capability.MANAGE_AGREEMENTS)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.registry_import(
                actor=viewer, text=upload.read(), source_name=upload.name
            )
        except DomainError as exc:
            problems = exc.fields.get("file", [])
            form.add_error(None, exc.message)
        else:
            messages.success(request, result.summary())
            return redirect("agreements:agreement_list")
    return render(request, "agreements/registry_import.html", {"form": form, "problems": problems})
