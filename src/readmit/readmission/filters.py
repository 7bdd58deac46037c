"""Filtering, searching, sorting and keyset pagination of application lists.

One place for the work queue page, the applications list, the exports and the API: a request's query
string is parsed by `ApplicationFilterForm` (plain messages for bad input, never a 500), turned
into an `ApplicationFilters` value, and applied to a queryset that already starts from the
viewer's scope (`Application.objects.visible_to`). Nothing here widens a scope.

Search covers the reference, the persons' names in every script (folded: case, diacritics and
vowel marks do not matter) and document numbers, from the application's snapshot of shareable
particulars and its evidence, so both states search only what they may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readmit.core.text import fold
from readmit.readmission.models import (
    OPEN_STATUSES,
    Application,
    ApplicationKind,
    ApplicationPerson,
    ApplicationStatus,
    Evidence,
    Procedure,
)
from readmit.web.widgets import QuickSelect

if TYPE_CHECKING:
    from readmit.accounts.models import User

DUE_SOON_DAYS = 7  # "due soon": within a week, as in the work queue


def _number(text: str) -> str:
    # As persons.validation.identifier_number_normalise: no spaces, dashes, dots or slashes.
    return "".join(c for c in text if c not in " -./\t").upper()


def person_search_fields(particulars: dict[str, Any]) -> tuple[str, str]:
    """(search_text, nationality_codes) of an application person, from its snapshot."""
    parts = [
        particulars.get("surname_latin", ""),
        particulars.get("given_names_latin", ""),
        particulars.get("surname_original", ""),
        particulars.get("given_names_original", ""),
    ]
    for other in particulars.get("other_names") or []:
        parts += [
            other.get("surname_latin", ""),
            other.get("given_names_latin", ""),
            other.get("surname_original", ""),
            other.get("given_names_original", ""),
        ]
    names = [fold(str(p)) for p in parts if p]
    numbers = [
        _number(str(d.get("number", "")))
        for d in particulars.get("identity_documents") or []
        if d.get("number")
    ]
    codes = sorted(
        {str(n.get("state", "")).upper() for n in particulars.get("nationalities") or []} - {""}
    )
    search_text = " | ".join(names + [n.casefold() for n in numbers])
    return search_text, (" " + " ".join(codes) + " ") if codes else ""


# --- Sorting and keyset pagination ------------------------------------------------------------

# sort key → (field, descending). Every order ends with the primary key, so a page boundary
# (value, id) is unique and the next page starts strictly after it: no OFFSET, the cost of a
# page does not grow with its depth.
SORTS: dict[str, tuple[str, bool]] = {
    "due": ("reply_due", False),
    "-due": ("reply_due", True),
    "received": ("received_on", False),
    "-received": ("received_on", True),
    "-newest": ("id", True),
}
SORT_LABELS = {
    "due": _("Reply due (soonest first)"),
    "-due": _("Reply due (latest first)"),
    "received": _("Received (oldest first)"),
    "-received": _("Received (newest first)"),
    "-newest": _("Newest first"),
}
DEFAULT_SORT = "due"

DEADLINE_CHOICES = [
    ("", _("Any")),
    ("overdue", _("Overdue")),
    ("due_soon", _("Due within 7 days")),
    ("on_time", _("Due later")),
    ("none", _("No running deadline")),
]


@dataclass(frozen=True)
class ApplicationFilters:
    queue: str = ""  # one of the work queues, or "" for every application in scope
    q: str = ""
    state: str = ""  # ISO code of the other state (requested or requesting)
    agreement: str = ""
    procedure: str = ""
    kind: str = ""
    status: str = ""
    nationality: str = ""
    deadline: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    sort: str = DEFAULT_SORT

    def is_filtered(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name not in ("sort", "queue"))

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> ApplicationFilters:
        """The filters of a query string (exports, API); malformed values are left out: a
        filter only narrows what the viewer may see anyway."""
        from readmit.readmission.selectors import QUEUE_NAMES

        data = QueryDict(mutable=True)
        for key in params:
            data[key] = str(params[key])
        if not data.get("q") and data.get("reference"):
            data["q"] = str(data["reference"])
        _form, filters = parse_filters(data)
        queue = str(params.get("queue") or "")
        return replace(filters, queue=queue if queue in QUEUE_NAMES else "")

    def apply(self, viewer: User, today: dt.date | None = None) -> QuerySet[Application]:
        """The viewer's applications (of the queue, if one is set) that pass the filters."""
        from readmit.readmission.selectors import _queue, application_queryset

        today = today or timezone.localdate()
        qs = (
            _queue(viewer, self.queue, today) if self.queue else application_queryset(viewer=viewer)
        )
        return apply_filters(qs, self, today=today)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ApplicationFilterForm(forms.Form):
    """The filter panel of the application lists; also parses an export's query string."""

    q = forms.CharField(
        label=_("Search"),
        help_text=_("Reference, name (any script) or document number"),
        required=False,
        max_length=100,
    )
    state = forms.CharField(label=_("State"), required=False, max_length=2)
    agreement = forms.CharField(label=_("Agreement"), required=False, max_length=40)
    procedure = forms.ChoiceField(
        label=_("Procedure"), required=False, choices=[("", _("Any")), *Procedure.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *ApplicationKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *ApplicationStatus.choices],
    )
    nationality = forms.CharField(label=_("Nationality"), required=False, max_length=2)
    deadline = forms.ChoiceField(label=_("Deadline"), required=False, choices=DEADLINE_CHOICES)
    received_from = _date_field(_("Received from"))
    received_to = _date_field(_("Received until"))
    due_from = _date_field(_("Reply due from"))
    due_to = _date_field(_("Reply due until"))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORT_LABELS.items()))

    def __init__(
        self,
        *args: Any,
        states: list[tuple[str, str]] | None = None,
        agreements: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Offered as lists where the caller knows the choices; free codes are accepted too.
        if states is not None:
            choices = [("", _("Any")), *states]
            self.fields["state"] = forms.ChoiceField(
                label=_("State"), required=False, choices=choices, widget=QuickSelect
            )
            self.fields["nationality"] = forms.ChoiceField(
                label=_("Nationality"), required=False, choices=choices, widget=QuickSelect
            )
        if agreements is not None:
            self.fields["agreement"] = forms.ChoiceField(
                label=_("Agreement"),
                required=False,
                choices=[("", _("Any")), *agreements],
                widget=QuickSelect,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in (("received_from", "received_to"), ("due_from", "due_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("This date is before the start of the range."))
        return data

    def filters(self) -> ApplicationFilters:
        """The valid filters; a field with an error is left out (and shown with its message)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        values: dict[str, Any] = {}
        for f in fields(ApplicationFilters):
            if f.name == "queue":
                continue
            value = data.get(f.name)
            if f.name in self.errors or value in (None, ""):
                continue
            values[f.name] = value.strip() if isinstance(value, str) else value
        for code in ("state", "nationality"):
            if code in values:
                values[code] = values[code].upper()
        return ApplicationFilters(**values)


def parse_filters(
    params: QueryDict, **choices: Any
) -> tuple[ApplicationFilterForm, ApplicationFilters]:
    form = ApplicationFilterForm(params, **choices)
    form.is_valid()
    return form, form.filters()


def apply_filters(
    qs: QuerySet[Application], filters: ApplicationFilters, *, today: dt.date
) -> QuerySet[Application]:
    if filters.state:
        qs = qs.filter(
            Q(requested_state_id=filters.state) | Q(requesting_authority__state_id=filters.state)
        )
    if filters.agreement:
        qs = qs.filter(agreement__code=filters.agreement)
    if filters.procedure:
        qs = qs.filter(procedure=filters.procedure)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.nationality:
        qs = qs.filter(
            Exists(
                ApplicationPerson.objects.filter(
                    application=OuterRef("pk"),
                    nationality_codes__contains=f" {filters.nationality} ",
                )
            )
        )
    if filters.received_from:
        qs = qs.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_on__lte=filters.received_to)
    if filters.due_from:
        qs = qs.filter(reply_due__gte=filters.due_from)
    if filters.due_to:
        qs = qs.filter(reply_due__lte=filters.due_to)
    running = Q(status__in=OPEN_STATUSES, reply_due__isnull=False)
    soon_end = today + dt.timedelta(days=DUE_SOON_DAYS)
    if filters.deadline == "overdue":
        qs = qs.filter(running, reply_due__lt=today)
    elif filters.deadline == "due_soon":
        qs = qs.filter(running, reply_due__gte=today, reply_due__lte=soon_end)
    elif filters.deadline == "on_time":
        qs = qs.filter(running, reply_due__gt=soon_end)
    elif filters.deadline == "none":
        qs = qs.exclude(running)
    if filters.q:
        qs = qs.filter(_search(filters.q))
    return qs


# A search first collects the applications whose people match (a trigram index finds a rare
# name among a million on PostgreSQL). Up to this many, the list filters on those ids; beyond
# it (a common name) the list walks its own order and checks each application instead, which
# finds a page of matches quickly precisely because they are common.
SEARCH_ID_LIMIT = 2000


def _search(query: str) -> Q:
    """Reference, or every word in one person's names (any order), or a document number."""
    words = fold(query).split()
    number = _number(query)
    named = ApplicationPerson.objects.all()
    for word in words[:6]:
        named = named.filter(search_text__contains=word)
    condition = Q(reference=query.strip().upper()) | _matching_applications(named)
    if number:
        if [number.casefold()] != words:  # one word alone was searched as a name already
            condition |= _matching_applications(
                ApplicationPerson.objects.filter(search_text__contains=number.casefold())
            )
        condition |= _matching_applications(
            Evidence.objects.filter(document_number__iexact=query.strip())
        )
    return condition


def _matching_applications(rows: QuerySet[Any]) -> Q:
    """Applications with a matching row (people or evidence): by their ids when few match."""
    ids = list(rows.order_by().values_list("application_id", flat=True)[: SEARCH_ID_LIMIT + 1])
    if len(ids) <= SEARCH_ID_LIMIT:
        return Q(pk__in=ids)
    return Q(Exists(rows.filter(application=OuterRef("pk"))))


Cursor = tuple[Any, int]


def encode_cursor(application: Application, sort: str) -> str:
    field, _desc = SORTS.get(sort, SORTS[DEFAULT_SORT])
    value = getattr(application, field)
    text = "" if value is None or field == "id" else value.isoformat()
    return f"{text}~{application.pk}"


def decode_cursor(text: str, sort: str) -> Cursor | None:
    """The page boundary of a `?after=` parameter, or None when it is malformed."""
    field, _desc = SORTS.get(sort, SORTS[DEFAULT_SORT])
    value, sep, pk = text.partition("~")
    if not sep or not pk.isdigit():
        return None
    if field == "id" or not value:
        return (None, int(pk))
    try:
        return (dt.date.fromisoformat(value), int(pk))
    except ValueError:
        return None


def order_page(
    qs: QuerySet[Application], sort: str, after: Cursor | None, limit: int
) -> QuerySet[Application]:
    """One page in `sort` order (nulls last), starting strictly after the cursor."""
    field, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    if field == "id":
        if after is not None:
            qs = qs.filter(pk__lt=after[1]) if descending else qs.filter(pk__gt=after[1])
        return qs.order_by("-pk" if descending else "pk")[:limit]
    if after is not None:
        value, last = after
        beyond, pk_beyond = ("lt", "lt") if descending else ("gt", "gt")
        if value is None:
            qs = qs.filter(**{f"{field}__isnull": True, f"pk__{pk_beyond}": last})
        else:
            qs = qs.filter(
                Q(**{f"{field}__{beyond}": value})
                | Q(**{field: value, f"pk__{pk_beyond}": last})
                | Q(**{f"{field}__isnull": True})
            )
    column = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return qs.order_by(column, "-pk" if descending else "pk")[:limit]
