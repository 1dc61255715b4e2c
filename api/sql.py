"""Plain SQL of the core: the hottest lookups, where Django's ORM spends more building a simple query than the
database spends running it (``bench/request_costs.py``), the counters' upsert and the readiness probe."""

from django.db import connection


def fetch_one(model, where: str, params: list, *, for_update: bool = False):
    """The ``model`` row matching ``where`` (one at most), as a model instance, or None.

    ``for_update`` locks it where the database can (SQLite, the embedded default, locks the whole database
    for a write transaction: no ``FOR UPDATE`` there).
    """
    sql = f"SELECT * FROM {model._meta.db_table} WHERE {where}"
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return next(iter(model.objects.raw(sql, params)), None)


def placeholders(values) -> str:
    """``%s, %s, …``: one per value, for ``IN (…)``."""
    return ", ".join(["%s"] * len(values))


def counters_add(table: str, key_columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Add each row's last value to the counter its key names, in one statement (PostgreSQL and SQLite alike):
    its rows are written, and locked, in list order."""
    columns = ", ".join(key_columns)
    row = f"({placeholders(rows[0])})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, count) VALUES {', '.join([row] * len(rows))} "
            f"ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + EXCLUDED.count",
            [value for row in rows for value in row],
        )


def ping(database) -> None:
    """``SELECT 1`` on the connection ``database``: raises whatever the driver raises when it cannot answer."""
    with database.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
