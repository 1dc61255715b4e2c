"""Plain SQL of the webhooks app: deleting a log in a few statements (the ORM's delete would load every row of a
busy endpoint's log to cascade it), table names from the models; PostgreSQL and SQLite alike."""

from django.db import connection

from api.sql import placeholders
from webhooks.models import Attempt, Delivery, Event

ATTEMPT = Attempt._meta.db_table
DELIVERY = Delivery._meta.db_table
EVENT = Event._meta.db_table


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
