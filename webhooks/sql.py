"""Plain SQL of the webhooks app, table names from the models: the outbox's write (a campaign's batch writes 200
events in one statement, as JSON text: the ORM spent more building 200 model instances than the database spends
inserting them) and deleting a log in a few statements (the ORM's delete would load every row of a busy
endpoint's log to cascade it); PostgreSQL and SQLite alike."""

import json

from django.db import connection

from api.sql import placeholders
from webhooks.models import Attempt, Delivery, Event

ATTEMPT = Attempt._meta.db_table
DELIVERY = Delivery._meta.db_table
EVENT = Event._meta.db_table


_INSERT_EVENTS = {
    "postgresql": f"INSERT INTO {EVENT} (account_id, type, data, created_at) "
    "SELECT %s, %s, data::jsonb, %s FROM unnest(%s::text[]) AS data",
    "sqlite": f"INSERT INTO {EVENT} (account_id, type, data, created_at) SELECT %s, %s, value, %s FROM json_each(%s)",
}


def insert_events(account_id: int, type: str, items: list[dict], at) -> None:
    """One row per item, in one statement."""
    texts = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items]
    rows = texts if connection.vendor == "postgresql" else json.dumps([json.loads(text) for text in texts])
    at = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EVENTS[connection.vendor], [account_id, type, at, rows])


def delete_endpoint_log(endpoint_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ATTEMPT} WHERE delivery_id IN (SELECT id FROM {DELIVERY} WHERE endpoint_id = %s)",
            [endpoint_id],
        )
        cursor.execute(f"DELETE FROM {DELIVERY} WHERE endpoint_id = %s", [endpoint_id])


def delete_events(event_ids: list[int]) -> list[int]:
    """The events, their deliveries and attempts; the endpoint of each delivery deleted (one per delivery)."""
    ids = placeholders(event_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ATTEMPT} WHERE delivery_id IN (SELECT id FROM {DELIVERY} WHERE event_id IN ({ids}))",
            event_ids,
        )
        cursor.execute(f"DELETE FROM {DELIVERY} WHERE event_id IN ({ids}) RETURNING endpoint_id", event_ids)
        endpoints = [endpoint_id for (endpoint_id,) in cursor.fetchall()]
        cursor.execute(f"DELETE FROM {EVENT} WHERE id IN ({ids})", event_ids)
    return endpoints
