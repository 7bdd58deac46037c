"""Reads the ORM writes once and the database runs many times: `CompiledQuery`.

Building and compiling a queryset costs Django far more than the database spends answering
it: about 0.5 ms of Python for a primary-key read, 2 ms with a few joins, against 0.1 ms for
the same SQL sent as it is. The busiest reads (one application, for the web page and the API)
run nine such queries on every call. A `CompiledQuery` keeps the queryset in the ORM, where the
field names, joins, scopes and column conversions are Django's, and compiles it once per
database and shape: each call sends the same SQL with new values and converts the rows with
the compiler's own converters (dates from SQLite text, JSON, booleans).

    PERSONS = CompiledQuery(
        lambda key, application_id: ApplicationPerson.objects.filter(
            application_id=application_id
        ).values_list("id", "status")
    )
    rows = PERSONS(application_id)          # [(id, status), ...]

The builder receives the `key` (anything hashable that changes the query's shape, such as a
viewer's scope; it is part of the cache key) and one stand-in per value. Only values compared
with `=` to an integer or a text column can be stand-ins: each must reach the SQL as one
parameter (a text column receives the stand-in's digits); compiling checks that each did. The
builder must return a `values_list()` queryset.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import re
import threading
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.sql.compiler import SQLCompiler

# Stand-ins for the values: integers no id, count or code takes, so that each one is found
# among the compiled parameters. A text column receives a stand-in as its digits.
_STAND_INS = tuple(-7_349_152_886_000 - i for i in range(8))
_STAND_IN_TEXTS = tuple(str(value) for value in _STAND_INS)
_MAX_SHAPES = 512

Builder = Callable[..., QuerySet[Any]]


def _run(
    connection: BaseDatabaseWrapper, sql: str, params: list[Any], *, fetch: bool = True
) -> list[tuple[Any, ...]]:
    """Run a compiled statement on a cursor of Django's (its error handling, its log of
    queries) and return its rows; on PostgreSQL, prepared on the server.

    PostgreSQL plans a statement every time it receives it, and for the reads here planning
    costs far more than running: 2.2 ms against 0.3 ms for the application with its five
    joins (EXPLAIN ANALYZE, 100,000 applications), 0.2-0.5 ms against 0.05 ms for each list of
    its people, documents or events. Prepared once per connection, each is planned once.
    Only these statements are prepared: the work queues' filters need a plan for their values
    (a generic plan made them several times slower; docs/benchmarks.md).
    """
    # (Not `cursor.description`: psycopg builds an object per column to answer it.)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch else []
    cursor = _prepared_cursor(connection)
    cursor.execute(sql, params)
    return cursor.fetchall() if fetch else []


def _prepared_cursor(connection: Any) -> Any:
    """Django's wrapper around the connection's one preparing cursor, both kept and reused
    while the connection and its logging of queries (DEBUG, the tests' query counts) stay
    the same: psycopg keeps the prepared statements per connection, and a cursor costs."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw_connection, logged = connection.connection, connection.queries_logged
    kept = getattr(connection, "_readmit_preparing_cursor", None)
    if kept is not None and kept[0] is raw_connection and not kept[1].closed:
        if kept[2] == logged:
            return kept[3]
        raw = kept[1]
    else:
        postgresql: Any = importlib.import_module("django.db.backends.postgresql.base")
        with connection.wrap_database_errors:
            raw = _preparing_cursor()(raw_connection)
            if _session_in_utc(connection):
                # psycopg's own loader (C) gives the same UTC datetimes as Django's, which
                # parses every timestamp in Python to set the zone the session already has.
                raw.adapters.register_loader(
                    postgresql.TIMESTAMPTZ_OID,
                    _psycopg_adapters().get_loader(
                        postgresql.TIMESTAMPTZ_OID, postgresql.Format.TEXT
                    ),
                )
            else:
                # As Django's create_cursor: its time zone for timestamps.
                postgresql.register_tzloader(connection.timezone, raw)
    wrapper = connection._prepare_cursor(raw)
    connection._readmit_preparing_cursor = (raw_connection, raw, logged, wrapper)
    return wrapper


def _psycopg_adapters() -> Any:
    """psycopg's global map of adapters: its default loaders (C with psycopg-binary)."""
    return importlib.import_module("psycopg").adapters


@functools.cache
def _preparing_cursor() -> type[Any]:
    server_binding: Any = importlib.import_module("django.db.backends.postgresql.base")

    class PreparingCursor(server_binding.ServerBindingCursor):
        """Server-side binding, every statement prepared (psycopg keeps them per connection)."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs["prepare"] = True
            return super().execute(query, params, **kwargs)

        def _send_query_prepared(self, name: bytes, pgq: Any, **kwargs: Any) -> None:
            # psycopg keeps the statement sent only when it is not prepared; Django's log of
            # queries (DEBUG, the tests' query counts) reads it from there.
            self._query = pgq
            super()._send_query_prepared(name, pgq, **kwargs)

    return PreparingCursor


def _session_in_utc(connection: Any) -> bool:
    """Django reads this PostgreSQL connection's timestamps in UTC, and its session's zone
    (in which PostgreSQL writes them, as text or into JSON) is UTC too."""
    if connection.vendor != "postgresql" or connection.timezone is not dt.UTC:
        return False
    connection.ensure_connection()
    return connection.connection.info.timezone is dt.UTC


def _bound(params: list[Any], slots: list[tuple[int, int]], values: tuple[Any, ...]) -> list[Any]:
    """The statement's parameters with each stand-in replaced by its value."""
    bound = params.copy()
    for position, index in slots:
        bound[position] = values[index]
    return bound


def _slots(params: list[Any], arity: int) -> list[tuple[int, int]]:
    """Where each stand-in sits among the parameters: (position, index of the value)."""
    slots: list[tuple[int, int]] = []
    for position, value in enumerate(params):
        if type(value) is int and value in _STAND_INS[:arity]:
            slots.append((position, _STAND_INS.index(value)))
        elif type(value) is str and value in _STAND_IN_TEXTS[:arity]:
            slots.append((position, _STAND_IN_TEXTS.index(value)))
    if {index for _position, index in slots} != set(range(arity)):
        raise ValueError("a stand-in did not reach the SQL as a parameter of its own")
    return slots


class _Compiled:
    __slots__ = ("connection", "converters", "params", "slots", "sql", "width")

    def __init__(self, compiler: SQLCompiler, sql: str, params: tuple[Any, ...], arity: int):
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("composite primary keys are not supported")
        # The compiler's own conversions (what `results_iter` applies), worked out once.
        self.converters = list(compiler.get_converters(columns).items())
        self.connection = compiler.connection
        self.sql = sql
        self.params = list(params)
        self.slots = _slots(self.params, arity)
        self.width = len(columns)

    def convert(self, rows: list[Any]) -> list[Any]:
        """The rows with the compiler's conversions applied."""
        if not rows or not self.converters:
            return list(rows)
        connection = self.connection
        converted = []
        for row in rows:
            columns = list(row)
            for position, (functions, expression) in self.converters:
                value = columns[position]
                for function in functions:
                    value = function(value, expression, connection)
                columns[position] = value
            converted.append(tuple(columns))
        return converted


class CompiledQuery:
    """One queryset, compiled once per database alias and key, run with new values."""

    def __init__(self, build: Builder, *, arity: int = 1) -> None:
        if not 0 <= arity <= len(_STAND_INS):
            raise ValueError("too many values")
        self._build = build
        self._arity = arity
        self._shapes: dict[tuple[str, Hashable], _Compiled | None] = {}
        self._lock = threading.Lock()

    def _compiled(self, using: str, key: Hashable) -> _Compiled | None:
        """The compiled shape, or None when the query can match nothing (`.none()`)."""
        try:
            return self._shapes[(using, key)]
        except KeyError:
            pass
        compiled = self._as_sql(using, key)
        shape = None if compiled is None else _Compiled(*compiled, self._arity)
        with self._lock:
            if len(self._shapes) >= _MAX_SHAPES:
                self._shapes.clear()
            self._shapes[(using, key)] = shape
        return shape

    def _as_sql(self, using: str, key: Hashable) -> tuple[SQLCompiler, str, tuple[Any, ...]] | None:
        """The builder's queryset for `key`, compiled with the stand-ins; None when it can
        match nothing."""
        compiler = self._build(key, *_STAND_INS[: self._arity]).query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        return compiler, sql, tuple(params)

    def __call__(self, *values: Any, key: Hashable = None, using: str = "default") -> list[Any]:
        """The rows as `values_list()` gives them, for these values (in the builder's order)."""
        if len(values) != self._arity:
            raise TypeError(f"expected {self._arity} values, got {len(values)}")
        shape = self._compiled(using, key)
        if shape is None:
            return []
        params = _bound(shape.params, shape.slots, values)
        return shape.convert(_run(connections[using], shape.sql, params))

    def _json_list(self, using: str, key: Hashable) -> _JSONList:
        """This read as a scalar subquery giving its rows as one JSON array (PostgreSQL)."""
        compiled = self._as_sql(using, key)
        if compiled is None:
            return _JSONList("'[]'", [], [])
        compiler, sql, params = compiled
        _slots(list(params), self._arity)  # each value reaches this list's own SQL, or no list
        return _json_list(compiler, sql, list(params))


class _NotCarried(Exception):
    """A read whose rows cannot go through JSON unchanged: it keeps a statement of its own."""


# What a column's value looks like after a round trip through PostgreSQL's JSON, by the
# column's field type: as the ORM gives it (None), or parsed back from the ISO 8601 text
# (timestamps in the session's zone, UTC: checked when the statement is planned).
_FROM_JSON: dict[str, Callable[[Any], Any] | None] = {
    **dict.fromkeys(
        (
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
            "CharField",
            "TextField",
            "SlugField",
            "EmailField",
            "FileField",
            "BooleanField",
            "JSONField",
        )
    ),
    "DateField": dt.date.fromisoformat,
    "DateTimeField": dt.datetime.fromisoformat,
}
_POSITIONAL_ORDER = re.compile(r"(\d+) (ASC|DESC)( NULLS (?:FIRST|LAST))?")


class _JSONList(NamedTuple):
    sql: str
    params: list[Any]
    converters: list[Callable[[Any], Any] | None]


def _json_list(compiler: SQLCompiler, sql: str, params: list[Any]) -> _JSONList:
    """`SELECT cols FROM … WHERE … ORDER BY n` as `(SELECT json_agg(json_build_array(cols)
    ORDER BY col_n) FROM … WHERE …)`: the same rows, in the same order, as one value."""
    query = compiler.query
    if query.distinct or query.group_by is not None or query.low_mark or query.high_mark:
        raise _NotCarried
    selected = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    if len(selected) > 100:  # json_build_array takes at most 100 arguments
        raise _NotCarried
    # Django's own conversions of these rows: none but JSONField's parsing, which the JSON
    # round trip does itself (a field subclass with its own from_db_value is not carried).
    for _functions, expression in compiler.get_converters(selected).values():
        if expression.output_field.get_internal_type() != "JSONField":
            raise _NotCarried
    columns: list[str] = []
    converters: list[Callable[[Any], Any] | None] = []
    for column in selected:
        field = column.output_field
        kind = field.get_internal_type()
        if kind not in _FROM_JSON or getattr(field, "decoder", None) is not None:
            raise _NotCarried
        column_sql, column_params = compiler.compile(column)
        if column_params or " FROM " in column_sql.upper():
            raise _NotCarried
        columns.append(column_sql)
        converters.append(_FROM_JSON[kind])
    _select, found, rest = sql.partition(" FROM ")
    if not found:
        raise _NotCarried
    tail, found, order = rest.rpartition(" ORDER BY ")
    if not found:
        tail, order = rest, ""
    terms = []
    for term in order.split(", ") if order else []:
        match = _POSITIONAL_ORDER.fullmatch(term)
        if match is None:
            raise _NotCarried
        terms.append(f"{columns[int(match[1]) - 1]} {match[2]}{match[3] or ''}")
    ordered = f" ORDER BY {', '.join(terms)}" if terms else ""
    aggregate = f"json_agg(json_build_array({', '.join(columns)}){ordered})"
    sql = f"(SELECT COALESCE({aggregate}, '[]')::text FROM {tail})"  # noqa: S608 - compiled SQL
    return _JSONList(sql, params, converters)


class _Joined(NamedTuple):
    head: _Compiled
    sql: str
    params: list[Any]
    slots: list[tuple[int, int]]
    converters: list[list[Callable[[Any], Any] | None]]
    carried: tuple[bool, ...]  # per list: in the statement, or a read of its own after it


class CompiledWithLists:
    """A compiled read of one row and, with it, the rows of other compiled reads of the same
    values: on PostgreSQL in one statement, each list a JSON array converted back to the
    values its own read gives; elsewhere (SQLite answers in process) one read after another.

    Each statement costs the API about 100 µs of Python in psycopg and Django whatever it
    reads, and PostgreSQL 40-70 µs more: for the application's five lists that was a fifth
    of a request. The lists are read only with a visible head row, as before: no head row,
    no lists. Rules for a list: its read takes the head's values and filters on them; its key
    is the call's `list_key` (the head's is `key`), which may narrow the list but must not
    widen it past the values; a list whose columns or clauses JSON cannot carry unchanged
    (DISTINCT, a limit, a decimal, a field with conversions of its own) keeps a read of its
    own, after the statement.
    """

    def __init__(self, head: CompiledQuery, *lists: CompiledQuery) -> None:
        if any(read._arity != head._arity for read in lists):
            raise ValueError("the reads take different values")
        self._head = head
        self._lists = lists
        self._joined: dict[tuple[str, Hashable, Hashable], _Joined | None] = {}
        self._lock = threading.Lock()

    def __call__(
        self,
        *values: Any,
        key: Hashable = None,
        list_key: Hashable = None,
        using: str = "default",
    ) -> tuple[list[Any], list[list[Any]]]:
        """The head's rows (its read keyed by `key`) and, for its first row, each list's rows
        (their reads keyed by `list_key`)."""
        if len(values) != self._head._arity:
            raise TypeError(f"expected {self._head._arity} values, got {len(values)}")
        joined = self._plan(using, key, list_key)
        if joined is None:
            rows = self._head(*values, key=key, using=using)
            if not rows:
                return rows, [[] for _ in self._lists]
            return rows, [read(*values, key=list_key, using=using) for read in self._lists]
        rows = _run(connections[using], joined.sql, _bound(joined.params, joined.slots, values))
        if not rows:
            return [], [[] for _ in self._lists]
        width = joined.head.width
        texts = iter(zip(rows[0][width:], joined.converters, strict=True))
        lists = []
        for read, carried in zip(self._lists, joined.carried, strict=True):
            if not carried:
                lists.append(read(*values, key=list_key, using=using))
                continue
            text, converters = next(texts)
            lists.append(
                [
                    tuple(
                        value if convert is None or value is None else convert(value)
                        for convert, value in zip(converters, item, strict=True)
                    )
                    for item in json.loads(text)
                ]
            )
        return joined.head.convert([row[:width] for row in rows]), lists

    def _plan(self, using: str, key: Hashable, list_key: Hashable) -> _Joined | None:
        try:
            return self._joined[(using, key, list_key)]
        except KeyError:
            pass
        joined: _Joined | None = None
        head = self._head._compiled(using, key)
        if head is not None and _session_in_utc(connections[using]):
            pieces: list[_JSONList | None] = []
            for read in self._lists:
                try:
                    pieces.append(read._json_list(using, list_key))
                except _NotCarried:
                    pieces.append(None)
            carried = [piece for piece in pieces if piece is not None]
            if carried:
                params = [value for piece in carried for value in piece.params] + head.params
                sql = (
                    f'SELECT "h".*, {", ".join(piece.sql for piece in carried)} '  # noqa: S608 - compiled SQL
                    f'FROM ({head.sql}) AS "h"'
                )
                joined = _Joined(
                    head, sql, params, _slots(params, self._head._arity),
                    [piece.converters for piece in carried],
                    tuple(piece is not None for piece in pieces),
                )  # fmt: skip
        with self._lock:
            if len(self._joined) >= _MAX_SHAPES:
                self._joined.clear()
            self._joined[(using, key, list_key)] = joined
        return joined


def model_from_row(
    model: type[Model], attnames: tuple[str, ...], values: Any, using: str = "default"
) -> Any:
    """A `model` instance from a compiled read's columns, as `Model.from_db` would build it,
    without running `Model.__init__`.

    `__init__` sets each field through its descriptor and sends the pre- and post-init
    signals; for a row just read, that ends in the same `__dict__`. In the API's read of one
    application, the three instances it builds (the application, and the token's user and
    authority) took 130 µs a request through `from_db`, a twentieth of the request. Columns
    not given are deferred, as with `from_db`. A model with init signal receivers (they may
    do anything) or a column that is not a concrete field goes through `from_db`.
    """
    if (
        _concrete_columns(model, attnames)
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
    ):
        instance = model.__new__(model)
        instance.__dict__.update(zip(attnames, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = using
        return instance
    return model.from_db(using, attnames, values)


@functools.lru_cache(maxsize=64)
def _concrete_columns(model: type[Model], attnames: tuple[str, ...]) -> bool:
    """Each name a concrete field's column, once."""
    concrete = {field.attname for field in model._meta.concrete_fields}
    return set(attnames) <= concrete and len(set(attnames)) == len(attnames)


class CompiledInsert:
    """Up to `MAX_ROWS` rows' INSERT into `model`'s `fields` in one statement, its SQL
    written once per database and number of rows.

    For rows written on every read (the access log): `save()` compiles the same statement
    each time, and `bulk_create` wraps even two rows in BEGIN … COMMIT, two more round trips.
    One multi-row INSERT is atomic on its own. Each value is converted as `save()` would
    (`get_db_prep_save`); no defaults, `auto_now`, signals or validation: the caller gives
    every value. Ids are not read back.
    """

    MAX_ROWS = 16  # each number of rows is a statement of its own (prepared on PostgreSQL)

    def __init__(self, model: type[Model], fields: tuple[str, ...]) -> None:
        self._model = model
        self._names = fields
        self._sql: dict[tuple[str, int], str] = {}

    def __call__(self, *rows: dict[str, Any], using: str = "default") -> None:
        if not 0 < len(rows) <= self.MAX_ROWS:
            raise ValueError(f"between 1 and {self.MAX_ROWS} rows, not {len(rows)}")
        connection = connections[using]
        meta = self._model._meta
        fields: list[Any] = [meta.get_field(name) for name in self._names]
        sql = self._sql.get((using, len(rows)))
        if sql is None:
            qn = connection.ops.quote_name
            columns = ", ".join(qn(f.column) for f in fields)
            marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
            values = ", ".join([marks] * len(rows))
            sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608 - names from the model
            self._sql[(using, len(rows))] = sql
        params = [
            f.get_db_prep_save(row[name], connection)
            for row in rows
            for name, f in zip(self._names, fields, strict=True)
        ]
        _run(connection, sql, params, fetch=False)
