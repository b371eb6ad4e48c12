import django.db.models.functions.text
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models.functions import Lower


def lowercase_emails(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Two accounts whose addresses differ only by case make this fail: merge them by hand first.
    User = apps.get_model("accounts", "User")  # noqa: N806 - a model class
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(lowercase_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="one_account_per_email",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ),
    ]
