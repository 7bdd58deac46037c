"""Writing many rows of one model at once, for the bulk services (the import).

Django's `bulk_create` compiles every value of every row through the ORM (`pre_save`,
`get_db_prep_save`, one placeholder expression each): for the import's persons, with about
thirty columns, that was most of the time of the whole import. `rows_insert` does what it does
for a plain insert, once per field instead of once per value: the model's defaults, `auto_now`
and `auto_now_add` (one `now` for the batch), and the backend's conversion of each field type;
then it writes plain tuples with `executemany` (SQLite) or `COPY` (PostgreSQL).

The ids are reserved before the rows are written, so the caller can link the next table's
rows and write the audit entries without reading anything back. On PostgreSQL they come from
the table's own sequence; on SQLite, whose transactions here begin IMMEDIATE (settings), the
write lock is held for the whole transaction, so the next ids are those after the table's
AUTOINCREMENT counter. Were another writer to slip in anyway, the explicit ids would collide
with its row and the insert would fail: rows are never linked to the wrong parent.

Inside `writes_overlapped` (SQLite), the rows are written by a second thread while the caller
builds the next ones.

It knows no domain rules and writes no audit entries: the services that call it do.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

Converter = Callable[[Any], Any]

# Field types whose Python value the database driver takes as it is.
_PLAIN = frozenset(
    {
        "AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "IntegerField",
        "SmallIntegerField", "PositiveBigIntegerField", "PositiveIntegerField",
        "PositiveSmallIntegerField", "BooleanField", "CharField", "TextField", "SlugField",
        "EmailField", "URLField", "FloatField",
    }
)  # fmt: skip


def _converter(field: models.Field[Any, Any]) -> Converter | None:
    """How a non-null Python value of `field` is written, or None when as it is."""
    if field.is_relation:
        return _converter(field.target_field)  # type: ignore[attr-defined]
    internal = field.get_internal_type()
    if internal == "BooleanField" and connection.vendor == "sqlite":
        # sqlite3 binds an int directly, but looks for an adapter for every bool (and every
        # None) it is given; SQLite stores True as 1 either way.
        return int
    if internal in _PLAIN:
        return None
    if isinstance(field, models.JSONField):
        # COPY takes the JSON text; SQLite stores it as text, as adapt_json_value does
        # (`json.dumps(v, cls=encoder)`: the same text from one encoder made once). Rows that
        # share one value (the same object) are encoded once; a JSONText is written as it is.
        return _memo(_json_converter(json_encoder((field.encoder or json.JSONEncoder)())))
    if isinstance(field, models.FileField):
        return lambda v: str(v or "")
    postgres = connection.vendor == "postgresql"
    if postgres and isinstance(field, models.DateField | models.UUIDField | models.DecimalField):
        return None  # psycopg writes dates, aware datetimes, UUIDs and decimals itself
    if isinstance(field, models.DateTimeField):
        return _memo(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.UUIDField) and not connection.features.has_native_uuid_field:
        # What UUIDField.get_db_prep_value writes there, without its call chain per value.
        to_python = field.to_python
        return lambda v: v.hex if type(v) is uuid.UUID else to_python(v).hex
    return lambda v: field.get_db_prep_save(v, connection)


class JSONText(str):
    """A JSON field's value that the caller has encoded already (the audit trail's changes,
    encoded once for the hash and the row): `rows_insert` writes the text as it is."""

    __slots__ = ()


def _json_converter(encode: Converter) -> Converter:
    def converted(value: Any) -> Any:
        return str(value) if type(value) is JSONText else encode(value)

    return converted


def json_encoder(encoder: json.JSONEncoder) -> Converter:
    """`encoder.encode`, without remaking the C encoder on every call: `encode` goes through
    `iterencode`, which builds a new `c_make_encoder` object for each value (a quarter of the
    time of encoding an audit entry's changes). The same arguments, so the same text; no
    check for circular values (the values written are trees: a cycle would be a
    RecursionError instead of a ValueError). Without the C encoder (not CPython), or with an
    indent or an `encode` or `iterencode` of its own, `encoder.encode` itself."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if (
        make is None
        or encoder.indent is not None
        or type(encoder).encode is not json.JSONEncoder.encode
        or type(encoder).iterencode is not json.JSONEncoder.iterencode
    ):
        return encoder.encode
    strings = (
        json.encoder.encode_basestring_ascii
        if encoder.ensure_ascii
        else json.encoder.encode_basestring
    )
    iterencode = make(
        None, encoder.default, strings, encoder.indent, encoder.key_separator,
        encoder.item_separator, encoder.sort_keys, encoder.skipkeys, encoder.allow_nan,
    )  # fmt: skip
    plain = encoder.encode

    def encode(value: Any) -> str:
        if type(value) is str:
            return plain(value)
        return "".join(iterencode(value, 0))

    return encode


def _memo(convert: Converter) -> Converter:
    """A batch repeats one `now` (and rows may share one value): convert it once. The last
    value is kept, so the identity compared is never that of another object."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


_MISSING = object()


class _Layout(NamedTuple):
    # The row, in the columns' order, from [*template, *the values given, id, now, today].
    pick: Callable[[list[Any]], tuple[Any, ...]]
    relations: tuple[int, ...]
    callables: tuple[tuple[int, Callable[[], Any]], ...]
    # The columns no row of this layout fills: not given, no default but None, no time.
    nulls: tuple[int, ...]


class _Plan:
    """One model's columns, defaults and converters, worked out once per call."""

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        pk = meta.pk
        if not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            raise TypeError(f"{meta.label} has no automatic id")
        self.table = meta.db_table
        self.fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False)]
        if any(f.db_default is not models.NOT_PROVIDED for f in self.fields):
            raise TypeError(f"{meta.label} has database defaults, which rows_insert does not know")
        self.index: dict[str, int] = {}
        for i, f in enumerate(self.fields):
            self.index[f.attname] = i
            self.index[f.name] = i
        self.pk_index = self.fields.index(pk)
        self.relations = {i for i, f in enumerate(self.fields) if f.is_relation}
        # Per set of names given (in their order; a call's rows usually share one): where
        # each goes, which of them are relations, which callable defaults are still needed.
        self._layouts: dict[tuple[str, ...], _Layout] = {}
        self.callables: list[tuple[int, Callable[[], Any]]] = []
        self.now_fields: list[int] = []
        self.today_fields: list[int] = []
        template: list[Any] = []
        for i, f in enumerate(self.fields):
            template.append(None)
            if i == self.pk_index:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                # Set on every insert, whatever is given (as `pre_save` does).
                if isinstance(f, models.DateTimeField):
                    self.now_fields.append(i)
                else:
                    self.today_fields.append(i)
            elif f.has_default() and callable(f.default):
                self.callables.append((i, f.default))
                template[i] = _MISSING
            else:
                template[i] = f.get_default()
        self.template = template
        self.converters = [(i, c) for i, f in enumerate(self.fields) if (c := _converter(f))]
        qn = connection.ops.quote_name
        self.columns = ", ".join(qn(f.column) for f in self.fields)

    def layout(self, values: Mapping[str, Any]) -> _Layout:
        names = tuple(values)
        return self._layouts.get(names) or self._layout(names)

    def filled(
        self,
        values: Mapping[str, Any],
        pk: int,
        now: dt.datetime,
        today: dt.date,
        layout: _Layout,
    ) -> list[Any]:
        """The row's Python values, defaults and times filled, in the columns' order
        (`layout`: the values' own, from `layout`)."""
        row = list(layout.pick([*self.template, *values.values(), pk, now, today]))
        for i in layout.relations:
            value = row[i]
            if isinstance(value, models.Model):
                row[i] = value.pk
        for i, make in layout.callables:
            row[i] = make()
        return row

    def _layout(self, names: tuple[str, ...]) -> _Layout:
        positions = tuple(self.index[name] for name in names)
        given = set(positions)
        timed = {self.pk_index, *self.now_fields, *self.today_fields}
        width = len(self.template)
        source = list(range(width))  # each column's place in the list `filled` picks from
        for j, i in enumerate(positions):  # a column named twice: the later value, as before
            source[i] = width + j
        extra = width + len(names)
        source[self.pk_index] = extra
        for i in self.now_fields:
            source[i] = extra + 1
        for i in self.today_fields:
            source[i] = extra + 2
        pick = itemgetter(*source) if width > 1 else lambda values: (values[source[0]],)
        layout = _Layout(
            pick,
            tuple(sorted(given & self.relations)),
            tuple((i, make) for i, make in self.callables if i not in given),
            tuple(
                i
                for i, default in enumerate(self.template)
                if default is None and i not in given and i not in timed
            ),
        )
        self._layouts[names] = layout
        return layout

    def converted(self, row: list[Any]) -> list[Any]:
        """`row` (from `filled`) as the database driver takes it, converted in place."""
        for i, convert in self.converters:
            if row[i] is not None:
                row[i] = convert(row[i])
        return row


def spanning(field: str, ids: Collection[int]) -> Q:
    """A filter on `field` that every id of `ids` (not empty) passes, and maybe others: the
    caller keeps only the rows whose value is in `ids`. When the ids are nearly contiguous,
    as those a bulk service has just written are, it is the range they span, two values for
    the query; else `field__in`, which Django compiles value by value (about 6 ms for the
    import's 2,000 ids, three times a chunk)."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": ids})


def _reserve_ids(plan: _Plan, count: int) -> list[int]:
    writer = _WRITER.get()
    if writer is None:
        return _read_ids(plan, count)
    # SQLite, overlapped: the table's counter is read once (it waits for the queued rows),
    # then the ids follow on from memory, as long as only `rows_insert` inserts rows.
    first = writer.next_ids.get(plan.table) or _read_ids(plan, count)[0]
    writer.next_ids[plan.table] = first + count
    return list(range(first, first + count))


def _read_ids(plan: _Plan, count: int) -> list[int]:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [qn(plan.table), plan.fields[plan.pk_index].column, count],
            )
            return sorted(r[0] for r in cursor.fetchall())
        # AUTOINCREMENT's counter, or the largest id if the counter has no row yet: an id
        # once used (its row since deleted) is never given again.
        pk, table = qn(plan.fields[plan.pk_index].column), qn(plan.table)
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - names from the model
            f"coalesce((SELECT max({pk}) FROM {table}), 0))",
            [plan.table],
        )
        last = int(cursor.fetchone()[0])
    return list(range(last + 1, last + 1 + count))


def rows_insert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    now: dt.datetime | None = None,
    written: list[dict[str, Any]] | None = None,
) -> list[int]:
    """Insert one row of `model` per mapping (field names or attnames to Python values; the
    rest take the model's defaults) in the caller's transaction; returns their ids in order.
    No `save()`, no signals, no validation: the caller has applied the rules.

    With `written`, each row is also appended to it as it was written: every column by its
    attname (the id, the defaults and the times filled in, a related instance as its id) with
    its Python value, before the backend's conversion; what reading the row back with
    `.values()` would give, without the read."""
    if not rows:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("rows_insert must run inside the caller's transaction")
    plan = _Plan(model)
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = _reserve_ids(plan, len(rows))
    # The rows by layout (the names given, in their order): a call's rows usually share one.
    groups: dict[_Layout, list[list[Any]]] = {}
    attnames = [f.attname for f in plan.fields]
    for values, pk in zip(rows, ids, strict=True):
        layout = plan.layout(values)
        row = plan.filled(values, pk, now, today, layout)
        if written is not None:
            written.append(dict(zip(attnames, row, strict=True)))
        group = groups.get(layout)
        if group is None:
            group = groups[layout] = []
        group.append(plan.converted(row))
    qn = connection.ops.quote_name
    # The DB-API cursor itself: Django's wrapper would log every parameter (personal data)
    # when its SQL logging is on, and costs a call per row. Its errors are Django's still.
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        for layout, data in groups.items():
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {qn(plan.table)} ({plan.columns}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
                continue
            _sqlite_insert(cursor, plan, layout, data)
    return ids


def _sqlite_insert(
    cursor: sqlite3.Cursor, plan: _Plan, layout: _Layout, data: list[list[Any]]
) -> None:
    # The columns no row of the layout fills are NULL in the statement itself: sqlite3 looks
    # for an adapter for every None it binds, as long as binding the other values of the row
    # (a quarter of an application's columns are NULL).
    nulls = set(layout.nulls)
    marks = ", ".join("NULL" if i in nulls else "?" for i in range(len(plan.fields)))
    keep = [i for i in range(len(plan.fields)) if i not in nulls]
    given: Callable[[list[Any]], Sequence[Any]] | None = None
    if nulls:
        given = itemgetter(*keep) if len(keep) > 1 else lambda row: (row[keep[0]],)
    insert = f"INSERT INTO {connection.ops.quote_name(plan.table)} ({plan.columns}) VALUES "  # noqa: S608 - names from the model
    writer = _WRITER.get()
    if writer is not None:
        writer.insert(insert, marks, len(keep), data, given)
        return
    # sqlite3's own executemany with its own placeholders: Django's wrapper would copy the
    # rows through itertools.tee only to rewrite "%s" once.
    params: Sequence[Sequence[Any]] = data
    if given is not None:
        params = [given(row) for row in data]
    sqlite3.Cursor.executemany(cursor, f"{insert}({marks})", params)


# --------------------------------------------------------------------------------------
# Overlapped writes (SQLite)
# --------------------------------------------------------------------------------------

# Rows per statement on the writing thread: SQLite runs a statement's rows in one step, with
# Python's lock released; more rows would only lengthen the statement's text.
_ROWS_PER_STATEMENT = 500
# The statements that take no ids: every other one may insert rows beside `rows_insert`.
_TAKES_NO_IDS = ("SELECT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE")


class _Writer:
    """The second thread of `writes_overlapped`: it runs the queued statements, in order, on
    the connection's own SQLite handle."""

    def __init__(self, handle: sqlite3.Connection) -> None:
        self.handle = handle
        self.queue: queue.SimpleQueue[tuple[str, list[Any], bool] | None] = queue.SimpleQueue()
        self.pending = 0
        self.idle = threading.Condition()
        self.error: BaseException | None = None
        self.dropped = False  # the block was left by an exception: no more rows are written
        self.next_ids: dict[str, int] = {}
        self.max_params = handle.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.thread = threading.Thread(target=self._run, name="readmit-bulk-writer", daemon=True)
        self.thread.start()

    def insert(
        self,
        insert: str,
        marks: str,
        width: int,
        data: list[list[Any]],
        given: Callable[[list[Any]], Sequence[Any]] | None,
    ) -> None:
        """Queue `data`'s rows as multi-row INSERTs (each row's `given` values, else all)."""
        per = max(1, min(_ROWS_PER_STATEMENT, self.max_params // max(width, 1)))
        row = f"({marks})"
        full = ""
        for start in range(0, len(data), per):
            part = data[start : start + per]
            if len(part) == per:  # the same text each time: compiled once, from the cache
                full = full or insert + ", ".join([row] * per)
                sql = full
            else:
                sql = insert + ", ".join([row] * len(part))
            values = chain.from_iterable(part if given is None else map(given, part))
            self._put(sql, list(values), data=True)

    def _put(self, sql: str, params: list[Any], *, data: bool) -> None:
        with self.idle:
            self.pending += 1
        self.queue.put((sql, params, data))

    def wait(self, *, raising: bool = True) -> None:
        """Until every queued statement has run; a failed one is raised again (every time)."""
        with self.idle:
            while self.pending:
                self.idle.wait()
        if self.error is not None and raising:
            with connection.wrap_database_errors:
                raise self.error

    def statement(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """Django's execute wrapper: a savepoint is queued in its place among the inserts;
        any other statement runs once the queued ones have. A rollback to a savepoint runs
        even after a failed insert (an `atomic` block being left by an exception), which the
        next statement raises again."""
        start = sql.lstrip()[:10].upper()
        if start.startswith(("SAVEPOINT", "RELEASE")) and not params and not many:
            self._put(sql, [], data=False)
            return None
        self.wait(raising=not start.startswith("ROLLBACK"))
        if not start.startswith(_TAKES_NO_IDS):
            self.next_ids.clear()
        return execute(sql, params, many, context)

    def close(self) -> None:
        """Stop the thread once the queue has run (without its rows, if `dropped`); an
        interruption (Ctrl-C) while waiting for it is raised once the thread has ended."""
        if not self.thread.is_alive():
            return
        self.queue.put(None)
        interrupted: BaseException | None = None
        while self.thread.is_alive():
            try:
                self.thread.join()
            except BaseException as exc:
                self.dropped = True
                interrupted = interrupted or exc
        if interrupted is not None:
            raise interrupted

    def _run(self) -> None:
        cursor = self.handle.cursor()
        try:
            while (item := self.queue.get()) is not None:
                sql, params, data = item
                try:
                    # After a failure, or once the block is left by an exception, the
                    # savepoints still run (the transaction's own bookkeeping expects
                    # them), the rows no longer.
                    if not data or (self.error is None and not self.dropped):
                        cursor.execute(sql, params)
                except Exception as exc:
                    self.error = self.error or exc
                finally:
                    with self.idle:
                        self.pending -= 1
                        if not self.pending:
                            self.idle.notify_all()
        finally:
            cursor.close()


_WRITER: ContextVar[_Writer | None] = ContextVar("readmit_bulk_writer", default=None)


@contextmanager
def writes_overlapped() -> Iterator[None]:
    """On SQLite, `rows_insert` writes on a second thread while the caller goes on building
    the next rows (the import: SQLite's own work was some 40 % of its time, and the caller's
    Python the rest, one after the other on one core).

    The rows are queued as multi-row INSERTs, which SQLite runs in one step each with
    Python's lock released (`executemany` takes the lock back for every row, and would wait
    behind the caller for each). The connection's other statements wait for the queued
    ones to have run first, so every read sees every row written before it; savepoints are
    queued in their place, so a rollback to one undoes exactly the rows after it. Ids come
    from the table's counter once, then from memory, until any statement that might insert
    rows another way. An insert that fails is raised, as Django's error, by the next
    statement in the block, by every one after, and by the block's end.

    The block is an `atomic` block of its own, on every database: left by an exception, it
    takes back every row written in it, even if the caller catches the exception and
    commits. Closing the connection inside it waits for the thread first. On PostgreSQL, and
    inside another such block, it is only that atomic block.

    Call it inside the transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("writes_overlapped must run inside the caller's transaction")
    if connection.vendor != "sqlite" or _WRITER.get() is not None:
        with transaction.atomic():
            yield
        return
    db = transaction.get_connection()
    with transaction.atomic():
        writer = _Writer(db.connection)
        token = _WRITER.set(writer)

        def close_after_writer() -> None:
            # Closing the handle while the thread runs a statement on it crashes the process.
            writer.dropped = True
            writer.close()
            type(db)._close(db)

        db._close = close_after_writer
        try:
            with db.execute_wrapper(writer.statement):
                yield
                writer.wait()
        except BaseException:
            writer.dropped = True
            raise
        finally:
            _WRITER.reset(token)
            del db._close
            writer.close()
