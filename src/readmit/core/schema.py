"""Schema steps the migrations share.

`DropColumnIndex`: a foreign key's own single-column index dropped when a composite index
already starts with that column, without Django's `AlterField`, which on PostgreSQL drops the
foreign-key constraint and adds it back (a scan of the whole table under lock, to re-check every
row) and on SQLite rebuilds the table. Here only the index goes: `DROP INDEX CONCURRENTLY` on
PostgreSQL (the migration must be `atomic = False`), `DROP INDEX` on SQLite. The model's state
changes through `SeparateDatabaseAndState`; reversed, the plain index is made again under the
name Django gives it (not PostgreSQL's `_like` pattern index of a text key).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _single_column_indexes(schema_editor: Any, table: str, column: str) -> list[str]:
    """The plain (not unique, not primary-key) indexes on exactly `column` of `table`."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return sorted(
        name
        for name, info in constraints.items()
        if info["index"]
        and info["columns"] == [column]
        and not info["unique"]
        and not info["primary_key"]
        and not info["foreign_key"]
    )


def _drop(table: str, column: str) -> Any:
    def forwards(apps: Any, schema_editor: Any) -> None:
        concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
        quote = schema_editor.quote_name
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {quote(name)}")

    return forwards


def _create(table: str, column: str) -> Any:
    def backwards(apps: Any, schema_editor: Any) -> None:
        if _single_column_indexes(schema_editor, table, column):
            return
        name = schema_editor._create_index_name(table, [column])
        quote = schema_editor.quote_name
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")

    return backwards


def drop_column_index(table: str, column: str, state: migrations.AlterField) -> Any:
    """The operation: `state` (the field now with `db_index=False`) for the model's state, and
    only the index on the database."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[state],
        database_operations=[migrations.RunPython(_drop(table, column), _create(table, column))],
    )
