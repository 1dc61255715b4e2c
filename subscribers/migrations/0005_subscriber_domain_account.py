import django.contrib.postgres.indexes
import django.db.models.expressions
from django.db import migrations, models


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """split_part and text_pattern_ops are PostgreSQL's; the embedded SQLite searches without the index."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("subscribers", "0004_contacts_suppression_indexes"),
    ]

    operations = [
        AddIndexOnPostgreSQL(
            model_name="subscriber",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    models.Func(
                        django.db.models.expressions.F("email"),
                        models.Value("@"),
                        models.Value(2),
                        function="split_part",
                        output_field=models.CharField(),
                    ),
                    name="text_pattern_ops",
                ),
                models.F("account"),
                name="subscriber_domain_account",
            ),
        ),
    ]
