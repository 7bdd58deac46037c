from django.db import migrations

from readmit.audit.triggers import create_append_only, drop_append_only

TABLES = ["audit_transmission"]


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_transmission")]
    operations = [
        migrations.RunPython(
            lambda apps, editor: create_append_only(editor, TABLES),
            lambda apps, editor: drop_append_only(editor, TABLES),
        )
    ]
