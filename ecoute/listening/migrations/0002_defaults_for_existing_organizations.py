from django.db import migrations

from ecoute.listening.defaults import create_defaults


def add_defaults(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Criterion = apps.get_model("listening", "Criterion")
    ContactPolicy = apps.get_model("listening", "ContactPolicy")
    for organization in Organization.objects.all():
        create_defaults(organization, Criterion, ContactPolicy)


class Migration(migrations.Migration):
    dependencies = [("listening", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
