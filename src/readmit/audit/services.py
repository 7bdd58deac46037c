"""Writing the audit trail and the access log, and verifying the chain.

`audit_record` must be called inside the transaction of the change it records, so the change
and its entry commit or roll back together. Each entry's hash is an HMAC-SHA256 over the
previous entry's hash and the entry's own canonical content: changing, removing or inserting
an entry breaks the chain from that point, and forging a replacement needs the audit key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from readmit.audit.context import current_channel
from readmit.audit.models import AccessLogEntry, AuditEntry, AuditHead, Transmission
from readmit.core.bulk import JSONText, json_encoder, rows_insert
from readmit.core.compiled import CompiledInsert

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model

    from readmit.accounts.models import Authority, User

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
_SECRET_MARKERS = ("password", "secret", "token", "digest", "otp", "key", "totp")
# Values `_jsonable` returns as they are (the exact types: a subclass may say otherwise).
_PLAIN_JSON = frozenset({str, int, bool, type(None)})


def _audit_key() -> bytes:
    key = getattr(settings, "READMIT_AUDIT_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"readmit-audit-chain:" + key.encode("utf-8")).digest()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return (
            value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if hasattr(value, "pk"):
        return _jsonable(value.pk)
    return str(value)


@functools.lru_cache(maxsize=1024)
def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in _SECRET_MARKERS)


def sanitize_changes(changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON-safe copy of the changed values, with secrets replaced by a marker."""
    clean: dict[str, Any] = {}
    for name, value in (changes or {}).items():
        key = str(name)
        if _is_secret(key):
            clean[key] = REDACTED
        elif type(value) in _PLAIN_JSON:
            clean[key] = value
        elif isinstance(value, Mapping):
            clean[key] = sanitize_changes(value)
        else:
            clean[key] = _jsonable(value)
    return clean


# The chained fields besides `at` (written as UTC with microseconds, see `_at_text`).
_CHAINED = (
    "seq", "actor_id", "actor_username", "actor_authority_id", "actor_authority_code",
    "owner_authority_id", "channel", "action", "object_type", "object_id", "changes", "reason",
    "prev_hash",
)  # fmt: skip


def _at_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical_values(values: Mapping[str, Any], at_text: str) -> bytes:
    """The bytes an entry's hash covers: its chained fields as canonical JSON."""
    payload = {name: values[name] for name in _CHAINED}
    payload["at"] = at_text
    return _canonical_encode(payload).encode()


# The canonical form: json.dumps(value, sort_keys=True, separators=(",", ":"),
# ensure_ascii=False), from one encoder made once (json.dumps makes one on every call).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_canonical_encode = json_encoder(_CANONICAL)
_encode_str = json.encoder.encode_basestring  # what _CANONICAL writes for a str (not ASCII-only)


def _canonical_json(value: Any) -> str:
    """`_CANONICAL.encode(value)`, with the plain values of a payload written directly."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is JSONText:  # canonical already (`audit_record_many`)
        return value
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return _canonical_encode(value)


def _canonical_many(shared: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bytes]:
    """`_canonical_values` for many entries that share some chained fields (`shared`: the
    actor, the channel and `at` as text for `audit_record_many`): the same bytes, with the
    shared part of the canonical JSON written once. The payload's keys are sorted as
    `sort_keys` sorts them; each value is encoded as `_CANONICAL` encodes it."""
    literals: list[str] = []  # the text before each varying value
    varying: list[str] = []
    text = "{"
    for position, name in enumerate(sorted((*_CHAINED, "at"))):
        key = ("," if position else "") + _encode_str(name) + ":"
        if name in shared:
            text += key + _canonical_json(shared[name])
        else:
            literals.append(text + key)
            varying.append(name)
            text = ""
    tail = text + "}"
    pairs = list(zip(literals, varying, strict=True))

    def canonical(values: Mapping[str, Any]) -> bytes:
        parts = []
        for literal, name in pairs:
            parts.append(literal)
            parts.append(_canonical_json(values[name]))
        parts.append(tail)
        return "".join(parts).encode()

    return canonical


def _canonical(entry: AuditEntry) -> bytes:
    return _canonical_values({n: getattr(entry, n) for n in _CHAINED}, _at_text(entry.at))


def entry_hash(entry: AuditEntry) -> str:
    return hmac.new(_audit_key(), _canonical(entry), hashlib.sha256).hexdigest()


def _actor_fields(actor: User | AnonymousUser | None) -> dict[str, Any]:
    if actor is None or not actor.is_authenticated:
        return {
            "actor_id": None,
            "actor_username": "",
            "actor_authority_id": None,
            "actor_authority_code": "",
        }
    authority = getattr(actor, "authority", None)
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "actor_authority_id": getattr(authority, "pk", None),
        "actor_authority_code": getattr(authority, "code", ""),
    }


@dataclass
class _Held:
    seq: int
    hash: str


_HELD: ContextVar[_Held | None] = ContextVar("readmit_audit_held", default=None)


@contextmanager
def audit_chain_held() -> Iterator[None]:
    """For a long bulk write in one transaction (the import): the chain's head is locked
    once, the entries appended inside go on from it in memory, and the head row is written
    once, at the end (left by an exception, it is not: the caller's transaction rolls back).
    Inside it, appending reads and writes no other row than the entry's own, so it never
    waits for rows still being written (`readmit.core.bulk.writes_overlapped`). The head is
    locked until the transaction ends, as after any entry.

    The head in memory follows the transaction: a rollback to a savepoint made inside (an
    inner `atomic` block left by an exception) takes it back to where it was at the
    savepoint, as the rollback takes back the entries appended since."""
    if _HELD.get() is not None:
        yield
        return
    with transaction.atomic():
        head = _lock_head()
        held = _Held(head.seq, head.hash)
        at_savepoint: dict[str, tuple[int, str]] = {}

        def follow(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            result = execute(sql, params, many, context)
            if sql.startswith(("SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")):
                name = sql.rsplit(" ", 1)[1]
                if sql[0] == "S":
                    at_savepoint[name] = (held.seq, held.hash)
                elif name in at_savepoint:
                    held.seq, held.hash = at_savepoint[name]
            return result

        token = _HELD.set(held)
        try:
            with transaction.get_connection().execute_wrapper(follow):
                yield
        finally:
            _HELD.reset(token)
        if held.seq != head.seq:
            AuditHead.objects.filter(id=1).update(seq=held.seq, hash=held.hash)


def _head() -> AuditHead | _Held:
    """The chain's head: the one held for this bulk write, or the row, locked."""
    return _HELD.get() or _lock_head()


def _head_moved(seq: int, hash: str) -> None:
    held = _HELD.get()
    if held is None:
        AuditHead.objects.filter(id=1).update(seq=seq, hash=hash)
    else:
        held.seq, held.hash = seq, hash


def _lock_head() -> AuditHead:
    try:
        return AuditHead.objects.select_for_update().get(id=1)
    except AuditHead.DoesNotExist:
        try:
            with transaction.atomic():
                AuditHead.objects.create(id=1)
        except IntegrityError:
            pass  # created concurrently
        return AuditHead.objects.select_for_update().get(id=1)


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int | None = None,
    owner_authority_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    with transaction.atomic():
        head = _head()
        entry = AuditEntry(
            seq=head.seq + 1,
            at=at or timezone.now(),
            channel=current_channel(),
            action=action,
            object_type=object_type,
            object_id="" if object_id is None else str(object_id),
            owner_authority_id=owner_authority_id,
            changes=sanitize_changes(changes),
            reason=reason,
            prev_hash=head.hash,
            **_actor_fields(actor),
        )
        entry.hash = entry_hash(entry)
        entry.save()
        _head_moved(entry.seq, entry.hash)
    return entry


class AuditInput(NamedTuple):
    """One entry for `audit_record_many`: the arguments `audit_record` takes. The object is
    `obj`, or, for rows written without model instances (bulk paths), its `object_type`
    (the model's label, e.g. "persons.person") and `object_id`. A named tuple: an import
    makes one per person, case and application, and a frozen dataclass takes twice as long
    to make."""

    action: str
    obj: Model | None = None
    owner_authority_id: int | None = None
    changes: Mapping[str, Any] | None = None
    reason: str = ""
    object_type: str = ""
    object_id: str | int | None = None


def audit_record_many(
    *,
    actor: User | AnonymousUser | None,
    entries: Iterable[AuditInput],
    at: dt.datetime | None = None,
    batch_size: int = 500,
) -> int:
    """Append many entries to the chain at once, in the caller's transaction (bulk paths such
    as the import): the head is locked once, each entry is hashed exactly as `audit_record`
    would hash it (the same canonical content, in order, each on the previous one's hash),
    and the rows are inserted in batches (of 500: with overlapped writes, the first are
    written while the next are hashed). Returns the number written."""
    moment = at or timezone.now()
    key = _audit_key()
    common = {"channel": current_channel(), **_actor_fields(actor)}
    canonical = _canonical_many({**common, "at": _at_text(moment)})
    written = 0
    with transaction.atomic():
        head = _head()
        seq, prev = head.seq, head.hash
        batch: list[dict[str, Any]] = []
        for item in entries:
            seq += 1
            if item.obj is not None:
                object_type = item.object_type or item.obj._meta.label_lower
                object_id = item.obj.pk if item.object_id is None else item.object_id
            else:
                object_type, object_id = item.object_type, item.object_id
            values = {
                **common,
                "seq": seq,
                "at": moment,
                "action": item.action,
                "object_type": object_type,
                "object_id": "" if object_id is None else str(object_id),
                "owner_authority_id": item.owner_authority_id,
                # Encoded once, canonically, for the hash and for the row.
                "changes": JSONText(_canonical_encode(sanitize_changes(item.changes))),
                "reason": item.reason,
                "prev_hash": prev,
            }
            prev = hmac.digest(key, canonical(values), "sha256").hex()
            values["hash"] = prev
            batch.append(values)
            if len(batch) >= batch_size:
                written += len(rows_insert(AuditEntry, batch, now=moment))
                batch = []
        if batch:
            written += len(rows_insert(AuditEntry, batch, now=moment))
        if written:
            _head_moved(seq, prev)
    return written


_ACCESS_LOG_FIELDS = tuple(
    f.attname for f in AccessLogEntry._meta.concrete_fields if not f.primary_key
)
_ACCESS_LOG_INSERT = CompiledInsert(AccessLogEntry, _ACCESS_LOG_FIELDS)


# The reads logged inside `access_reads_collected`, for logging them again later.
_READS: ContextVar[list[tuple[str, str, int | None]] | None] = ContextVar(
    "readmit_access_reads", default=None
)


@contextmanager
def access_reads_collected() -> Iterator[list[tuple[str, str, int | None]]]:
    """The (record type, record id, owner authority) of every read `access_log_record` logs
    inside the block, collected as well: an idempotent API request keeps them with its answer,
    so that a replay of the answer is logged as the reads it shows again."""
    collected: list[tuple[str, str, int | None]] = []
    token = _READS.set(collected)
    try:
        yield collected
    finally:
        _READS.reset(token)


def access_log_record(
    *,
    actor: User | AnonymousUser,
    records: Iterable[tuple[str, str | int, int | None]],
    purpose: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Log that `actor` read personal data in each (record type, record id, owner authority)."""
    fields = _actor_fields(actor)
    moment = at or timezone.now()
    rows = [
        {
            "at": moment,
            "channel": current_channel(),
            "object_type": object_type,
            "object_id": str(object_id),
            "owner_authority_id": owner,
            "purpose": purpose,
            **fields,
        }
        for object_type, object_id, owner in records
    ]
    collected = _READS.get()
    if collected is not None:
        collected.extend((r["object_type"], r["object_id"], r["owner_authority_id"]) for r in rows)
    if len(rows) <= CompiledInsert.MAX_ROWS:
        # One INSERT compiled once per number of rows, for the busiest read of all (an
        # application writes a row per person it shows): bulk_create would wrap the rows in
        # BEGIN … COMMIT, and save() would compile its statement on every read.
        if rows:
            _ACCESS_LOG_INSERT(*rows)
    else:
        AccessLogEntry.objects.bulk_create(AccessLogEntry(**row) for row in rows)
    return len(rows)


def transmission_record(
    *,
    actor: User | AnonymousUser | None,
    sender: Authority,
    recipient: Authority | None,
    recipient_state: str,
    message: str,
    obj: Model,
    legal_basis: str,
    fields_sent: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> Transmission:
    """Record, in the caller's transaction, that `message` about `obj` crossed to another state."""
    return Transmission.objects.create(
        at=at or timezone.now(),
        sender_authority_id=sender.pk,
        sender_authority_code=sender.code,
        recipient_authority_id=getattr(recipient, "pk", None),
        recipient_authority_code=getattr(recipient, "code", ""),
        recipient_state=recipient_state,
        actor_username=actor.get_username() if actor is not None and actor.is_authenticated else "",
        channel=current_channel(),
        message=message,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        legal_basis=legal_basis,
        fields_sent=sorted(fields_sent),
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def audit_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the chain in order and report the first entry that breaks it."""
    head = AuditHead.objects.filter(id=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq < expected_seq:
            return ChainReport(
                False,
                checked,
                f"Entry #{entry.seq} is out of order: it was inserted before the start of the chain.",
                entry.seq,
            )
        if entry.seq > expected_seq:
            return ChainReport(
                False,
                checked,
                f"Entry #{expected_seq} is missing: it was deleted (the chain goes on at #{entry.seq}).",
                expected_seq,
            )
        if entry_hash(entry) != entry.hash:
            if entry.seq > head_seq:
                return ChainReport(
                    False,
                    checked,
                    f"Entry #{entry.seq} was inserted: it is past the end of the chain (#{head_seq}) "
                    "and its hash does not match its content.",
                    entry.seq,
                )
            return ChainReport(
                False,
                checked,
                f"Entry #{entry.seq} was modified: its hash does not match its content.",
                entry.seq,
            )
        if entry.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                f"Entry #{entry.seq} does not follow entry #{entry.seq - 1}: "
                "it was inserted or moved out of order.",
                entry.seq,
            )
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if last_seq < head_seq:
        return ChainReport(
            False,
            checked,
            f"Entry #{last_seq + 1} is missing: the chain should end at #{head_seq}, "
            f"so the last {head_seq - last_seq} entries were deleted.",
            last_seq + 1,
        )
    if last_seq > head_seq or prev_hash != head_hash:
        return ChainReport(
            False,
            checked,
            f"Entry #{last_seq} is not the recorded end of the chain: entries were inserted.",
            last_seq,
        )
    return ChainReport(True, checked)
