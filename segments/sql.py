"""The segments' plain SQL: a compiled condition (segments/compiler.py) counted over the account's subscribers.

Table names come from the models; the subscribers table is read, never written."""

from django.db import connection

from segments.compiler import T
from subscribers.models import Status


def count(account_id: int, where: str, params: list) -> tuple[int, int]:
    """(matching subscribers, of them active) in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {T}.status = %s) FROM {T} WHERE {T}.account_id = %s AND {where}",
            [Status.ACTIVE, account_id, *params],
        )
        total, active = cursor.fetchone()
    return total, active
