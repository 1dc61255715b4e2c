from django.db import migrations, models

# The tally's triggers (campaigns/tally.py says why a trigger): PostgreSQL moves it once per statement from the
# statement's transition tables (a claim of 200 messages, a campaign's million recipients: one upsert of a few
# rows, locked in key order so two statements cannot deadlock on it); SQLite once per row.
POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION campaigns_message_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO campaigns_messagetally AS t (account_id, status, campaign_id, count)
            SELECT account_id, status, COALESCE(campaign_id, 0), count(*) FROM new_rows
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (account_id, status, campaign_id) DO UPDATE SET count = t.count + EXCLUDED.count;
        ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO campaigns_messagetally AS t (account_id, status, campaign_id, count)
            SELECT account_id, status, campaign, sum(n) FROM (
                SELECT account_id, status, COALESCE(campaign_id, 0) AS campaign, 1 AS n FROM new_rows
                UNION ALL
                SELECT account_id, status, COALESCE(campaign_id, 0), -1 FROM old_rows
            ) AS moved
            GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (account_id, status, campaign_id) DO UPDATE SET count = t.count + EXCLUDED.count;
        ELSE
            -- Decrements only: the rows a delete finds gone (a flush, an account's own) stay gone.
            PERFORM 1 FROM campaigns_messagetally
            WHERE (account_id, status, campaign_id) IN (
                SELECT account_id, status, COALESCE(campaign_id, 0) FROM old_rows)
            ORDER BY account_id, status, campaign_id FOR UPDATE;
            UPDATE campaigns_messagetally AS t SET count = t.count - d.n
            FROM (SELECT account_id, status, COALESCE(campaign_id, 0) AS campaign, count(*) AS n
                  FROM old_rows GROUP BY 1, 2, 3) AS d
            WHERE t.account_id = d.account_id AND t.status = d.status AND t.campaign_id = d.campaign;
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
        "INSERT INTO campaigns_messagetally (account_id, status, campaign_id, count) "
        f"VALUES ({prefix}.account_id, {prefix}.status, COALESCE({prefix}.campaign_id, 0), {delta}) "
        "ON CONFLICT (account_id, status, campaign_id) DO UPDATE SET count = count + excluded.count;"
    )


SQLITE = [
    f"CREATE TRIGGER campaigns_message_tally_insert AFTER INSERT ON campaigns_message BEGIN {_upsert('NEW', '1')} END",
    "CREATE TRIGGER campaigns_message_tally_update AFTER UPDATE OF status, campaign_id ON campaigns_message "
    "WHEN OLD.status IS NOT NEW.status OR OLD.campaign_id IS NOT NEW.campaign_id "
    f"BEGIN {_upsert('OLD', '-1')} {_upsert('NEW', '1')} END",
    "CREATE TRIGGER campaigns_message_tally_delete AFTER DELETE ON campaigns_message BEGIN "
    "UPDATE campaigns_messagetally SET count = count - 1 WHERE account_id = OLD.account_id "
    "AND status = OLD.status AND campaign_id = COALESCE(OLD.campaign_id, 0); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS campaigns_message_tally_insert",
    "DROP TRIGGER IF EXISTS campaigns_message_tally_update",
    "DROP TRIGGER IF EXISTS campaigns_message_tally_delete",
]
FILL = (
    "INSERT INTO campaigns_messagetally (account_id, status, campaign_id, count) "
    "SELECT account_id, status, COALESCE(campaign_id, 0), COUNT(*) FROM campaigns_message GROUP BY 1, 2, 3"
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
                    models.UniqueConstraint(fields=("account", "status", "campaign_id"), name="message_tally_unique")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
