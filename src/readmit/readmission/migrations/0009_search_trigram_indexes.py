"""Trigram indexes for searching names and document numbers anywhere in a word (PostgreSQL).

The searches are `search_text LIKE '%word%'` (folded names in every script, document numbers).
A B-tree cannot serve a pattern that starts with a wildcard; pg_trgm's GIN index can, for
words of three characters or more, so a rare name is found among a million people without
reading them all. SQLite has no such index and keeps scanning, which is fine at its scale.
pg_trgm ships with PostgreSQL and is a trusted extension (a database owner may create it).
"""

from django.db import migrations

TABLES = [
    ("readmission_applicationperson", "application_person_search_trgm"),
    ("persons_person", "person_search_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("readmission", "0008_sender_open_due"),
        ("persons", "0002_person_newest"),
    ]

    operations = [migrations.RunPython(create, drop)]
