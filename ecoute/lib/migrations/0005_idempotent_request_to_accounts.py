from django.db import migrations


class Migration(migrations.Migration):
    """IdempotentRequest now belongs to accounts (it is kept per organization); its table stays."""

    dependencies = [
        ("ecoute_lib", "0004_idempotency_lease"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotentRequest")],
            database_operations=[],
        ),
    ]
