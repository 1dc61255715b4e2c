"""Subscribers found by part of their address in the back office: a trigram index on ``email`` (PostgreSQL's
pg_trgm, a trusted extension: the database's owner may create it). SQLite (the embedded default) gets none:
its search scans, which its sizes allow."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS subscriber_email_trgm ON subscribers_subscriber USING gin (email gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS subscriber_email_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("subscribers", "0004_contacts_suppression_indexes")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
