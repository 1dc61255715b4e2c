"""Plain SQL of the lists app: the members counter that subscribe, unsubscribe and import move on every write,
and the lock an import holds on its list (hot paths: one statement each)."""

from django.db import connection

from lists.models import MailingList

LIST = MailingList._meta.db_table


def members_add(list_id: int, delta: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {LIST} SET subscribers_count = subscribers_count + %s WHERE id = %s", [delta, list_id])


def members_add_where(delta: int, list_ids_sql: str, params: list) -> None:
    """``delta`` on every list whose id ``list_ids_sql`` (a subquery) selects, in the same statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LIST} SET subscribers_count = subscribers_count + %s WHERE id IN ({list_ids_sql})",
            [delta, *params],
        )


def hold(list_id: int) -> bool:
    """``FOR KEY SHARE`` on the list (PostgreSQL): it cannot be deleted until the transaction ends, while its
    counter can still be updated. False when it does not exist. (SQLite has no row locks: its one writer, this
    transaction, holds the whole database.)"""
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {LIST} WHERE id = %s{lock}", [list_id])
        return cursor.fetchone() is not None
