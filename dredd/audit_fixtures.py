"""The audit trail behind apiary.apib's examples: entries 701 to 703 of the example account, and no other (what the
examples before wrote goes)."""

from datetime import UTC, datetime

from django.db import connection, transaction

from audit.models import AuditEntry

ENTRIES = {
    701: {
        "at": datetime(2015, 3, 1, 9, tzinfo=UTC),
        "actor_kind": "command",
        "actor_id": "create_account",
        "actor_name": "",
        "action": "key.create",
        "object_type": "key",
        "object_id": "1",
        "request_id": "",
        "details": {"prefix": "7d2c11a0", "name": "Main", "scopes": ["full"]},
    },
    702: {
        "at": datetime(2015, 3, 2, 9, tzinfo=UTC),
        "actor_kind": "staff",
        "actor_id": "alice",
        "actor_name": "",
        "action": "list.update",
        "object_type": "list",
        "object_id": "1",
        "request_id": "0b6f3a9e2c8d4e71a5f04c2b9d7e6a13",
        "details": {"name": "Newsletter"},
    },
    703: {
        "at": datetime(2015, 3, 4, 10, tzinfo=UTC),
        "actor_kind": "key",
        "actor_id": "7d2c11a0",
        "actor_name": "Main",
        "action": "campaign.start",
        "object_type": "campaign",
        "object_id": "789",
        "request_id": "9e4d2f7a1b3c4d5e8f6a7b8c9d0e1f2a",
        "details": {"name": "Spring sale", "status": "sending"},
    },
}


@transaction.atomic
def reset_audit(account) -> None:
    AuditEntry.objects.filter(account=account).delete()
    AuditEntry.objects.bulk_create(AuditEntry(pk=pk, account=account, **spec) for pk, spec in ENTRIES.items())
    # The examples' writes are recorded too: their entries' ids must pass the fixed ones, never meet them.
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(%s, (SELECT MAX(id) FROM {table})))",
            [max(ENTRIES)],
        )
