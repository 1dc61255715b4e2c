"""Exact counters kept in the same transaction as the change they count.

One upsert per counter row: ``INSERT … ON CONFLICT … DO UPDATE SET count = count + n``
(PostgreSQL and SQLite alike), so a page never needs ``COUNT(*)``.
"""
from django.db import connection

from api.sql import placeholders


def bump(table: str, key_columns: tuple[str, ...], key: tuple, delta: int) -> None:
    if delta:
        _add(table, key_columns, [(*key, delta)])


def bump_buckets(table: str, key_columns: tuple[str, str], owner_id: int, deltas) -> None:
    """Add ``deltas`` ({bucket: n}) to an owner's counter rows, locked in sorted bucket order: two
    transactions moving the same counters cannot deadlock."""
    rows = [(owner_id, bucket, deltas[bucket]) for bucket in sorted(deltas) if deltas[bucket]]
    if rows:
        _add(table, key_columns, rows)


def _add(table: str, key_columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Add each row's last value to the counter its key names, in one statement: its rows are written, and
    locked, in list order."""
    columns = ", ".join(key_columns)
    row = f"({placeholders(rows[0])})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, count) VALUES {', '.join([row] * len(rows))} "
            f"ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + EXCLUDED.count",
            [value for row in rows for value in row],
        )
