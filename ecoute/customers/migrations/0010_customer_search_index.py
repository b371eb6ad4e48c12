"""The customer search index (see ecoute/customers/search_index.py): built from the customers as they
are in a few statements (FTS5 'rebuild' on SQLite; one INSERT … SELECT then the GIN indexes on
PostgreSQL), and kept by triggers from then on."""

from django.db import migrations

from ecoute.customers import search_index


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    search_index.install(schema_editor)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    search_index.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0009_customer_address"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
