from django.db import migrations

# Room on each page of the subscribers table for the new version of a row: a re-import that changes a row's
# fields (or an open that sets last_open_at) then writes a heap-only tuple on the same page, and none of the
# table's seven index entries (no index holds fields, updated_at or last_open_at). Measured at 1,000,000
# subscribers (docs/benchmarks.md, "A fillfactor of 50 on the subscribers table"): a re-import that changes every
# row 47 -> 25 s through the API; pages read through an index and exports unchanged; a freshly written heap twice
# the size (reads of every row, field.<name> and segment counts, about +30 % on such a table), but a table at
# 100 grows to the same size as soon as its rows have changed once. Rows already written are not moved: each
# takes the room the first time it is updated (its new version goes to a page filled to 50 %), or all at once by
# `VACUUM FULL subscribers_subscriber`. SQLite has no fillfactor: nothing to do there.
FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE subscribers_subscriber SET (fillfactor = {FILLFACTOR})", params=None)


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE subscribers_subscriber RESET (fillfactor)", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("subscribers", "0007_member_counts_and_created_days"),
    ]

    operations = [
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
