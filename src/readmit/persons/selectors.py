"""Reads of persons, always starting from `Person.objects.visible_to(viewer)`.

Access logging lives here, not in the views: every selector that hands a person's data to
an interface (web page, later the API, or another app's service) writes the access-log
entry itself, so no caller can forget it. Pure helpers that take an already fetched person
(`person_family`, `readmit.persons.sharing.shareable_particulars`) do not log again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, require
from readmit.audit.services import access_log_record
from readmit.core.errors import NotFound
from readmit.core.pagination import keyset_page
from readmit.core.scoping import get_visible
from readmit.persons.models import FamilyRelation, Person
from readmit.persons.sharing import SHAREABLE_FIELDS, shareable_particulars
from readmit.persons.validation import identifier_number_normalise

if TYPE_CHECKING:
    from readmit.accounts.models import User

# The snapshot for the readmission application is defined in `readmit.persons.sharing`;
# it is offered here too, next to the selector that fetches the person.
__all__ = [
    "SHAREABLE_FIELDS",
    "person_family",
    "person_get",
    "person_list",
    "person_page",
    "person_photo_read",
    "shareable_particulars",
]

RECORD_TYPE = "persons.person"


def _log(viewer: User, persons: list[Person], purpose: str) -> None:
    if persons:
        access_log_record(
            actor=viewer,
            records=[(RECORD_TYPE, p.pk, p.owner_authority_id) for p in persons],
            purpose=purpose,
        )


def _matching(viewer: User, query: str) -> QuerySet[Person]:
    require(viewer, Capability.VIEW_CASES)
    persons = Person.objects.visible_to(viewer)
    text = query.strip().casefold()
    if text:
        number = identifier_number_normalise(query).casefold()
        condition = Q(search_text__contains=text)
        if number:
            condition |= Q(search_text__contains=number)
        persons = persons.filter(condition)
    return persons


def person_list(*, viewer: User, query: str = "", limit: int = 50) -> list[Person]:
    """Persons of the viewer's authority whose name (any script, aliases included) or
    document number contains `query`, case-insensitively; at most `limit`, access-logged."""
    rows = list(_matching(viewer, query).order_by("-updated_at", "-pk")[:limit])
    _log(viewer, rows, "person search")
    return rows


def person_page(
    *,
    viewer: User,
    query: str = "",
    cursor: str | None = None,
    limit: int = 50,
    purpose: str = "api person list",
) -> tuple[list[Person], str | None]:
    """`person_list` as cursor pages, newest record first (the API's and the web list);
    access-logged."""
    rows, next_cursor = keyset_page(_matching(viewer, query), cursor=cursor, limit=limit)
    _log(viewer, rows, purpose)
    return rows, next_cursor


def person_get(*, viewer: User, person_id: int, purpose: str = "person page") -> Person:
    """One person of the viewer's authority (404 otherwise), with names, nationalities and
    documents loaded; access-logged with `purpose`."""
    queryset = (
        Person.objects.visible_to(viewer)
        .select_related("owner_authority", "birth_country", "last_address_country")
        .prefetch_related("other_names", "nationalities__state", "identifiers__issuing_state")
    )
    person = get_visible(queryset, pk=person_id)
    _log(viewer, [person], purpose)
    return person


@dataclass(frozen=True)
class PhotoFile:
    content: bytes
    content_type: str
    sha256: str


def person_photo_read(*, viewer: User, person_id: int) -> PhotoFile:
    """The person's photo (404 when out of scope or when there is none); access-logged."""
    person = get_visible(Person.objects.visible_to(viewer), pk=person_id)
    if not person.photo:
        raise NotFound(_("No photo is recorded."))
    with person.photo.open("rb") as handle:
        content = handle.read()
    _log(viewer, [person], "person photo")
    return PhotoFile(content, person.photo_content_type, person.photo_sha256)


_INVERSE = {
    FamilyRelation.SPOUSE: FamilyRelation.SPOUSE,
    FamilyRelation.CHILD: FamilyRelation.PARENT,
    FamilyRelation.PARENT: FamilyRelation.CHILD,
}


@dataclass(frozen=True)
class Relative:
    person: Person
    relation: str  # what the relative is to the person: spouse, child or parent

    @property
    def relation_label(self) -> str:
        return str(FamilyRelation(self.relation).label)


def person_family(person: Person) -> list[Relative]:
    """The person's relatives, whichever side recorded the link."""
    relatives = [
        Relative(link.relative, link.relation)
        for link in person.family_links.select_related("relative")
    ]
    relatives += [
        Relative(link.person, _INVERSE[FamilyRelation(link.relation)])
        for link in person.linked_by.select_related("person")
    ]
    return relatives
