import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """IdempotentRequest moves here from lib, in the table it was created in: nothing changes in the database."""

    dependencies = [
        ("accounts", "0007_organization_currency"),
        ("ecoute_lib", "0005_idempotent_request_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotentRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        ("endpoint", models.CharField(max_length=200)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField(null=True)),
                        ("response", models.JSONField(null=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("leased_until", models.DateTimeField(null=True)),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ecoute_lib_idempotentrequest",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organization", "key", "endpoint"), name="idempotency_key_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
