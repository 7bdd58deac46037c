"""What of a person may cross to the requested state: the snapshot an application copies.

The allow-list is the union of two texts (DOMAIN.md §1.5 and §1.14):

* the data-protection article, EU-Serbia Art. 16 (template wording) [V]: given names,
  surnames, previous names, other names used or aliases, sex, civil status, date and place
  of birth, current and any previous nationality; passport, identity card or driving licence
  (number, period of validity, date of issue, issuing authority, place of issue); other
  information needed to identify the person;
* the application-form content clause, CH-AZ Art. 5 mirroring the EU text [V], and the
  common form's part A [U]: maiden name, sex and physical description (height, eye colour,
  distinguishing marks), nationality and language, last address in the requested state,
  a photograph.

Nothing of the national return file (return decision, appeals, asylum, detention,
vulnerability, risk of absconding, internal notes and sources) is in it, and nothing that
is not on this list may be added without a source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet

from readmit.persons.models import Identifier, Nationality, Person, PersonName

SHAREABLE_FIELDS: tuple[str, ...] = (
    # Given names and surnames, in Latin and in the original script (EU-Serbia Art. 16).
    "surname_latin",
    "given_names_latin",
    "surname_original",
    "given_names_original",
    "original_script",
    # Previous names, other names used or aliases (Art. 16); maiden name (form part A 2).
    "other_names",
    "sex",  # Art. 16
    "civil_status",  # Art. 16
    # Date and place of birth (Art. 16), at the precision known: year, month or day.
    "date_of_birth",
    "place_of_birth",
    "birth_country",
    "nationalities",  # current and any previous nationality (Art. 16)
    "languages",  # "nationality and language" (form part A 6; Sri Lanka Art. 7(1)(a))
    # Father's and mother's names: the Sri Lanka Art. 7(1)(a) and Kosovo-Switzerland
    # application variants list them (DOMAIN.md §1.5) [V].
    "father_name",
    "mother_name",
    # Last address / last place of residence in the requested state (CH-AZ Art. 5; form A 8).
    "last_address",
    "last_address_country",
    # Height, eye colour, distinguishing marks (form part A 4; Sri Lanka Art. 7(1)(a)).
    "physical_description",
    # Identity documents: kind, number, validity, date and place of issue, issuing authority
    # (Art. 16; form part E). Notes stay home.
    "identity_documents",
    # The photograph (CH-AZ Art. 5(1)(d)): a reference (digest, type, size), not the bytes.
    "photo",
)


def shareable_particulars(person: Person) -> dict[str, Any]:
    """The person's shareable particulars as JSON-safe values, with exactly SHAREABLE_FIELDS
    as keys (empty values where unknown)."""
    return _snapshot(
        person, person.other_names.all(), person.nationalities.all(), person.identifiers.all()
    )


def shareable_particulars_many(persons: QuerySet[Person]) -> dict[int, dict[str, Any]]:
    """`shareable_particulars` of each person of `persons` (the bulk paths), by id: the same
    snapshot from the same rows, read as plain values in one query per table (persons, other
    names, nationalities, documents, each list in its model's order) instead of model
    instances and three queries a person."""
    people = [_Row(v) for v in persons.values(*_READ[Person])]
    ids = [p.id for p in people]
    related: dict[type[Model], dict[int, list[_Row]]] = {}
    for model in (PersonName, Nationality, Identifier):
        grouped = related.setdefault(model, {})
        for start in range(0, len(ids), _IN_BATCH):
            rows = model.objects.filter(person_id__in=ids[start : start + _IN_BATCH])
            for values in rows.values(*_READ[model]):
                grouped.setdefault(values["person_id"], []).append(_Row(values))
    return {
        p.id: _snapshot(
            p,  # type: ignore[arg-type]
            related[PersonName].get(p.id, []),  # type: ignore[arg-type]
            related[Nationality].get(p.id, []),  # type: ignore[arg-type]
            related[Identifier].get(p.id, []),  # type: ignore[arg-type]
        )
        for p in people
    }


def shareable_particulars_written(
    persons: Iterable[dict[str, Any]],
    nationalities: Iterable[dict[str, Any]] = (),
    identifiers: Iterable[dict[str, Any]] = (),
) -> dict[int, dict[str, Any]]:
    """`shareable_particulars` of persons just written, by id, from their rows as written
    (`rows_insert(..., written=...)`: every column by its attname) instead of read back: the
    bulk import drafts applications for the persons it has just created. Persons so new have
    no other names, and at most one nationality and one document each (`persons_create_bulk`):
    with two, their order would be their model's, which is not worked out here."""
    related: dict[type[Model], dict[int, list[_Row]]] = {Nationality: {}, Identifier: {}}
    for model, rows in ((Nationality, nationalities), (Identifier, identifiers)):
        grouped = related[model]
        for values in rows:
            if values["person_id"] in grouped:
                raise ValueError(f"More than one {model._meta.label_lower} for a new person")
            grouped[values["person_id"]] = [_Row(values)]
    snapshots = {}
    for values in persons:
        person = _Row(values)
        snapshots[person.id] = _snapshot(
            person,  # type: ignore[arg-type]
            [],
            related[Nationality].get(person.id, []),  # type: ignore[arg-type]
            related[Identifier].get(person.id, []),  # type: ignore[arg-type]
        )
    return snapshots


_IN_BATCH = 5000


# What `_snapshot` reads of each (a name missing here fails loudly: `_Row` has no default).
_READ: dict[type[Model], tuple[str, ...]] = {
    Person: ("id", "surname_latin", "given_names_latin", "surname_original",
             "given_names_original", "original_script", "sex", "civil_status", "birth_year",
             "birth_month", "birth_day", "place_of_birth", "birth_country_id", "languages",
             "father_name", "mother_name", "last_address", "last_address_country_id",
             "height_cm", "eye_colour", "distinguishing_marks", "photo", "photo_sha256",
             "photo_content_type", "photo_size"),
    PersonName: ("person_id", "kind", "surname_latin", "given_names_latin", "surname_original",
                 "given_names_original"),
    Nationality: ("person_id", "state_id", "status", "current"),
    Identifier: ("person_id", "kind", "number", "issuing_state_id", "issuing_authority",
                 "place_of_issue", "issue_date", "expiry_date"),
}  # fmt: skip


class _Row:
    """One row as plain values under the model's attribute names: what `_snapshot` reads of
    an instance (a file field's value is its name, empty or not, as a FieldFile's truth)."""

    def __init__(self, values: dict[str, Any]) -> None:
        # The dict itself, not a copy (a person's row has some forty columns): the callers'
        # rows are fresh and only read.
        self.__dict__ = values

    def __getattr__(self, name: str) -> Any:  # only for a name the row does not have
        raise AttributeError(name)

    @property
    def birth_date_display(self) -> str:
        return Person.birth_date_display.fget(self)  # type: ignore[attr-defined]


def _snapshot(
    person: Person,
    other_names: Iterable[PersonName],
    nationalities: Iterable[Nationality],
    identifiers: Iterable[Identifier],
) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "surname_latin": person.surname_latin,
        "given_names_latin": person.given_names_latin,
        "surname_original": person.surname_original,
        "given_names_original": person.given_names_original,
        "original_script": person.original_script,
        "other_names": [
            {
                "kind": n.kind,
                "surname_latin": n.surname_latin,
                "given_names_latin": n.given_names_latin,
                "surname_original": n.surname_original,
                "given_names_original": n.given_names_original,
            }
            for n in other_names
        ],
        "sex": person.sex,
        "civil_status": person.civil_status,
        "date_of_birth": {
            "year": person.birth_year,
            "month": person.birth_month,
            "day": person.birth_day,
            "precision": "day" if person.birth_day else "month" if person.birth_month else "year",
            "text": person.birth_date_display,
        },
        "place_of_birth": person.place_of_birth,
        "birth_country": person.birth_country_id,
        "nationalities": [
            {"state": n.state_id, "status": n.status, "current": n.current} for n in nationalities
        ],
        "languages": list(person.languages or []),
        "father_name": person.father_name,
        "mother_name": person.mother_name,
        "last_address": person.last_address,
        "last_address_country": person.last_address_country_id,
        "physical_description": {
            "height_cm": person.height_cm,
            "eye_colour": person.eye_colour,
            "distinguishing_marks": person.distinguishing_marks,
        },
        "identity_documents": [
            {
                "kind": i.kind,
                "number": i.number,
                "issuing_state": i.issuing_state_id,
                "issuing_authority": i.issuing_authority,
                "place_of_issue": i.place_of_issue,
                "issue_date": i.issue_date.isoformat() if i.issue_date else None,
                "expiry_date": i.expiry_date.isoformat() if i.expiry_date else None,
            }
            for i in identifiers
        ],
        "photo": (
            {
                "sha256": person.photo_sha256,
                "content_type": person.photo_content_type,
                "size": person.photo_size,
            }
            if person.photo
            else None
        ),
    }
    assert tuple(snapshot) == SHAREABLE_FIELDS, "the snapshot and its allow-list diverged"
    return snapshot
