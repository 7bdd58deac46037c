"""Schema steps the migrations share.

`DropColumnIndex`: a foreign key's own single-column index dropped when a composite index
already starts with that column. It changes the model's state as the `AlterField` it is
(`db_index=False`), but not as Django's `AlterField` does on the database, which on PostgreSQL
drops the foreign-key constraint and adds it back (a scan of the whole table under lock, to
re-check every row) and on SQLite rebuilds the table. Here only the index goes: `DROP INDEX
CONCURRENTLY` on PostgreSQL (the migration must be `atomic = False`), `DROP INDEX` on SQLite.
Reversed, the plain index is made again under the name Django gives it (not PostgreSQL's `_like`
pattern index of a text key). The table and column come from the model's state.
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


class DropColumnIndex(migrations.AlterField):
    """`AlterField` to a field without its own index; on the database, only the index."""

    def _where(self, app_label: str, state: Any) -> tuple[str, str]:
        model = state.apps.get_model(app_label, self.model_name)
        return model._meta.db_table, model._meta.get_field(self.name).column

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        table, column = self._where(app_label, to_state)
        concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(
                f"DROP INDEX {concurrently}IF EXISTS {schema_editor.quote_name(name)}"
            )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        table, column = self._where(app_label, to_state)
        if _single_column_indexes(schema_editor, table, column):
            return
        quote = schema_editor.quote_name
        name = schema_editor._create_index_name(table, [column])
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")

    def reduce(self, operation: Any, app_label: str) -> bool:
        # Never folded into a plain AlterField when migrations are squashed.
        return False
