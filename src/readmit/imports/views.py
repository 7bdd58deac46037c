"""The import page: upload, progress (the page refreshes itself while the job runs: a
`Refresh` header, no script), and the report with row and column for each problem."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from readmit.accounts.capabilities import Capability, require
from readmit.core.errors import DomainError
from readmit.imports import jobs
from readmit.imports.columns import COLUMNS, template_csv, template_xlsx
from readmit.web.utils import apply_domain_error, current_user


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    valid_only = forms.BooleanField(
        label=_("Save the valid rows and report the others (otherwise nothing is saved "
                "unless every row is valid)"),
        required=False,
    )  # fmt: skip
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False)


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    require(viewer, Capability.EDIT_RETURN_CASE)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create(
                actor=viewer,
                upload=form.cleaned_data["file"],
                valid_only=form.cleaned_data["valid_only"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("imports:job_detail", job.pk)
    return render(
        request,
        "imports/import_page.html",
        {"form": form, "jobs": jobs.job_list(viewer=viewer), "columns": COLUMNS},
    )


def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    viewer = current_user(request)
    job = jobs.job_get(viewer=viewer, job_id=job_id)
    response = render(request, "imports/job_detail.html", {"job": job})
    if not job.finished:
        response["Refresh"] = "2"
    return response


def template_download(request: HttpRequest, fmt: str) -> HttpResponse:
    require(current_user(request), Capability.EDIT_RETURN_CASE)
    if fmt == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        body = template_xlsx()
    else:
        content_type, body = "text/csv; charset=utf-8", template_csv()
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="readmit-import-template.{fmt}"'
    return response
