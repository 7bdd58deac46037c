"""Web views of the readmission workflow: work queue, application page, actions, evidence."""

from __future__ import annotations

from typing import Any

from csp.constants import SELF
from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import State, User
from readmit.agreements.models import Agreement, EvidenceType
from readmit.audit.services import access_log_record
from readmit.core.errors import DomainError
from readmit.core.i18n import local_datetime
from readmit.persons.models import CivilStatus, IdentifierKind, NameKind, NationalityStatus, Sex
from readmit.readmission import selectors, services
from readmit.readmission.actions import ACTIONS, DATE, Action
from readmit.readmission.api_selectors import draft_family
from readmit.readmission.filters import decode_cursor, encode_cursor, parse_filters
from readmit.readmission.models import OPEN_STATUSES, ApplicationKind, PersonRole, Procedure
from readmit.web.search import search_redirect, searched
from readmit.web.utils import apply_domain_error, current_user

QUEUE_TABS = (
    ("action_needed", gettext_lazy("Action needed")),
    ("due_soon", gettext_lazy("Due soon")),
    ("overdue", gettext_lazy("Overdue")),
    ("waiting", gettext_lazy("Waiting for the other state")),
    ("all", gettext_lazy("All")),
)
PAGE_SIZE = 50


def _count_label(count: int | None) -> str | None:
    """A queue tab's count as shown: beyond the counting cap, "1,000+" (localised)."""
    if count is None:
        return None
    if count > selectors.QUEUE_COUNT_CAP:
        return _("%(count)s+") % {
            "count": number_format(selectors.QUEUE_COUNT_CAP, force_grouping=True)
        }
    return str(count)


def queue_context(request: HttpRequest, viewer: User) -> dict[str, Any]:
    """The work queue's tabs, counts, filter panel and one page of rows, from the query string."""
    require(viewer, Capability.VIEW_CASES)
    queue = request.GET.get("queue", "action_needed")
    if queue not in dict(QUEUE_TABS):
        queue = "action_needed"
    states = [(s.code, s.name) for s in State.objects.order_by("name").only("code", "name")]
    agreements = [(a.code, a.code) for a in Agreement.objects.order_by("code").only("code")]
    form, filters = parse_filters(searched(request), states=states, agreements=agreements)
    after = decode_cursor(request.GET.get("after", ""), filters.sort)
    rows = selectors.work_queue(
        viewer=viewer, queue=queue, filters=filters, after=after, limit=PAGE_SIZE
    )
    for row in rows:
        left = selectors.days_left(row) if row.status in OPEN_STATUSES else None
        row.days_left = left  # type: ignore[attr-defined]
        row.days_overdue = -left if left is not None and left < 0 else 0  # type: ignore[attr-defined]
    counts = selectors.queue_counts(viewer=viewer)
    params = request.GET.copy()
    params.pop("after", None)
    next_params = None
    if len(rows) == PAGE_SIZE:
        next_params = params.copy()
        next_params["after"] = encode_cursor(rows[-1], filters.sort)
    sort_links = {}
    for column in ("received", "due"):
        p = params.copy()
        p["sort"] = f"-{column}" if filters.sort == column else column
        sort_links[column] = p.urlencode()
    return {
        "queue": queue,
        "tabs": [(name, label, _count_label(counts.get(name))) for name, label in QUEUE_TABS],
        "counts": counts,
        "rows": rows,
        "form": form,
        "filters": filters,
        "sort_links": sort_links,
        "query": params.urlencode(),
        # The export takes the same filters; "all" is every application in scope there.
        "export_query": _without(params, "queue" if queue == "all" else "", "sort").urlencode(),
        "next_query": next_params.urlencode() if next_params else "",
        "is_first_page": after is None,
    }


def _without(params: QueryDict, *names: str) -> QueryDict:
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy


@require_http_methods(["GET", "POST"])
def work_queue(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    if request.method == "POST":
        return search_redirect(request)
    return render_queue(request, queue_context(request, viewer), "readmission/work_queue.html")


def render_queue(request: HttpRequest, context: dict[str, Any], template: str) -> HttpResponse:
    """The page, or for htmx's filter form only the results; a rejected filter reloads the
    whole page so its messages appear next to the fields."""
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "queue-results":
        if context["form"].errors:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = request.get_full_path()
            return response
        return render(request, "readmission/_queue_results.html", context)
    return render(request, template, context)


# --- Drafting ---------------------------------------------------------------------------------


class DraftForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of application"),
        choices=[
            c for c in ApplicationKind.choices if c[0] != ApplicationKind.READMISSION_IN_ERROR
        ],
    )
    stateless = forms.BooleanField(label=gettext_lazy("The person is stateless"), required=False)
    requested_state = forms.ChoiceField(label=gettext_lazy("Requested state"), choices=[])
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), choices=Procedure.choices)
    apprehended_on = forms.DateField(
        label=gettext_lazy("Apprehended on (accelerated procedure)"), required=False, widget=DATE
    )
    knowledge_on = forms.DateField(
        label=gettext_lazy("Unlawful stay known since (third-country nationals)"),
        required=False,
        widget=DATE,
    )
    family = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Family members in the same application"),
        coerce=int,
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    health_statement = forms.CharField(
        label=gettext_lazy("Statement that the person needs help or care"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    health_consent = forms.BooleanField(
        label=gettext_lazy("The person has expressly consented to sharing this statement"),
        required=False,
    )
    observations = forms.CharField(
        label=gettext_lazy("Observations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, family: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = State.objects.filter(agreements__isnull=False).distinct().order_by("name")
        # No state preselected: the officer chooses (the first in the alphabet is nobody's).
        self.fields["requested_state"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (s.code, s.name) for s in partners
        ]
        self.fields["family"].choices = family  # type: ignore[attr-defined]


def draft_create(viewer: Any, case: Any, data: dict[str, Any]) -> Any:
    """Draft from the cleaned DraftForm data: the case's person as principal, with the
    chosen spouse and children (the web page and the API alike)."""
    roles = {pid: role for pid, _label, role in draft_family(case)}
    persons = [
        services.PersonInput(
            person_id=case.person_id,
            role=PersonRole.PRINCIPAL,
            health_statement=data["health_statement"],
            health_consent=data["health_consent"],
        )
    ]
    persons += [services.PersonInput(person_id=pid, role=roles[pid]) for pid in data["family"]]
    return services.application_draft(
        actor=viewer,
        return_case_id=case.pk,
        kind=data["kind"],
        requested_state=data["requested_state"],
        persons=persons,
        procedure=data["procedure"],
        apprehended_on=data["apprehended_on"],
        knowledge_on=data["knowledge_on"],
        observations=data["observations"],
        stateless=data["stateless"],
    )


@require_http_methods(["GET", "POST"])
def application_draft(request: HttpRequest, case_id: int) -> HttpResponse:
    from readmit.returns.selectors import case_get

    viewer = current_user(request)
    case = case_get(viewer=viewer, case_id=case_id)  # out of scope: 404, before the capability
    require(viewer, Capability.SUBMIT_APPLICATION)
    family = [(pid, label) for pid, label, _role in draft_family(case)]
    if family:  # the form names the spouse and children: a read of their records
        access_log_record(
            actor=viewer,
            records=[("persons.person", pid, case.owner_authority_id) for pid, _label in family],
            purpose="draft an application",
        )
    form = DraftForm(request.POST or None, family=family)
    if request.method == "POST" and form.is_valid():
        try:
            application = draft_create(viewer, case, form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Draft %(ref)s created under %(code)s. Add the evidence, then submit.")
                % {"ref": application.reference, "code": application.agreement.code},
            )
            return redirect("readmission:application_detail", application_id=application.pk)
    return render(request, "readmission/draft.html", {"form": form, "case": case})


# --- The application page ---------------------------------------------------------------------


def action_choices(action: Action, view: selectors.ApplicationView) -> dict[str, Any]:
    data = view.data
    people = [
        (
            p["id"],
            f"{p['particulars'].get('surname_latin', '')}, {p['particulars'].get('given_names_latin', '')} ({p['role_label']})",
        )
        for p in data["persons"]
    ]
    if action.scope in ("person", "persons"):
        return {"persons": people}
    if action.scope == "transfer":
        return {
            "transfers": [
                (t["id"], f"{local_datetime(t['planned_at'])} – {t['status_label']}")
                for t in data["transfers"]
            ]
        }
    if action.scope == "interview":
        return {
            "interviews": [
                (
                    i["id"],
                    f"{i['status']} {local_datetime(i['scheduled_for'])}"
                    if i["scheduled_for"]
                    else i["status"],
                )
                for i in data["interviews"]
            ]
        }
    return {}


def _available(view: selectors.ApplicationView) -> list[str]:
    names: set[str] = set(view.actions.get("application", []))
    for key, acts in view.actions.items():
        if key != "application":
            names |= {"reply" if a in ("accept", "refuse") else a for a in acts}
    if "interview" in names and view.data["interviews"]:
        names.add("interview_record")
    return [n for n in ACTIONS if n in names]


def _render_detail(
    request: HttpRequest,
    view: selectors.ApplicationView,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    action_forms = []
    for name in _available(view):
        action = ACTIONS[name]
        form = bound.get(name) or action.form(prefix=name, **action_choices(action, view))
        action_forms.append({"name": name, "action": action, "form": form})
    evidence_types = []
    if view.side == "requesting" and view.data["status"] in ("draft", "information_requested"):
        evidence_types = list(
            EvidenceType.objects.filter(agreement__code=view.data["agreement"]["code"])
        )
    evidence = view.data["evidence"]
    selected = None
    wanted = request.GET.get("evidence", "")
    with_file = [e for e in evidence if e["has_file"]]
    if wanted.isdigit():
        selected = next((e for e in with_file if e["id"] == int(wanted)), None)
    selected = selected or (with_file[0] if with_file else None)
    context = {
        "view": view,
        "a": view.data,
        "action_forms": action_forms,
        "evidence_types": evidence_types,
        "selected_evidence": selected,
        "persons_by_id": {p["id"]: p for p in view.data["persons"]},
        "state_names": _state_names(view.data["persons"]),
        "labels": PARTICULAR_LABELS,
    }
    return render(request, "readmission/application_detail.html", context, status=status)


PARTICULAR_LABELS = {
    "sex": dict(Sex.choices),
    "civil_status": dict(CivilStatus.choices),
    "nationality_status": dict(NationalityStatus.choices),
    "identifier_kind": dict(IdentifierKind.choices),
    "name_kind": dict(NameKind.choices),
}


def _state_names(persons: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the states the particulars mention by code, in one query."""
    codes: set[str] = set()
    for p in persons:
        part = p["particulars"]
        codes |= {part.get("birth_country") or "", part.get("last_address_country") or ""}
        codes |= {n.get("state") or "" for n in part.get("nationalities") or []}
        codes |= {d.get("issuing_state") or "" for d in part.get("identity_documents") or []}
    codes.discard("")
    return dict(State.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    viewer = current_user(request)
    view = selectors.application_view(viewer=viewer, application_id=application_id)
    return _render_detail(request, view)


@require_POST
def application_act(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    viewer = current_user(request)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    view = selectors.application_view(
        viewer=viewer, application_id=application_id, purpose=f"action {action}"
    )
    services.require_may_take(viewer, view.side, action)  # 403 before the form's questions
    form = spec.form(request.POST, prefix=action, **action_choices(spec, view))
    if form.is_valid():
        started = timezone.now()
        try:
            spec.handler(viewer, application_id, form.cleaned_data)
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            apply_domain_error(form, exc)
        else:
            done = _("Done: %(action)s.") % {"action": spec.label}
            # What the step recorded ("Application submitted to Azerbaijan.", "Accepted.
            # Transfer due by …"), as the timeline says it.
            recorded = selectors.step_summary(
                viewer=viewer, application_id=application_id, since=started
            )
            messages.success(request, f"{done} {recorded}".strip())
            return redirect("readmission:application_detail", application_id=application_id)
    view = selectors.application_view(
        viewer=viewer, application_id=application_id, purpose=f"action {action}"
    )
    return _render_detail(request, view, bound={action: form}, status=422)


class EvidenceForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("Person"), coerce=int, choices=[])
    evidence_code = forms.ChoiceField(
        label=gettext_lazy("Means of evidence (from the agreement's catalogue)"), choices=[]
    )
    is_copy = forms.BooleanField(label=gettext_lazy("This is a copy"), required=False)
    authenticated = forms.BooleanField(
        label=gettext_lazy("The copy is authenticated"), required=False
    )
    document_number = forms.CharField(
        label=gettext_lazy("Document number"), required=False, max_length=60
    )
    issued_on = forms.DateField(label=gettext_lazy("Issued on"), required=False, widget=DATE)
    expires_on = forms.DateField(
        label=gettext_lazy(
            "Expires on (an expired document still counts where the agreement says so)"
        ),
        required=False,
        widget=DATE,
    )
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=300)
    file = forms.FileField(label=gettext_lazy("File (PDF, JPEG, PNG or TIFF)"), required=False)

    def __init__(
        self,
        *args: Any,
        persons: list[tuple[int, str]],
        types: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = persons  # type: ignore[attr-defined]
        self.fields["evidence_code"].choices = types  # type: ignore[attr-defined]


def evidence_choices(view: selectors.ApplicationView) -> dict[str, Any]:
    """The persons and the agreement's means of evidence the evidence form offers."""
    # Grouped by what the evidence establishes (nationality, or a third-country national's
    # conditions), as the agreement's annexes are; nothing preselected.
    groups: dict[str, list[tuple[str, str]]] = {}
    for e in EvidenceType.objects.filter(agreement__code=view.data["agreement"]["code"]):
        groups.setdefault(str(e.get_establishes_display()), []).append(
            (e.code, f"{e.label} – {e.get_evidence_class_display()}")
        )
    types: list[Any] = [("", "—"), *groups.items()]
    return {"persons": action_choices(ACTIONS["reply"], view)["persons"], "types": types}


@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, application_id: int) -> HttpResponse:
    viewer = current_user(request)
    view = selectors.application_view(
        viewer=viewer, application_id=application_id, purpose="evidence form"
    )
    require(viewer, Capability.SUBMIT_APPLICATION)
    form = EvidenceForm(request.POST or None, request.FILES or None, **evidence_choices(view))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.pop("file")
        try:
            services.evidence_add(
                actor=viewer,
                application_id=application_id,
                person_id=data.pop("person"),
                upload=upload.file if upload else None,
                file_name=upload.name if upload else "",
                **data,
            )
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("readmission:application_detail", application_id=application_id)
    return render(request, "readmission/evidence_form.html", {"form": form, "a": view.data})


def evidence_file(request: HttpRequest, application_id: int, evidence_id: int) -> FileResponse:
    viewer = current_user(request)
    evidence = selectors.evidence_get(
        viewer=viewer, application_id=application_id, evidence_id=evidence_id
    )
    if not evidence.file:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    # Shown inline in the viewer, under a neutral name: the original file name may carry a person's name.
    response["Content-Disposition"] = (
        f'inline; filename="evidence-{evidence.pk}.{evidence.file.name.rsplit(".", 1)[-1]}"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Framed by the application page's viewer only (same origin), never by another site.
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_replace = {"frame-ancestors": [SELF], "object-src": [SELF]}  # type: ignore[attr-defined]  # as csp.decorators.csp_replace
    return response
