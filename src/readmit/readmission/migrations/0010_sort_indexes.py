"""Indexes for the lists' other sort orders, on each side (PostgreSQL).

The lists sort by reply due (soonest first: served by the queue indexes), by reply due latest
first, and by date received either way, always nulls last and ties broken by id, and page by
keyset. Each order needs an index in exactly that order for a page to be read in order and
stop after fifty rows; "newest first, nulls last" is not a B-tree read backwards, so those
orders get their own descending indexes. SQLite cannot declare NULLS LAST in an index and
sorts instead, which is fine at its scale.
"""

from django.db import migrations

INDEXES = [
    ("application_sender_received", "requesting_authority_id, received_on, id"),
    ("application_sender_received_desc", "requesting_authority_id, received_on DESC NULLS LAST, id DESC"),
    ("application_sender_due_desc", "requesting_authority_id, reply_due DESC NULLS LAST, id DESC"),
    ("application_requested_received", "requested_state_id, received_on, id"),
    ("application_requested_received_desc", "requested_state_id, received_on DESC NULLS LAST, id DESC"),
    ("application_requested_due_desc", "requested_state_id, reply_due DESC NULLS LAST, id DESC"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON readmission_application ({columns})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("readmission", "0009_search_trigram_indexes")]

    operations = [migrations.RunPython(create, drop)]
