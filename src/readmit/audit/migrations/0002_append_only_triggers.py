"""Database triggers that refuse UPDATE (and, on PostgreSQL, DELETE) of audit and access-log rows.

The application never issues such statements; the triggers make the database itself refuse
them, so a stray query or a console session cannot quietly rewrite the trail. On SQLite only
UPDATE is refused, because Django's test flush empties tables with DELETE (PostgreSQL's
flush uses TRUNCATE, which row triggers do not see). Deletions are caught by
`readmit audit verify` in any case.
"""

from django.db import migrations

TABLES = ["audit_auditentry", "audit_accesslogentry"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                """
                CREATE OR REPLACE FUNCTION readmit_append_only() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                  RAISE EXCEPTION 'rows of % are append-only', TG_TABLE_NAME;
                END $$;
                """
            )
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION readmit_append_only();"
                )
        elif vendor == "sqlite":
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only'); END;"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            if vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            elif vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
        if vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS readmit_append_only();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
