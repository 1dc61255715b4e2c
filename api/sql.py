"""Plain SQL for the hottest lookups, where Django's ORM spends more building a simple query than the
database spends running it (``bench/request_costs.py``)."""
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
