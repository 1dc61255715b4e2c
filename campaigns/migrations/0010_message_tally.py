from django.db import migrations, models

# The tally's triggers (campaigns/tally.py says why a trigger): PostgreSQL moves it once per statement from the
# statement's transition tables (a claim of 200 messages, a campaign's million recipients: one upsert of a few
# rows, locked in key order so two statements cannot deadlock on it); SQLite once per row. On PostgreSQL a
# connection writes its own shard of each count (its backend's pid modulo 8, MessageTally.shard), so two senders
# seldom wait for each other's commit on one row; a delete adds its (negative) part there too. SQLite (one writer
# at a time) keeps shard 0, where a delete only decrements: a flush fires its triggers, and leaves nothing.
SHARD = "pg_backend_pid() % 8"


def _moved(rows: str) -> str:
    """The upsert of the tally's differences, ``rows`` a query of (account_id, status, campaign, n)."""
    return f"""
        INSERT INTO campaigns_messagetally AS t (account_id, status, campaign_id, shard, count)
        SELECT account_id, status, campaign, {SHARD}, sum(n) FROM ({rows}) AS moved
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (account_id, status, campaign_id, shard) DO UPDATE SET count = t.count + EXCLUDED.count;"""


def _rows(table: str, n: int) -> str:
    return f"SELECT account_id, status, COALESCE(campaign_id, 0) AS campaign, {n} AS n FROM {table}"


POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION campaigns_message_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {_moved(_rows("new_rows", 1))}
        ELSIF TG_OP = 'UPDATE' THEN {_moved(f"{_rows('new_rows', 1)} UNION ALL {_rows('old_rows', -1)}")}
        ELSE {_moved(_rows("old_rows", -1))}
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER campaigns_message_tally_insert AFTER INSERT ON campaigns_message "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION campaigns_message_tally()",
    "CREATE TRIGGER campaigns_message_tally_update AFTER UPDATE ON campaigns_message "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION campaigns_message_tally()",
    "CREATE TRIGGER campaigns_message_tally_delete AFTER DELETE ON campaigns_message "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION campaigns_message_tally()",
    # The messages already written, counted while no statement changes them.
    "LOCK TABLE campaigns_message IN SHARE MODE",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS campaigns_message_tally_insert ON campaigns_message",
    "DROP TRIGGER IF EXISTS campaigns_message_tally_update ON campaigns_message",
    "DROP TRIGGER IF EXISTS campaigns_message_tally_delete ON campaigns_message",
    "DROP FUNCTION IF EXISTS campaigns_message_tally()",
]


def _upsert(prefix: str, delta: str) -> str:
    return (
        "INSERT INTO campaigns_messagetally (account_id, status, campaign_id, shard, count) "
        f"VALUES ({prefix}.account_id, {prefix}.status, COALESCE({prefix}.campaign_id, 0), 0, {delta}) "
        "ON CONFLICT (account_id, status, campaign_id, shard) DO UPDATE SET count = count + excluded.count;"
    )


SQLITE = [
    f"CREATE TRIGGER campaigns_message_tally_insert AFTER INSERT ON campaigns_message BEGIN {_upsert('NEW', '1')} END",
    "CREATE TRIGGER campaigns_message_tally_update AFTER UPDATE OF status, campaign_id ON campaigns_message "
    "WHEN OLD.status IS NOT NEW.status OR OLD.campaign_id IS NOT NEW.campaign_id "
    f"BEGIN {_upsert('OLD', '-1')} {_upsert('NEW', '1')} END",
    "CREATE TRIGGER campaigns_message_tally_delete AFTER DELETE ON campaigns_message BEGIN "
    "UPDATE campaigns_messagetally SET count = count - 1 WHERE account_id = OLD.account_id "
    "AND status = OLD.status AND campaign_id = COALESCE(OLD.campaign_id, 0) AND shard = 0; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS campaigns_message_tally_insert",
    "DROP TRIGGER IF EXISTS campaigns_message_tally_update",
    "DROP TRIGGER IF EXISTS campaigns_message_tally_delete",
]
FILL = (
    "INSERT INTO campaigns_messagetally (account_id, status, campaign_id, shard, count) "
    "SELECT account_id, status, COALESCE(campaign_id, 0), 0, COUNT(*) FROM campaigns_message GROUP BY 1, 2, 3"
)


def install(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in [*(POSTGRESQL if postgresql else SQLITE), FILL]:
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_REVERSE if postgresql else SQLITE_REVERSE:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("campaigns", "0009_message_provider_id"),
    ]

    operations = [
        migrations.CreateModel(
            name="MessageTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(max_length=12)),
                ("campaign_id", models.BigIntegerField(default=0)),
                ("shard", models.PositiveSmallIntegerField(default=0)),
                ("count", models.BigIntegerField(default=0)),
                (
                    "account",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.account",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["campaign_id"], name="message_tally_campaign")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("account", "status", "campaign_id", "shard"), name="message_tally_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
