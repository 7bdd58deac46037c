"""The audit trail: append-only, hash-chained, and `readmit audit verify` finds tampering."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from readmit.accounts.models import User
from readmit.accounts.services import token_create, user_create
from readmit.audit.models import AppendOnlyError, AuditEntry
from readmit.audit.services import audit_record, audit_verify
from readmit.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@contextmanager
def triggers_off() -> Iterator[None]:
    """Play an attacker with direct database access: lift the append-only triggers."""
    table = "audit_auditentry"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            else:
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only'); END;"
                )


@pytest.fixture
def chain(persona: Callable[[str], User]) -> list[AuditEntry]:
    actor = persona("de-admin")
    return [
        audit_record(
            actor=actor,
            action="test.thing.changed",
            object_type="test.thing",
            object_id=i,
            owner_authority_id=actor.authority_id,
            changes={"status": ["draft", f"step-{i}"], "when": dt.date(2026, 3, i + 1)},
        )
        for i in range(5)
    ]


def test_an_untouched_chain_verifies(chain: list[AuditEntry]) -> None:
    report = audit_verify()
    assert report.ok, report.problem
    assert report.checked == AuditEntry.objects.count()
    call_command("audit", "verify")  # exits 0


def test_entries_link_to_their_predecessor(chain: list[AuditEntry]) -> None:
    for previous, entry in itertools.pairwise(chain):
        assert entry.seq == previous.seq + 1
        assert entry.prev_hash == previous.hash


def test_verify_reports_a_modified_entry(chain: list[AuditEntry]) -> None:
    victim = chain[2]
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = %s WHERE seq = %s",
            ["test.thing.erased", victim.seq],
        )
    report = audit_verify()
    assert not report.ok
    assert report.seq == victim.seq
    assert "modified" in report.problem
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")
    assert excinfo.value.returncode == 1
    assert f"#{victim.seq}" in str(excinfo.value)


def test_verify_reports_a_changed_value_even_inside_the_changes(chain: list[AuditEntry]) -> None:
    victim = chain[1]
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET changes = %s WHERE seq = %s",
            ['{"status": ["draft", "forged"], "when": "2026-03-02"}', victim.seq],
        )
    report = audit_verify()
    assert not report.ok and report.seq == victim.seq and "modified" in report.problem


def test_verify_reports_a_deleted_entry(chain: list[AuditEntry]) -> None:
    victim = chain[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [victim.seq])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    report = audit_verify()
    assert not report.ok
    assert report.seq == victim.seq
    assert "deleted" in report.problem


def test_verify_reports_entries_deleted_from_the_end(chain: list[AuditEntry]) -> None:
    last = chain[-1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditentry WHERE seq >= %s", [last.seq - 1])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    report = audit_verify()
    assert not report.ok
    assert report.seq == last.seq - 1
    assert "deleted" in report.problem


def _forged_copy(entry: AuditEntry, **overrides: object) -> None:
    fields = {
        f.column: getattr(entry, f.attname)
        for f in AuditEntry._meta.concrete_fields
        if f.column != "id"
    }
    fields.update(overrides)
    fields["changes"] = '{"forged": true}'
    fields["hash"] = "f" * 64
    columns = ", ".join(fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO audit_auditentry ({columns}) VALUES ({placeholders})",
            list(fields.values()),
        )


def test_verify_reports_an_entry_inserted_at_the_end(chain: list[AuditEntry]) -> None:
    last = chain[-1]
    _forged_copy(last, seq=last.seq + 1, prev_hash=last.hash)
    report = audit_verify()
    assert not report.ok
    assert report.seq == last.seq + 1
    assert "inserted" in report.problem


def test_verify_reports_an_entry_inserted_out_of_order(chain: list[AuditEntry]) -> None:
    _forged_copy(chain[0], seq=0)
    report = audit_verify()
    assert not report.ok
    assert report.seq == 0
    assert "inserted" in report.problem


def test_entries_cannot_be_changed_or_deleted_through_the_application(
    chain: list[AuditEntry],
) -> None:
    entry = chain[0]
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=entry.seq).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=entry.seq).delete()


def test_the_database_refuses_an_update_of_an_entry(chain: list[AuditEntry]) -> None:
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE seq = %s", [chain[0].seq])
    assert AuditEntry.objects.get(seq=chain[0].seq).action == "test.thing.changed"


def test_a_change_and_its_entry_commit_or_roll_back_together(
    persona: Callable[[str], User],
) -> None:
    before = AuditEntry.objects.count()
    admin = persona("de-admin")
    with pytest.raises(IntegrityError), transaction.atomic():
        user_create(
            actor=admin,
            authority=admin.authority,
            username="rolled-back",
            role="officer",
            password="a-long-enough-password-1",
        )
        raise IntegrityError("the change failed after its audit entry was written")
    assert AuditEntry.objects.count() == before
    assert not User.objects.filter(username="rolled-back").exists()
    assert audit_verify().ok


def test_a_refused_change_writes_no_entry(persona: Callable[[str], User]) -> None:
    before = AuditEntry.objects.count()
    admin = persona("de-admin")
    with pytest.raises(ValidationFailed):
        user_create(
            actor=admin, authority=admin.authority, username="weak", role="officer", password="123"
        )
    assert AuditEntry.objects.count() == before


def test_secrets_never_reach_the_trail(persona: Callable[[str], User]) -> None:
    admin = persona("de-admin")
    user = user_create(
        actor=admin,
        authority=admin.authority,
        username="new-officer",
        role="officer",
        password="correct-horse-battery-staple",
    )
    issued = token_create(actor=admin, user=user, name="integration", days=10)
    entries = AuditEntry.objects.filter(object_id__in=[str(user.pk), str(issued.token.pk)])
    text = " ".join(str(e.changes) for e in entries)
    assert "correct-horse-battery-staple" not in text
    assert user.password not in text
    assert issued.plaintext not in text
    assert issued.token.digest not in text
    created = entries.get(action="accounts.user.created", object_id=str(user.pk))
    assert created.actor_username == "de-admin"
    assert created.changes["role"] == "officer"


def test_entries_written_in_bulk_verify_whatever_their_text(
    persona: Callable[[str], User],
) -> None:
    """audit_record_many writes the canonical form piece by piece; `audit verify` recomputes
    every hash from the stored entry, so any difference, on any character, would show."""
    from readmit.audit.services import AuditInput, audit_record_many, entry_hash

    actor = persona("de-admin")
    audit_record(actor=actor, action="test.before", object_type="test.thing", object_id=0)
    awkward = ['quote " and \\ backslash', "tab\tnew\nline\x01\x1f", "Məmmədov Мамедов محمد",
               "emoji 🙂 and \u2028 separator", "", "null", "12", "\ud7ff"]  # fmt: skip
    entries = [
        AuditInput(
            action=f"test.{i}.écrit",
            owner_authority_id=None if i % 2 else actor.authority_id,
            changes={
                "text": text,
                "n": i,
                "nested": {"b": [text, None, True, 1.5], "a": {}},
                "when": dt.date(2026, 3, 1),
                "password": "hidden",
            },
            reason=text,
            object_type="test.thing",
            object_id=text if i % 3 else i,
        )
        for i, text in enumerate(awkward)
    ]
    assert audit_record_many(actor=actor, entries=entries) == len(awkward)
    audit_record(actor=actor, action="test.after", object_type="test.thing", object_id=0)
    written = AuditEntry.objects.filter(action__startswith="test.").order_by("seq")
    assert all(entry_hash(e) == e.hash for e in written)
    assert written.count() == len(awkward) + 2
    assert audit_verify().ok
    assert "hidden" not in " ".join(str(e.changes) for e in written)


def test_entries_appended_while_the_head_is_held_chain_as_any_and_follow_rollbacks(
    persona: Callable[[str], User],
) -> None:
    """The import holds the chain's head in memory (`audit_chain_held`): entries written
    inside, one by one or in bulk, chain on each other; a rollback to a savepoint inside takes
    the head back with the entries it removes; the head row is written once, at the end."""
    from readmit.audit.models import AuditHead
    from readmit.audit.services import AuditInput, audit_chain_held, audit_record_many

    actor = persona("de-admin")
    audit_record(actor=actor, action="test.before", object_type="test.thing", object_id=0)
    start = AuditHead.objects.get(id=1).seq
    many = [AuditInput(action="test.many", object_type="test.thing", object_id=i)
            for i in range(3)]  # fmt: skip
    with audit_chain_held():
        audit_record(actor=actor, action="test.one", object_type="test.thing", object_id=1)
        audit_record_many(actor=actor, entries=many)
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            audit_record_many(actor=actor, entries=many)
            audit_record(actor=actor, action="test.undone", object_type="test.thing", object_id=2)
            1 / 0  # noqa: B018 - leaves the inner block by an exception
        assert AuditHead.objects.get(id=1).seq == start  # not written until the end
        audit_record(actor=actor, action="test.last", object_type="test.thing", object_id=3)
    head = AuditHead.objects.get(id=1)
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "test.last"
    assert (head.seq, head.hash) == (last.seq, last.hash) and head.seq == start + 5
    assert not AuditEntry.objects.filter(action="test.undone").exists()
    assert audit_verify().ok


def test_a_held_head_left_by_an_exception_is_not_written(persona: Callable[[str], User]) -> None:
    from readmit.audit.models import AuditHead
    from readmit.audit.services import audit_chain_held

    actor = persona("de-admin")
    audit_record(actor=actor, action="test.before", object_type="test.thing", object_id=0)
    before = AuditHead.objects.values_list("seq", "hash").get(id=1)
    with pytest.raises(KeyError), transaction.atomic(), audit_chain_held():
        audit_record(actor=actor, action="test.lost", object_type="test.thing", object_id=1)
        raise KeyError("stop")
    assert AuditHead.objects.values_list("seq", "hash").get(id=1) == before
    audit_record(actor=actor, action="test.after", object_type="test.thing", object_id=2)
    assert audit_verify().ok
