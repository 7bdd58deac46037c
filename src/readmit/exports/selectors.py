"""The rows of the list exports, from the viewer's scope, across the border only what is
shared: a requested-state export of applications holds the shared fields only (the same
allow-list as the application page), and persons and return cases are the owning
authority's alone. Every export is recorded in the access log."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import AuthorityKind, User
from readmit.audit.services import access_log_record
from readmit.persons.selectors import person_list
from readmit.readmission.filters import ApplicationFilters
from readmit.readmission.models import ApplicationPerson
from readmit.readmission.selectors import SHARED_APPLICATION_FIELDS
from readmit.returns.selectors import case_list


@dataclass
class Export:
    name: str
    header: Sequence[str]
    rows: Iterator[Sequence[Any]]


def max_rows() -> int:
    return int(getattr(settings, "READMIT_EXPORT_MAX_ROWS", 100_000))


# The application columns; all on the shared side of the border (checked by a test).
APPLICATION_COLUMNS = (
    "id", "reference", "kind", "procedure", "status", "agreement", "requesting_authority",
    "requesting_state", "requested_state", "submitted_at", "received_on", "acknowledged_on",
    "reply_due", "overdue_since",
)  # fmt: skip
assert set(APPLICATION_COLUMNS) <= set(SHARED_APPLICATION_FIELDS)
PERSON_COLUMNS = ("persons", "principal_surname_latin", "principal_given_names_latin")


def application_export(*, viewer: User, params: Mapping[str, str]) -> Export:
    require(viewer, Capability.VIEW_CASES)
    authority = viewer.authority
    requesting = authority is not None and authority.kind in (
        AuthorityKind.RETURN_AUTHORITY,
        AuthorityKind.BORDER_POLICE,
    )
    filters = ApplicationFilters.parse(params)
    applications = list(
        filters.apply(viewer)
        .select_related("agreement", "requesting_authority", "return_case")
        .order_by("-created_at", "-pk")[: max_rows()]
    )
    principals: dict[int, ApplicationPerson] = {}
    counts: dict[int, int] = {}
    ids = [a.pk for a in applications]
    for start in range(0, len(ids), 5000):  # bounded IN lists
        for person in ApplicationPerson.objects.filter(
            application_id__in=ids[start : start + 5000]
        ).only("application_id", "role", "surname_latin", "given_names_latin"):
            counts[person.application_id] = counts.get(person.application_id, 0) + 1
            if person.role == "principal":
                principals[person.application_id] = person
    access_log_record(
        actor=viewer,
        records=[
            ("readmission.applicationperson", p.pk, a.requesting_authority_id)
            for a in applications
            if (p := principals.get(a.pk)) is not None
        ],
        purpose="application list export",
    )
    # The link to the return file exists on the requesting side only.
    header = [*APPLICATION_COLUMNS, *PERSON_COLUMNS, *(["return_case"] if requesting else [])]

    def rows() -> Iterator[Sequence[Any]]:
        for a in applications:
            principal = principals.get(a.pk)
            row: list[Any] = [
                a.pk, a.reference, a.kind, a.procedure, a.status, a.agreement.code,
                a.requesting_authority.code, a.requesting_authority.state_id,
                a.requested_state_id, a.submitted_at, a.received_on, a.acknowledged_on,
                a.reply_due, a.overdue_since, counts.get(a.pk, 0),
                principal.surname_latin if principal else "",
                principal.given_names_latin if principal else "",
            ]  # fmt: skip
            if requesting:
                row.append(a.return_case.reference if a.return_case else "")
            yield row

    return Export("applications", header, rows())


def case_export(*, viewer: User, params: Mapping[str, str]) -> Export:
    filters = {"status": params.get("status") or "", "query": params.get("q") or ""}
    cases = case_list(viewer=viewer, filters=filters, limit=max_rows())
    header = ("reference", "status", "person_id", "surname_latin", "given_names_latin",
              "registered", "identified_on", "documented_on", "availability",
              "actual_departure")  # fmt: skip
    rows = (
        (c.reference, c.status, c.person_id, c.person.surname_latin, c.person.given_names_latin,
         c.created_at, c.identified_on, c.documented_on, c.availability, c.actual_departure)
        for c in cases
    )  # fmt: skip
    return Export("return-cases", header, rows)


def person_export(*, viewer: User, params: Mapping[str, str]) -> Export:
    persons = person_list(viewer=viewer, query=params.get("q") or "", limit=max_rows())
    header = ("id", "surname_latin", "given_names_latin", "surname_original",
              "given_names_original", "sex", "date_of_birth", "place_of_birth",
              "birth_country", "civil_status", "registered")  # fmt: skip
    rows = (
        (p.pk, p.surname_latin, p.given_names_latin, p.surname_original, p.given_names_original,
         p.sex, p.birth_date_display, p.place_of_birth, p.birth_country_id or "",
         p.civil_status, p.created_at)
        for p in persons
    )  # fmt: skip
    return Export("persons", header, rows)
