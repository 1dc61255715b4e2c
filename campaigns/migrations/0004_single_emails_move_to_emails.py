from django.db import migrations


class Migration(migrations.Migration):
    """SingleEmail and IdempotencyKey moved to the emails app (emails 0001): only Django's state forgets them
    here; their tables stay as they are, under the same names."""

    dependencies = [
        ('campaigns', '0003_message_count'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='SingleEmail'),
                migrations.DeleteModel(name='IdempotencyKey'),
            ],
            database_operations=[],
        ),
    ]
