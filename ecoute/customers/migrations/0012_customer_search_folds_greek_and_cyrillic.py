"""The customer search index written again: its words now spell Greek and Cyrillic letters as a query folds
them (without accents, "ς" as "σ"), so that "Дмитрий" and "Σωκράτης" are found typed with or without
their accents. The index is dropped and built again from the customers as they are."""

from django.db import migrations

from ecoute.customers import search_index


def rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    search_index.uninstall(schema_editor)
    search_index.install(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0011_import_undo"),
    ]

    operations = [
        migrations.RunPython(rebuild, rebuild),
    ]
