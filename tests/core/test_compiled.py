"""`CompiledQuery` and `CompiledInsert`: the ORM's reads and one row's insert, compiled once,
give what the ORM gives, for every value and on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from readmit.accounts.models import Authority, State, User
from readmit.audit.models import AccessLogEntry
from readmit.core.compiled import CompiledInsert, CompiledQuery, CompiledWithLists, model_from_row

pytestmark = pytest.mark.django_db

_STATES = CompiledQuery(
    lambda _key, code: State.objects.filter(code=code).values_list(
        "code", "name", "eu_accession", "is_schengen_associated"
    )
)
_AUTHORITIES = CompiledQuery(
    lambda only_active, state, kind: (
        Authority.objects.filter(
            state_id=state, kind=kind, **({"is_active": True} if only_active else {})
        )
        .order_by("pk")
        .values_list("pk", "code", "state__name")
    ),
    arity=2,
)


def test_a_compiled_read_gives_what_the_orm_gives_for_each_value() -> None:
    for code in ("DE", "AZ", "FR", "GE", "XX"):
        orm = list(
            State.objects.filter(code=code).values_list(
                "code", "name", "eu_accession", "is_schengen_associated"
            )
        )
        assert _STATES(code) == orm
    # Converted as the ORM converts (SQLite stores dates as text, booleans as integers).
    (germany,) = _STATES("DE")
    assert isinstance(germany[2], dt.date) and germany[3] is False
    assert _STATES("XX") == []


def test_two_values_and_the_key_each_change_the_answer(
    persona: Callable[[str], User],
) -> None:
    officer = persona("de-officer")
    Authority.objects.filter(pk=officer.authority_id).update(is_active=False)
    every = list(
        Authority.objects.filter(state_id="DE", kind=officer.authority.kind)
        .order_by("pk")
        .values_list("pk", "code", "state__name")
    )
    assert officer.authority_id in [row[0] for row in every]
    assert _AUTHORITIES("DE", officer.authority.kind, key=False) == every
    active = _AUTHORITIES("DE", officer.authority.kind, key=True)
    assert officer.authority_id not in [row[0] for row in active]
    assert _AUTHORITIES("AZ", officer.authority.kind, key=False) != every


def test_a_value_that_does_not_reach_the_sql_as_a_parameter_is_refused() -> None:
    ignored = CompiledQuery(lambda _key, _code: State.objects.values_list("code"))
    with pytest.raises(ValueError, match="stand-in"):
        ignored("DE")
    with pytest.raises(TypeError):
        _STATES("DE", "FR")


def test_a_read_that_can_match_nothing_answers_nothing_without_a_query() -> None:
    nothing = CompiledQuery(lambda _key, code: State.objects.none().filter(code=code))
    with CaptureQueriesContext(connection) as queries:
        assert nothing("DE") == []
    assert len(queries) == 0


def test_compiled_statements_are_in_the_query_log_and_prepared_on_postgresql() -> None:
    with CaptureQueriesContext(connection) as queries:
        _STATES("DE")
        _STATES("FR")
    assert len(queries) == 2
    assert all(q["sql"] and '"accounts_state"' in q["sql"] for q in queries)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert sum('"accounts_state"' in statement for statement in prepared) == 1


def test_a_compiled_insert_writes_the_row_save_would_write(
    persona: Callable[[str], User],
) -> None:
    officer = persona("de-officer")
    moment = timezone.now().replace(microsecond=123456)
    values = {
        "at": moment,
        "actor_id": officer.pk,
        "actor_username": officer.username,
        "actor_authority_id": officer.authority_id,
        "actor_authority_code": officer.authority.code,
        "owner_authority_id": None,
        "channel": "api",
        "object_type": "readmission.applicationperson",
        "object_id": "42",
        "purpose": "compiled insert",
    }
    insert = CompiledInsert(AccessLogEntry, tuple(values))
    insert(values)
    insert({**values, "object_id": "43"}, {**values, "object_id": "44", "channel": "web"})
    rows = AccessLogEntry.objects.filter(purpose="compiled insert").order_by("object_id")
    assert [(r.object_id, r.at, r.actor_id, r.channel) for r in rows] == [
        ("42", moment, officer.pk, "api"),
        ("43", moment, officer.pk, "api"),
        ("44", moment, officer.pk, "web"),
    ]
    with pytest.raises(ValueError, match="between 1 and"):
        insert(*[values] * (CompiledInsert.MAX_ROWS + 1))
    assert AccessLogEntry.objects.filter(purpose="compiled insert").count() == 3


def test_compiled_timestamps_are_the_orms_aware_utc_datetimes(
    persona: Callable[[str], User],
) -> None:
    moment = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.UTC)  # a DST night in Brussels
    User.objects.filter(username="de-officer").update(last_login=moment)
    logins = CompiledQuery(
        lambda _key, name: User.objects.filter(username=name).values_list("last_login")
    )
    orm = User.objects.filter(username="de-officer").values_list("last_login").get()
    ((compiled,),) = logins("de-officer")
    assert compiled == orm[0] == moment
    assert compiled.tzinfo is orm[0].tzinfo  # the same zone object, as Django gives it
    assert compiled.isoformat() == "2026-03-29T01:30:15.123456+00:00"


def test_a_model_built_from_a_compiled_row_is_the_one_from_db_builds(
    persona: Callable[[str], User],
) -> None:
    officer = persona("de-officer")
    wanted = {"id", "username", "authority_id", "is_active", "last_login"}
    # In the model's order of columns, which from_db takes its values in.
    names = tuple(f.attname for f in User._meta.concrete_fields if f.attname in wanted)
    row = User.objects.filter(pk=officer.pk).values_list(*names).get()
    built = model_from_row(User, names, row)
    orm = User.from_db("default", names, row)
    assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
        k: v for k, v in orm.__dict__.items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (False, "default")
    assert built.authority.code == officer.authority.code  # relations load as usual
    # A column not read is deferred and loads on first use, as with from_db.
    assert built.get_deferred_fields() >= {"email"}
    with CaptureQueriesContext(connection) as queries:
        assert built.email == officer.email
    assert len(queries.captured_queries) == 1
    # Saving it writes an update, not a second user.
    built.first_name = "Renamed"
    built.save(update_fields=["first_name"])
    assert User.objects.filter(username=officer.username).count() == 1
    assert User.objects.get(pk=officer.pk).first_name == "Renamed"


def test_a_model_with_init_signal_receivers_is_built_by_from_db() -> None:
    seen: list[object] = []

    def receiver(sender: type, instance: object, **kwargs: object) -> None:
        seen.append(instance)

    signals.post_init.connect(receiver, sender=State)
    try:
        row = State.objects.filter(code="DE").values_list("code", "name").get()
        state = model_from_row(State, ("code", "name"), row)
    finally:
        signals.post_init.disconnect(receiver, sender=State)
    assert seen == [state]
    assert state.name == row[1]


def test_a_receiver_connected_after_first_use_is_still_honoured() -> None:
    row = State.objects.filter(code="FR").values_list("code", "name").get()
    model_from_row(State, ("code", "name"), row)  # first use, no receivers
    seen: list[object] = []

    def receiver(sender: type, instance: object, **kwargs: object) -> None:
        seen.append(instance)

    signals.post_init.connect(receiver, sender=State)
    try:
        state = model_from_row(State, ("code", "name"), row)
    finally:
        signals.post_init.disconnect(receiver, sender=State)
    assert seen == [state]


_STATE = CompiledQuery(
    lambda _key, code: State.objects.filter(code=code).values_list("code", "name", "eu_accession")
)
_STATE_AUTHORITIES = CompiledQuery(
    lambda _key, code: (
        Authority.objects.filter(state_id=code)
        .order_by("-kind", "pk")
        .values_list("pk", "code", "kind", "is_active")
    )
)
_STATE_USERS = CompiledQuery(
    lambda _key, code: (
        User.objects.filter(authority__state_id=code)
        .order_by("-last_login", "username")
        .values_list("username", "last_login", "date_joined", "is_active")
    )
)
_NOTHING = CompiledQuery(lambda _key, code: State.objects.none().values_list("code"))
_STATE_KINDS = CompiledQuery(  # DISTINCT: JSON cannot carry it, so it keeps its own read
    lambda _key, code: (
        Authority.objects.filter(state_id=code).order_by("kind").values_list("kind").distinct()
    )
)


def test_a_read_with_lists_gives_what_each_read_gives_in_one_statement_on_postgresql(
    persona: Callable[[str], User],
) -> None:
    moment = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.UTC)
    User.objects.filter(username="de-officer").update(last_login=moment)
    persona("de-supervisor")  # more than one user, more than one authority
    joined = CompiledWithLists(_STATE, _STATE_AUTHORITIES, _STATE_USERS, _NOTHING)
    for code in ("DE", "AZ", "FR"):
        with CaptureQueriesContext(connection) as queries:
            head, lists = joined(code)
        assert head == _STATE(code)
        assert lists == [_STATE_AUTHORITIES(code), _STATE_USERS(code), []]
        # The same types, down to the time zone object of each timestamp.
        separate = [_STATE_AUTHORITIES(code), _STATE_USERS(code)]
        assert [[[type(v) for v in row] for row in rows] for rows in lists[:2]] == [
            [[type(v) for v in row] for row in rows] for rows in separate
        ]
        expected = 1 if connection.vendor == "postgresql" else 3  # a read of none is no query
        assert len(queries.captured_queries) == expected
    _head, (_authorities, users, _none) = joined("DE")
    officer = next(row for row in users if row[0] == "de-officer")
    assert officer[1] == moment and officer[1].tzinfo is dt.UTC
    # In the read's order (on PostgreSQL no login sorts first when descending): several users,
    # so the equality above compared an order.
    assert len(users) > 1
    # No head row (a state that does not exist, or one out of scope): no lists either.
    assert joined("XX") == ([], [[], [], []])


def test_a_list_json_cannot_carry_keeps_its_own_read(persona: Callable[[str], User]) -> None:
    persona("de-officer")
    joined = CompiledWithLists(_STATE, _STATE_KINDS, _STATE_AUTHORITIES)
    with CaptureQueriesContext(connection) as queries:
        head, lists = joined("DE")
    assert head == _STATE("DE")
    assert lists == [_STATE_KINDS("DE"), _STATE_AUTHORITIES("DE")]
    # On PostgreSQL the authorities still ride with the head; the kinds are read after it.
    assert len(queries.captured_queries) == (2 if connection.vendor == "postgresql" else 3)


def test_a_list_that_does_not_filter_on_the_value_is_refused(
    persona: Callable[[str], User],
) -> None:
    persona("de-officer")
    every_authority = CompiledQuery(
        lambda _key, _code: Authority.objects.order_by("pk").values_list("pk")
    )
    with pytest.raises(ValueError, match="stand-in"):
        CompiledWithLists(_STATE, every_authority)("DE")
