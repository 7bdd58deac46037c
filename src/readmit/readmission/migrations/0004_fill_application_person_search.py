from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from readmit.readmission.filters import person_search_fields

    ApplicationPerson = apps.get_model("readmission", "ApplicationPerson")
    for person in ApplicationPerson.objects.only("pk", "particulars").iterator():
        text, codes = person_search_fields(person.particulars or {})
        ApplicationPerson.objects.filter(pk=person.pk).update(
            search_text=text, nationality_codes=codes[:60]
        )


class Migration(migrations.Migration):
    dependencies = [("readmission", "0003_application_person_search")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
