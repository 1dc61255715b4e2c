"""SingleEmail and IdempotencyKey moved from campaigns to emails in Django's state only (campaigns 0004,
emails 0001): a database written before the move keeps its rows, read through the emails models afterwards."""

import pytest

from emails.models import IdempotencyKey, SingleEmail
from tests.helpers import insert_accounts, migrated_back_to

BEFORE = ("campaigns", "0003_message_count")  # then every migration, the move included


@pytest.mark.django_db(transaction=True)
def test_the_rows_written_before_the_move_are_the_emails_apps_afterwards():
    with migrated_back_to(BEFORE) as cursor:
        [account_id] = insert_accounts(cursor, "one@example.com")
        cursor.execute(
            "INSERT INTO campaigns_message (account_id, to_email, status, attempts, smtp_response, "
            "created_at) VALUES (%s, 'ann@example.com', 'queued', 0, '', now()) RETURNING id",
            [account_id],
        )
        [message_id] = cursor.fetchone()
        cursor.execute(
            "INSERT INTO campaigns_singleemail (message_id, subject, from_name, from_email, reply_to, "
            "html, text, \"values\", compiled, links) VALUES (%s, 'Hi', '', 'shop@example.com', '', "
            "'', 'Hello', '{}', '{\"subject\": [\"Hi\"]}', '[\"https://example.com/\"]')",
            [message_id],
        )
        cursor.execute(
            "INSERT INTO campaigns_idempotencykey (account_id, key, payload_hash, status_code, body, "
            "headers, created_at) VALUES (%s, 'k-1', 'h', 202, '{}', '{}', now())",
            [account_id],
        )
    single = SingleEmail.objects.select_related("message").get(pk=message_id)
    assert (single.subject, single.message.to_email, single.links) == (
        "Hi",
        "ann@example.com",
        ["https://example.com/"],
    )
    assert IdempotencyKey.objects.get(account_id=account_id, key="k-1").status_code == 202
