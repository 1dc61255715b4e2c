"""Migration campaigns 0003 counts the messages already written, per account (the emails page's total)."""

import pytest
from django.db import connection

from tests.helpers import insert_accounts, migrated_back_to

BEFORE = ("campaigns", "0002_single_emails")  # then every migration, 0003_message_count included


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_each_accounts_messages_and_skips_orphans():
    with migrated_back_to(BEFORE) as cursor:
        one, two = insert_accounts(cursor, "one@example.com", "two@example.com")
        orphan = two + 1000  # a message's account has no database constraint
        for account_id, messages in ((one, 3), (two, 1), (orphan, 2)):
            for _ in range(messages):
                cursor.execute(
                    "INSERT INTO campaigns_message (account_id, to_email, status, attempts, "
                    "smtp_response, created_at) VALUES (%s, 'x@example.com', 'sent', 1, '', now())",
                    [account_id],
                )
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_id, count FROM campaigns_messagecount ORDER BY account_id")
        assert cursor.fetchall() == [(one, 3), (two, 1)]
