"""Writes for persons: particulars, other names, nationalities, identifiers, family, photo.

Every service checks `Capability.EDIT_RETURN_CASE`, validates all its input first and raises
one `ValidationFailed` naming each field in plain words (never echoing the value), runs in
one transaction with the person's row locked, and writes its audit entry
(`persons.<entity>.<verb>`) in that transaction. Nothing is saved when anything is wrong.

Messages and log lines never carry personal data; the audit entry may carry the changed
values, because the trail is access-controlled and must show what was recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, require
from readmit.accounts.models import State
from readmit.audit.services import AuditInput, audit_record, audit_record_many
from readmit.core.bulk import rows_insert
from readmit.core.errors import Conflict, NotFound, ValidationFailed
from readmit.core.timeutil import today as local_today
from readmit.persons.models import (
    CivilStatus,
    FamilyLink,
    FamilyRelation,
    Identifier,
    IdentifierKind,
    NameKind,
    Nationality,
    NationalityStatus,
    Person,
    PersonName,
    Sex,
)
from readmit.persons.sharing import shareable_particulars_written
from readmit.persons.validation import (
    PHOTO_MAX_BYTES,
    date_not_future_error,
    identifier_number_normalise,
    languages_clean,
    partial_date_errors,
    photo_sniff,
    script_code_error,
)

if TYPE_CHECKING:
    from readmit.accounts.models import User

Errors = dict[str, list[str]]

# The particulars `person_create` and `person_update` accept.
TEXT_FIELDS = (
    "surname_latin",
    "given_names_latin",
    "surname_original",
    "given_names_original",
    "original_script",
    "place_of_birth",
    "father_name",
    "mother_name",
    "last_address",
    "eye_colour",
    "distinguishing_marks",
)
COUNTRY_FIELDS = ("birth_country", "last_address_country")
BIRTH_FIELDS = ("birth_year", "birth_month", "birth_day")
PARTICULARS = frozenset(
    (*TEXT_FIELDS, *COUNTRY_FIELDS, *BIRTH_FIELDS, "sex", "civil_status", "languages", "height_cm")
)
REQUIRED = ("surname_latin", "given_names_latin", "sex", "birth_year")
# The choices as sets, once: `TextChoices.values` builds its list anew at every call, which
# showed in the bulk import's profile (several checks a row).
_SEXES = frozenset(Sex.values)
_CIVIL_STATUSES = frozenset(CivilStatus.values)
_IDENTIFIER_KINDS = frozenset(IdentifierKind.values)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _too_long(model: type[Model], values: Mapping[str, Any], errors: Errors) -> None:
    """A field error for each text longer than its column (SQLite would not refuse it)."""
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            _add(errors, name, _("At most %(n)d characters.") % {"n": limit})


def _state(value: State | str | None, field: str, errors: Errors) -> State | None:
    """A State from a State or an ISO code; an unknown code is a field error."""
    if value is None or value == "":
        return None
    if isinstance(value, State):
        return value
    state = State.objects.filter(code=str(value).strip().upper()).first()
    if state is None:
        _add(errors, field, _("Unknown country code."))
    return state


def _int(value: Any, field: str, errors: Errors) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        _add(errors, field, _("Enter a whole number."))
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        _add(errors, field, _("Enter a whole number."))
        return None


def _clean_particulars(
    values: Mapping[str, Any], *, current: Person | None, today: dt.date
) -> dict[str, Any]:
    unknown = set(values) - PARTICULARS
    if unknown:
        # A programming error, not a user's: name the parameters (never values).
        raise TypeError(f"Unknown particulars: {', '.join(sorted(unknown))}")
    errors: Errors = {}
    clean: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        if field in values:
            clean[field] = str(values[field] or "").strip()
    _too_long(Person, clean, errors)
    for field in REQUIRED[:2]:
        if (field in values or current is None) and not clean.get(field):
            _add(errors, field, _("This is required."))
    if "original_script" in clean:
        problem = script_code_error(clean["original_script"])
        if problem:
            _add(errors, "original_script", problem)
    if "sex" in values or current is None:
        sex = values.get("sex") or ""
        if sex not in _SEXES:
            _add(errors, "sex", _("Choose female, male or unknown."))
        else:
            clean["sex"] = sex
    if "civil_status" in values:
        status = values["civil_status"] or CivilStatus.UNKNOWN
        if status not in _CIVIL_STATUSES:
            _add(errors, "civil_status", _("Choose one of the civil statuses offered."))
        else:
            clean["civil_status"] = status
    for field in COUNTRY_FIELDS:
        if field in values:
            clean[field] = _state(values[field], field, errors)
    if "languages" in values:
        raw = values["languages"] or []
        codes = raw.split(",") if isinstance(raw, str) else list(raw)
        languages, problems = languages_clean(codes)
        for problem in problems:
            _add(errors, "languages", problem)
        clean["languages"] = languages
    if "height_cm" in values:
        height = _int(values["height_cm"], "height_cm", errors)
        if height is not None and not 0 < height < 300:
            _add(errors, "height_cm", _("Enter the height in centimetres."))
        clean["height_cm"] = height
    if current is None or any(f in values for f in BIRTH_FIELDS):
        # The date of birth is checked as a whole: the stored parts and the changed ones.
        birth = {
            f: _int(values[f], f, errors) if f in values else getattr(current, f, None)
            for f in BIRTH_FIELDS
        }
        if not any(f in errors for f in BIRTH_FIELDS):
            for field, messages in partial_date_errors(
                birth["birth_year"], birth["birth_month"], birth["birth_day"],
                today=today, prefix="birth",
            ).items():  # fmt: skip
                errors.setdefault(field, []).extend(messages)
        clean.update({f: birth[f] for f in BIRTH_FIELDS if f in values or current is None})
    if errors:
        raise ValidationFailed(_("The particulars were not saved."), fields=errors)
    return clean


def search_text_for(names: Iterable[str], numbers: Iterable[str] = ()) -> str:
    """The text the person search matches: names in every script, normalised numbers."""
    return " | ".join(p.casefold() for p in (*names, *numbers) if p)


def _search_text(person: Person) -> str:
    parts = [
        person.surname_latin,
        person.given_names_latin,
        person.surname_original,
        person.given_names_original,
    ]
    for name in person.other_names.all():
        parts += [
            name.surname_latin,
            name.given_names_latin,
            name.surname_original,
            name.given_names_original,
        ]
    return search_text_for(parts, [i.number_normalised for i in person.identifiers.all()])


def particulars_clean(values: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Validate the particulars of a new person exactly as `person_create` does (for bulk
    paths); raises ValidationFailed naming each field."""
    return _clean_particulars(values, current=None, today=today)


def _reindex(person: Person) -> None:
    person.search_text = _search_text(person)
    Person.objects.filter(pk=person.pk).update(search_text=person.search_text)


def _audit_value(value: Any) -> Any:
    return value.code if isinstance(value, State) else value


def _locked_person(actor: User, person_id: int) -> Person:
    """The actor's person, locked: 404 out of scope, then 403 without the capability."""
    try:
        person = Person.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found, or not visible to you.")) from None
    require(actor, Capability.EDIT_RETURN_CASE)
    return person


@transaction.atomic
def person_create(*, actor: User, **particulars: Any) -> Person:
    """Register a person of the actor's authority. Mandatory: surname and given names in
    Latin script, sex and year of birth."""
    require(actor, Capability.EDIT_RETURN_CASE)
    clean = _clean_particulars(particulars, current=None, today=local_today())
    assert actor.authority_id is not None  # capabilities need an authority
    person = Person(owner_authority_id=actor.authority_id, **clean)
    person.save()
    _reindex(person)
    audit_record(
        actor=actor,
        action="persons.person.created",
        obj=person,
        owner_authority_id=person.owner_authority_id,
        changes={k: _audit_value(v) for k, v in clean.items() if v not in ("", None, [])},
    )
    return person


@dataclass(frozen=True)
class NewPerson:
    """One person for `persons_create_bulk`: particulars already checked by
    `particulars_clean`, and at most one nationality and one identity document."""

    particulars: dict[str, Any]
    nationality: State | None = None
    nationality_status: str = NationalityStatus.CLAIMED
    document_kind: str = ""
    document_number: str = ""
    document_expiry: dt.date | None = None


def persons_create_bulk(
    *,
    actor: User,
    people: Sequence[NewPerson],
    snapshots: dict[int, dict[str, Any]] | None = None,
) -> list[int]:
    """Register many persons at once (the bulk import), in the caller's transaction: the same
    capability and particulars as `person_create`, the search text, and one audit entry per
    person naming everything recorded. Returns the new persons' ids, in order.

    The rows are written as plain values (`readmit.core.bulk.rows_insert`), not through model
    instances: at a hundred thousand persons the ORM's per-value work was most of the time.
    With `snapshots`, each new person's `shareable_particulars` is added to it by id, built
    from the rows as written (`shareable_particulars_written`), for drafting applications
    without reading the persons back."""
    require(actor, Capability.EDIT_RETURN_CASE)
    assert actor.authority_id is not None
    owner = actor.authority_id
    now = timezone.now()
    rows = []
    numbers = []  # each person's document number, normalised once for the search text and row
    for item in people:
        number = identifier_number_normalise(item.document_number) if item.document_number else ""
        numbers.append(number)
        clean = item.particulars
        names = [clean.get(f, "") for f in TEXT_FIELDS[:4]]
        rows.append(
            {**clean, "owner_authority_id": owner, "search_text": search_text_for(names, [number])}
        )
    keep = snapshots is not None
    written: dict[type[Model], list[dict[str, Any]]] = {Person: [], Nationality: [], Identifier: []}
    ids = rows_insert(Person, rows, now=now, written=written[Person] if keep else None)
    rows_insert(
        Nationality,
        [
            {
                "person_id": pk,
                "state_id": i.nationality.pk,
                "status": i.nationality_status,
                "current": True,
            }
            for pk, i in zip(ids, people, strict=True)
            if i.nationality is not None
        ],
        now=now,
        written=written[Nationality] if keep else None,
    )
    rows_insert(
        Identifier,
        [
            {
                "person_id": pk,
                "kind": i.document_kind,
                "number": i.document_number,
                "number_normalised": number,
                "expiry_date": i.document_expiry,
            }
            for pk, i, number in zip(ids, people, numbers, strict=True)
            if i.document_number
        ],
        now=now,
        written=written[Identifier] if keep else None,
    )
    if snapshots is not None:
        snapshots.update(
            shareable_particulars_written(
                written[Person], written[Nationality], written[Identifier]
            )
        )

    def changes(item: NewPerson) -> dict[str, Any]:
        values = {
            k: _audit_value(v) for k, v in item.particulars.items() if v not in ("", None, [])
        }
        if item.nationality is not None:
            values["nationality"] = {
                "state": item.nationality.code,
                "status": item.nationality_status,
            }
        if item.document_number:
            values["document"] = {
                "kind": item.document_kind,
                "number": item.document_number,
                "expiry_date": item.document_expiry,
            }
        return values

    label = Person._meta.label_lower
    audit_record_many(
        actor=actor,
        at=now,
        entries=(
            AuditInput(
                "persons.person.created", None, owner, changes(i), object_type=label, object_id=pk
            )
            for pk, i in zip(ids, people, strict=True)
        ),
    )
    return ids


@transaction.atomic
def person_update(*, actor: User, person_id: int, **changes: Any) -> Person:
    person = _locked_person(actor, person_id)
    clean = _clean_particulars(changes, current=person, today=local_today())
    changed = {k: v for k, v in clean.items() if getattr(person, k) != v}
    if not changed:
        return person
    for field, value in changed.items():
        setattr(person, field, value)
    person.save()
    _reindex(person)
    audit_record(
        actor=actor,
        action="persons.person.updated",
        obj=person,
        owner_authority_id=person.owner_authority_id,
        changes={k: _audit_value(v) for k, v in changed.items()},
    )
    return person


@transaction.atomic
def alias_add(
    *,
    actor: User,
    person_id: int,
    kind: str = NameKind.ALIAS,
    surname_latin: str = "",
    given_names_latin: str = "",
    surname_original: str = "",
    given_names_original: str = "",
) -> PersonName:
    """Record an alias, an earlier name or the maiden name, in either script or both."""
    person = _locked_person(actor, person_id)
    errors: Errors = {}
    if kind not in NameKind.values:
        _add(errors, "kind", _("Choose alias, earlier name or maiden name."))
    names = {
        "surname_latin": surname_latin.strip(),
        "given_names_latin": given_names_latin.strip(),
        "surname_original": surname_original.strip(),
        "given_names_original": given_names_original.strip(),
    }
    _too_long(PersonName, names, errors)
    if not any(names.values()):
        _add(errors, "surname_latin", _("Enter at least one name, in either script."))
    if errors:
        raise ValidationFailed(_("The name was not added."), fields=errors)
    name = PersonName.objects.create(person=person, kind=kind, **names)
    _reindex(person)
    audit_record(
        actor=actor,
        action="persons.name.added",
        obj=name,
        owner_authority_id=person.owner_authority_id,
        changes={"person": person.pk, "kind": kind, **{k: v for k, v in names.items() if v}},
    )
    return name


@transaction.atomic
def nationality_set(
    *,
    actor: User,
    person_id: int,
    state: State | str | None,
    status: str,
    current: bool = True,
    source_note: str = "",
) -> Nationality:
    """Record a nationality, or change how far it is established; one row per state."""
    person = _locked_person(actor, person_id)
    errors: Errors = {}
    resolved = _state(state, "state", errors)
    if resolved is None and "state" not in errors:
        _add(errors, "state", _("Choose the state of nationality."))
    if status not in NationalityStatus.values:
        _add(errors, "status", _("Choose claimed or established."))
    if errors:
        raise ValidationFailed(_("The nationality was not saved."), fields=errors)
    assert resolved is not None
    nationality, created = Nationality.objects.update_or_create(
        person=person,
        state=resolved,
        defaults={"status": status, "current": current, "source_note": source_note.strip()},
    )
    audit_record(
        actor=actor,
        action="persons.nationality.added" if created else "persons.nationality.changed",
        obj=nationality,
        owner_authority_id=person.owner_authority_id,
        changes={
            "person": person.pk,
            "state": resolved.code,
            "status": status,
            "current": current,
            "source_note": source_note.strip(),
        },
    )
    return nationality


def identifier_errors(
    *,
    kind: str,
    number: str,
    issuing_authority: str = "",
    place_of_issue: str = "",
    issue_date: dt.date | None = None,
    expiry_date: dt.date | None = None,
    today: dt.date,
) -> Errors:
    """The rules a new document must meet (texts already stripped), by field: for
    `identifier_add` and for bulk paths that check every row before saving any."""
    errors: Errors = {}
    if kind not in _IDENTIFIER_KINDS:
        _add(errors, "kind", _("Choose the kind of document."))
    if not number:
        _add(errors, "number", _("Enter the document number."))
    _too_long(
        Identifier,
        {
            "number": number,
            "issuing_authority": issuing_authority,
            "place_of_issue": place_of_issue,
        },
        errors,
    )
    if issue_date is not None:
        problem = date_not_future_error(issue_date, today=today, label=_("The date of issue"))
        if problem:
            _add(errors, "issue_date", problem)
    if issue_date and expiry_date and expiry_date < issue_date:
        _add(errors, "expiry_date", _("The expiry date cannot be before the date of issue."))
    return errors


@transaction.atomic
def identifier_add(
    *,
    actor: User,
    person_id: int,
    kind: str,
    number: str,
    issuing_state: State | str | None = None,
    issuing_authority: str = "",
    place_of_issue: str = "",
    issue_date: dt.date | None = None,
    expiry_date: dt.date | None = None,
    notes: str = "",
) -> Identifier:
    """Record a document. An expiry date in the past is accepted: an expired document still
    counts as evidence (DOMAIN.md §1.6)."""
    person = _locked_person(actor, person_id)
    number = number.strip()
    issuing_authority, place_of_issue = issuing_authority.strip(), place_of_issue.strip()
    errors = identifier_errors(
        kind=kind,
        number=number,
        issuing_authority=issuing_authority,
        place_of_issue=place_of_issue,
        issue_date=issue_date,
        expiry_date=expiry_date,
        today=local_today(),
    )
    state = _state(issuing_state, "issuing_state", errors)
    if errors:
        raise ValidationFailed(_("The document was not added."), fields=errors)
    identifier = Identifier.objects.create(
        person=person,
        kind=kind,
        number=number,
        number_normalised=identifier_number_normalise(number),
        issuing_state=state,
        issuing_authority=issuing_authority,
        place_of_issue=place_of_issue,
        issue_date=issue_date,
        expiry_date=expiry_date,
        notes=notes.strip(),
    )
    _reindex(person)
    audit_record(
        actor=actor,
        action="persons.identifier.added",
        obj=identifier,
        owner_authority_id=person.owner_authority_id,
        changes={
            "person": person.pk,
            "kind": kind,
            "number": number,
            "issuing_state": state.code if state else None,
            "issuing_authority": identifier.issuing_authority,
            "place_of_issue": identifier.place_of_issue,
            "issue_date": issue_date,
            "expiry_date": expiry_date,
        },
    )
    return identifier


@transaction.atomic
def identifier_remove(*, actor: User, person_id: int, identifier_id: int, reason: str = "") -> None:
    """Remove a document recorded in error. The audit entry keeps what was removed."""
    person = _locked_person(actor, person_id)
    identifier = person.identifiers.filter(pk=identifier_id).first()
    if identifier is None:
        raise NotFound(_("Not found, or not visible to you."))
    audit_record(
        actor=actor,
        action="persons.identifier.removed",
        obj=identifier,
        owner_authority_id=person.owner_authority_id,
        changes={"person": person.pk, "kind": identifier.kind, "number": identifier.number},
        reason=reason.strip(),
    )
    identifier.delete()
    _reindex(person)


def _linked(person_id: int, relative_id: int) -> bool:
    return FamilyLink.objects.filter(
        person_id__in=(person_id, relative_id), relative_id__in=(person_id, relative_id)
    ).exists()


@transaction.atomic
def family_link_add(*, actor: User, person_id: int, relative_id: int, relation: str) -> FamilyLink:
    """Record that `relative` is the person's spouse, (minor unmarried) child or parent.

    Both must be persons of the actor's authority (DOMAIN.md §1.3-§1.4: the application
    covers the principal with spouse and minor unmarried children).
    """
    person = _locked_person(actor, person_id)
    errors: Errors = {}
    relative = Person.objects.visible_to(actor).filter(pk=relative_id).first()
    if relative is None:
        _add(errors, "relative", _("Choose a person registered by your authority."))
    elif relative.pk == person.pk:
        _add(errors, "relative", _("A person cannot be their own relative."))
    if relation not in FamilyRelation.values:
        _add(errors, "relation", _("Choose spouse, child or parent."))
    if errors:
        raise ValidationFailed(_("The family link was not added."), fields=errors)
    assert relative is not None
    if _linked(person.pk, relative.pk):
        raise Conflict(_("These two persons are already linked."))
    link = FamilyLink.objects.create(person=person, relative=relative, relation=relation)
    audit_record(
        actor=actor,
        action="persons.family_link.added",
        obj=link,
        owner_authority_id=person.owner_authority_id,
        changes={"person": person.pk, "relative": relative.pk, "relation": relation},
    )
    return link


def _read_limited(file: IO[bytes] | Any, limit: int) -> bytes:
    chunks = getattr(file, "chunks", None)
    data = bytearray()
    if callable(chunks):
        for chunk in chunks():
            data += chunk
            if len(data) > limit:
                break
    else:
        data += file.read(limit + 1)
    return bytes(data)


@transaction.atomic
def person_photo_set(*, actor: User, person_id: int, file: IO[bytes] | Any) -> Person:
    """Store the person's photo: JPEG or PNG (sniffed from the content, whatever the file is
    called), at most PHOTO_MAX_BYTES, with its SHA-256."""
    person = _locked_person(actor, person_id)
    data = _read_limited(file, PHOTO_MAX_BYTES)
    if not data:
        raise ValidationFailed(
            _("The photo was not saved."), fields={"photo": [_("The file is empty.")]}
        )
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationFailed(
            _("The photo was not saved."),
            fields={
                "photo": [
                    _("The file is larger than %(mb)d MB.") % {"mb": PHOTO_MAX_BYTES // 2**20}
                ]
            },
        )
    kind = photo_sniff(data[:16])
    if kind is None:
        raise ValidationFailed(
            _("The photo was not saved."),
            fields={"photo": [_("This file is not a JPEG or PNG image.")]},
        )
    old_name = person.photo.name if person.photo else ""
    digest = hashlib.sha256(data).hexdigest()
    person.photo.save(f"photo.{kind.extension}", ContentFile(data), save=False)
    person.photo_sha256 = digest
    person.photo_content_type = kind.content_type
    person.photo_size = len(data)
    person.save(update_fields=["photo", "photo_sha256", "photo_content_type", "photo_size"])
    if old_name:
        storage = person.photo.storage
        # Data minimisation: the replaced photo goes once the new one is committed.
        transaction.on_commit(lambda: storage.delete(old_name))
    audit_record(
        actor=actor,
        action="persons.photo.set",
        obj=person,
        owner_authority_id=person.owner_authority_id,
        changes={"photo_sha256": digest, "content_type": kind.content_type, "size": len(data)},
    )
    return person
