"""The audit trail and access log of the viewer's own authority, with CSV export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from readmit.audit import selectors
from readmit.core.pagination import keyset_page, web_keyset_page
from readmit.web.utils import csv_response, current_user


class PeriodForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100)


def _period(request: HttpRequest) -> tuple[PeriodForm, dict[str, Any]]:
    form = PeriodForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, filters


def audit_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    form, filters = _period(request)
    entries = selectors.audit_entry_list(user=viewer, **filters)
    page = web_keyset_page(request, lambda cursor: keyset_page(entries, cursor=cursor, limit=50))
    selectors.audit_entries_shown(user=viewer, entries=page.rows, purpose="audit trail")
    return render(request, "audit/audit_list.html", {"form": form, "page": page})


def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    viewer = current_user(request)
    _form, filters = _period(request)
    entries = selectors.audit_entry_list(user=viewer, **filters)
    rows = (
        (
            e.seq,
            e.at.isoformat(),
            e.actor_username,
            e.actor_authority_code,
            e.channel,
            e.action,
            e.object_type,
            e.object_id,
            e.changes,
            e.reason,
            e.hash,
        )
        for e in selectors.audit_entries_streamed(
            user=viewer, entries=entries.iterator(chunk_size=2000), purpose="audit export"
        )
    )
    header = [
        "seq",
        "time",
        "actor",
        "authority",
        "channel",
        "action",
        "object_type",
        "object_id",
        "changes",
        "reason",
        "hash",
    ]
    return csv_response(f"audit-{dt.date.today():%Y%m%d}.csv", header, rows)


def access_log_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    form, filters = _period(request)
    filters.pop("action", None)
    entries = selectors.access_log_list(user=viewer, **filters)
    page = web_keyset_page(request, lambda cursor: keyset_page(entries, cursor=cursor, limit=50))
    return render(request, "audit/access_log_list.html", {"form": form, "page": page})


def access_log_export(request: HttpRequest) -> StreamingHttpResponse:
    viewer = current_user(request)
    _form, filters = _period(request)
    filters.pop("action", None)
    entries = selectors.access_log_list(user=viewer, **filters)
    rows = (
        (
            e.at.isoformat(),
            e.actor_username,
            e.actor_authority_code,
            e.channel,
            e.object_type,
            e.object_id,
            e.purpose,
        )
        for e in entries.iterator(chunk_size=2000)
    )
    header = ["time", "reader", "authority", "channel", "record_type", "record_id", "view"]
    return csv_response(f"access-log-{dt.date.today():%Y%m%d}.csv", header, rows)
