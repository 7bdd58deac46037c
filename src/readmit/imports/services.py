"""Bulk import of persons with return cases (and application drafts) from CSV or XLSX.

Validation first: every row is checked with the rules of the services it feeds
(`persons.services.particulars_clean`, the registry's agreement selection, the application
form's rules), and every problem is reported with its row and column. Nothing is saved
unless the whole file is valid, or, when asked (`valid_only`), only the valid rows are saved
and the others reported. Saving runs in one transaction through the services' bulk paths, in
chunks: `persons_create_bulk`, `cases_create_bulk` and, for the rows that ask for an
application, `applications_draft_bulk` (the rules of `application_draft`; an audit entry per
person, case and application).
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from readmit.accounts.capabilities import Capability, has, require
from readmit.accounts.models import State
from readmit.audit.services import audit_chain_held, audit_record
from readmit.core.bulk import writes_overlapped
from readmit.core.errors import DomainError
from readmit.core.timeutil import today as local_today
from readmit.imports.columns import APPLICATION_COLUMNS, NAMES
from readmit.imports.reader import FileRejected, open_table
from readmit.persons.models import NationalityStatus
from readmit.persons.services import (
    NewPerson,
    identifier_errors,
    particulars_clean,
    persons_create_bulk,
)
from readmit.readmission.models import ApplicationKind, PersonRole, Procedure
from readmit.readmission.services import (
    DraftInput,
    DraftLookups,
    DraftsRefused,
    PersonInput,
    applications_draft_bulk,
    draft_category,
    draft_errors,
)
from readmit.returns.services.cases import cases_create_bulk

if TYPE_CHECKING:
    from readmit.accounts.models import User

Progress = Callable[[str, int, int | None], None]
CHUNK = 2000
MAX_REPORTED_ERRORS = 1000
FORMULA_START = ("=", "+", "-", "@")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERSON_TEXT = ("surname_latin", "given_names_latin", "surname_original", "given_names_original",
                "original_script", "place_of_birth", "father_name", "mother_name")  # fmt: skip
_NATIONALITY_STATUSES = frozenset(NationalityStatus.values)
# The document's fields as `identifier_errors` names them, and the file's columns.
_DOCUMENT_COLUMNS = {"kind": "document_kind", "number": "document_number",
                     "expiry_date": "document_expiry"}  # fmt: skip
_IMPORTABLE_KINDS = (
    ApplicationKind.OWN_NATIONALS,
    ApplicationKind.THIRD_COUNTRY_NATIONALS,
    ApplicationKind.NOTIFICATION_ONLY,
)


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class ImportReport:
    format: str = ""
    rows: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    saved: bool = False
    persons: int = 0
    cases: int = 0
    applications: int = 0
    dry_run: bool = False
    valid_only: bool = False

    def error(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "invalid_rows": self.invalid_rows,
            "error_count": self.error_count,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
            "saved": self.saved,
            "persons": self.persons,
            "cases": self.cases,
            "applications": self.applications,
            "dry_run": self.dry_run,
            "valid_only": self.valid_only,
        }


@dataclass
class ParsedRow:
    number: int
    person: NewPerson
    application: dict[str, Any] | None = None


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


class _Validator:
    def __init__(self, actor: User, today: dt.date) -> None:
        self.actor = actor
        self.today = today
        self.states = {s.code: s for s in State.objects.all()}
        self.can_draft = has(actor, Capability.SUBMIT_APPLICATION)
        assert actor.authority is not None
        # Shared with the saving, which drafts under the agreements found here.
        self.lookups = DraftLookups(actor.authority, today)

    def state(self, value: str, column: str, errors: list[tuple[str, str]]) -> State | None:
        if not value:
            return None
        state = self.states.get(value.upper())
        if state is None:
            errors.append((column, _("Unknown country code: use the ISO alpha-2 code.")))
        return state

    def agreement_problem(self, requested: str, kind: str) -> str:
        """Empty when the registry has an agreement for this application, else the reason."""
        try:
            self.lookups.agreement(requested, draft_category(kind))
        except DomainError as exc:
            return exc.message
        return ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(raw: Any, column: str, errors: list[tuple[str, str]]) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    try:
        if not _DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append((column, _("Write the date as YYYY-MM-DD, e.g. 2026-03-31.")))
        return None


def _validate(
    number: int, raw: dict[str, Any], v: _Validator
) -> tuple[ParsedRow | None, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    dates: dict[str, Any] = {}
    # Cells refused as they are (a formula, a NUL character): their message only.
    refused: list[tuple[str, str]] = []
    for name in NAMES:
        cell = raw.get(name)
        if type(cell) is str:  # every CSV cell: the plain case first, it is most of the work
            text = cell.strip()
        elif isinstance(cell, dt.date):
            dates[name] = cell
            values[name] = _text(cell)
            continue
        else:
            text = _text(cell)
        if "\x00" in text:
            # No database text column can hold it (PostgreSQL refuses it outright).
            refused.append((name, _("Text cannot contain the NUL character (U+0000).")))
            text = ""
        elif text.startswith(FORMULA_START):
            # Treated as data, never evaluated, and refused: it may be a spreadsheet formula.
            refused.append(
                (name, _("A cell must not start with =, +, - or @ (it may be a formula)."))
            )
            text = ""
        values[name] = text

    particulars: dict[str, Any] = {f: values[f] for f in _PERSON_TEXT if values[f]}
    particulars["surname_latin"] = values["surname_latin"]
    particulars["given_names_latin"] = values["given_names_latin"]
    particulars["sex"] = values["sex"].upper()
    for f in ("birth_year", "birth_month", "birth_day"):
        particulars[f] = values[f] or None
    if values["civil_status"]:
        particulars["civil_status"] = values["civil_status"].lower()
    if values["languages"]:
        particulars["languages"] = values["languages"]
    for f in ("birth_country",):
        if values[f]:
            particulars[f] = v.state(values[f], f, errors)
    clean: dict[str, Any] = {}
    try:
        clean = particulars_clean(particulars, today=v.today)
    except DomainError as exc:
        for name, messages in exc.fields.items():
            column = name if name in NAMES else "birth_year"
            errors.extend((column, m) for m in messages)

    nationality = v.state(values["nationality"], "nationality", errors)
    status = values["nationality_status"].lower() or NationalityStatus.CLAIMED
    if status not in _NATIONALITY_STATUSES:
        errors.append(("nationality_status", _("Choose claimed or established.")))
    if values["nationality_status"] and not values["nationality"]:
        errors.append(("nationality", _("Enter the nationality this status is about.")))

    document_kind = values["document_kind"].lower()
    document_number = values["document_number"]
    expiry = _date(dates.get("document_expiry", values["document_expiry"]), "document_expiry",
                   errors)  # fmt: skip
    if document_number or document_kind or expiry:
        problems = identifier_errors(
            kind=document_kind, number=document_number, expiry_date=expiry, today=v.today
        )
        for name, messages in problems.items():
            errors.extend((_DOCUMENT_COLUMNS[name], m) for m in messages)

    application = None
    if any(values[c] for c in APPLICATION_COLUMNS):
        application = _application(values, dates, v, errors)

    if refused:  # the refusal only, not the follow-up ("This is required.")
        flagged = {column for column, _message in refused}
        errors = refused + [e for e in errors if e[0] not in flagged]
    if errors:
        return None, errors
    person = NewPerson(
        particulars=clean,
        nationality=nationality,
        nationality_status=status,
        document_kind=document_kind if document_number else "",
        document_number=document_number,
        document_expiry=expiry,
    )
    return ParsedRow(number, person, application), []


def _application(
    values: dict[str, str], dates: dict[str, Any], v: _Validator, errors: list[tuple[str, str]]
) -> dict[str, Any] | None:
    before = len(errors)
    if not v.can_draft:
        errors.append(("application_kind", _("Your role does not allow drafting applications.")))
    kind = values["application_kind"].lower()
    if kind not in _IMPORTABLE_KINDS:
        errors.append(("application_kind", _("Choose the kind of application.")))
    requested = v.state(values["requested_state"], "requested_state", errors)
    if not values["requested_state"]:
        errors.append(("requested_state", _("Enter the requested state.")))
    procedure = values["procedure"].lower() or Procedure.NORMAL
    apprehended = _date(dates.get("apprehended_on", values["apprehended_on"]), "apprehended_on",
                        errors)  # fmt: skip
    knowledge = _date(dates.get("knowledge_on", values["knowledge_on"]), "knowledge_on", errors)
    # The rules `application_draft` applies to the same values, under the file's column names.
    rules = draft_errors(
        kind=kind,
        procedure=procedure,
        apprehended_on=apprehended,
        knowledge_on=knowledge,
        roles=[PersonRole.PRINCIPAL],
        today=v.today,
    )
    for name, messages in rules.items():
        column = "application_kind" if name == "kind" else name
        errors.extend((column, m) for m in messages if (column, m) not in errors[before:])
    if len(errors) == before and requested is not None:
        problem = v.agreement_problem(requested.code, kind)
        if problem:
            errors.append(("requested_state", problem))
    if len(errors) != before:
        return None
    assert requested is not None
    return {
        "kind": kind,
        "requested_state": requested.code,
        "procedure": procedure,
        "apprehended_on": apprehended,
        "knowledge_on": knowledge,
    }


# --------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------


class _Abort(Exception):
    pass


def import_run(
    *,
    actor: User,
    stream: IO[bytes],
    size: int,
    file_name: str = "",
    valid_only: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the file, then save it (all rows, or the valid ones with `valid_only`)."""
    require(actor, Capability.EDIT_RETURN_CASE)
    with _cyclic_gc_paused():
        return _import(actor, stream, size, file_name, valid_only, dry_run, progress)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the import, and run once after it.

    The import holds every parsed row and builds some ten rows of plain values for each: the
    collector, started by the count of new containers, walks all of them again and again (13 %
    of a 100,000-row import's CPU, none of them garbage: the rows are freed by their reference
    counts). Paused, nothing is left behind: cycles made meanwhile, in this thread or another,
    are collected by the one run at the end. When the collector was already paused (by the
    caller, or by another import in another thread), it is left as it was."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def _import(
    actor: User,
    stream: IO[bytes],
    size: int,
    file_name: str,
    valid_only: bool,
    dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run, valid_only=valid_only)
    tick = progress or (lambda phase, done, total: None)
    max_rows = int(getattr(settings, "READMIT_IMPORT_MAX_ROWS", 200_000))
    parsed: list[ParsedRow] = []
    try:
        table = open_table(stream, size, file_name)
        report.format = table.format
        validator = _Validator(actor, local_today())
        tick("validating", 0, None)
        for number, raw in _limited(table.rows, max_rows, report):
            report.rows += 1
            row, problems = _validate(number, raw, validator)
            if row is None:
                report.invalid_rows += 1
                for column, message in problems:
                    report.error(number, column, message)
            else:
                report.valid_rows += 1
                parsed.append(row)
            if report.rows % 1000 == 0:
                tick("validating", report.rows, None)
    except FileRejected as exc:
        report.error(exc.row, exc.column, exc.message)
        report.valid_rows = 0
        return report
    tick("validating", report.rows, report.rows)
    if report.rows == 0:
        report.error(None, "", _("The file has a header but no rows."))
        return report
    if dry_run or (not report.ok and not valid_only) or not parsed:
        return report
    try:
        # One transaction; the chain's head held for it, and the rows written on a second
        # thread while the next are built (SQLite).
        with transaction.atomic(), _page_cache(), audit_chain_held(), writes_overlapped():
            _save(actor, parsed, report, tick, validator.lookups)
            audit_record(
                actor=actor,
                action="imports.file.imported",
                owner_authority_id=actor.authority_id,
                object_type="imports.file",
                object_id=file_name[:64],
                changes={
                    "rows": report.rows,
                    "persons": report.persons,
                    "cases": report.cases,
                    "applications": report.applications,
                    "invalid_rows": report.invalid_rows,
                },
            )
    except _Abort:
        report.persons = report.cases = report.applications = 0
        return report
    report.saved = True
    return report


@contextmanager
def _page_cache() -> Iterator[None]:
    """On SQLite, a larger page cache for the import's one big transaction: the default 2 MB
    makes every insert into a large random-order index (the audit hashes) go back to disk."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB, released when restored
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _limited(
    rows: Iterator[tuple[int, dict[str, Any]]], limit: int, report: ImportReport
) -> Iterator[tuple[int, dict[str, Any]]]:
    for count, item in enumerate(rows, start=1):
        if count > limit:
            raise FileRejected(
                _("The file has more than %(n)d rows: split it into smaller files.") % {"n": limit},
                row=item[0],
            )
        yield item


def _save(
    actor: User,
    parsed: list[ParsedRow],
    report: ImportReport,
    tick: Progress,
    lookups: DraftLookups | None = None,
) -> None:
    total = len(parsed)
    done = 0
    tick("saving", 0, total)
    plain = [r for r in parsed if r.application is None]
    for start in range(0, len(plain), CHUNK):
        chunk = plain[start : start + CHUNK]
        person_ids = persons_create_bulk(actor=actor, people=[r.person for r in chunk])
        cases_create_bulk(actor=actor, person_ids=person_ids)
        report.persons += len(person_ids)
        report.cases += len(person_ids)
        done += len(chunk)
        tick("saving", done, total)
    drafting = [r for r in parsed if r.application is not None]
    for start in range(0, len(drafting), CHUNK):
        chunk = drafting[start : start + CHUNK]
        saved = _save_drafts(actor, chunk, report, lookups)
        report.persons += saved
        report.cases += saved
        report.applications += saved
        done += len(chunk)
        tick("saving", done, total)


def _save_drafts(
    actor: User, chunk: list[ParsedRow], report: ImportReport, lookups: DraftLookups | None
) -> int:
    """Persons, cases and applications of one chunk of rows; a row the drafting refuses is
    reported at its column (and the import stops, unless only the valid rows are saved: then
    the chunk is saved again without it). Returns how many rows were saved."""
    while chunk:
        try:
            with transaction.atomic():
                snapshots: dict[int, dict[str, Any]] = {}  # the persons as just written
                person_ids = persons_create_bulk(
                    actor=actor, people=[r.person for r in chunk], snapshots=snapshots
                )
                case_ids = cases_create_bulk(actor=actor, person_ids=person_ids)
                applications_draft_bulk(
                    actor=actor,
                    drafts=[
                        DraftInput(
                            return_case_id=case_id,
                            persons=[PersonInput(person_id=person_id, role=PersonRole.PRINCIPAL)],
                            **row.application or {},
                        )
                        for row, person_id, case_id in zip(chunk, person_ids, case_ids, strict=True)
                    ],
                    lookups=lookups,
                    snapshots=snapshots,
                )
        except DraftsRefused as exc:
            refused = exc.refused
        except DomainError as exc:  # the same for every row (e.g. the actor's role)
            refused = dict.fromkeys(range(len(chunk)), exc)
        else:
            return len(chunk)
        for index, error in sorted(refused.items()):
            for name, messages in (error.fields or {"application_kind": [error.message]}).items():
                column = "application_kind" if name == "kind" else name
                column = column if column in NAMES else "application_kind"
                for message in messages:
                    report.error(chunk[index].number, column, message)
        report.invalid_rows += len(refused)
        report.valid_rows -= len(refused)
        if not report.valid_only:
            raise _Abort from None
        chunk = [row for i, row in enumerate(chunk) if i not in refused]
    return 0
