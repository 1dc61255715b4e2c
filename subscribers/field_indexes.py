"""An index on one field of one account's subscribers, for a field its account marks ``indexed``: an expression
index on the field's value as text, partial on the account, which answers `/api/v1/contacts?field.<name>=value`
(the page and its count) instead of reading every row of the account.

One expression, ``FieldText``, is both the contacts filter's and the index's: a planner uses an expression index
only for the very expression it was built on (SQLite also wants the JSON path written in the statement, not bound).
A field's name is written into the SQL as a literal (DDL takes no parameters): only a name of ``FIELD_NAME`` is,
whose characters need no quoting. The index is named by the field's id, never its name.

Building on PostgreSQL is ``CREATE INDEX CONCURRENTLY``: no lock that stops writes, but no transaction either and
time on a big table, so it runs in a job (``fields/indexing.py``). Any index on ``fields`` has a price for
everyone: an update that changes a subscriber's fields can no longer be HOT (heap-only), and each of the account's
imported rows writes an index entry (docs/benchmarks.md).
"""

import re

from django.db import connection
from django.db.models import F, Func, TextField

from subscribers.models import Subscriber

FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,49}")
PREFIX = "subscriber_field_"
SUBSCRIBER = Subscriber._meta.db_table


def _checked(name: str) -> str:
    if not FIELD_NAME.fullmatch(name):
        raise ValueError(f"not a field name: {name!r}")
    return name


def text_sql(column: str, name: str, vendor: str) -> str:
    """The SQL of field ``name``'s value in ``column`` as text: numbers as written, true/false, null. On SQLite the
    JSON literals are named by JSON_TYPE, as PostgreSQL's ``->>`` writes them."""
    _checked(name)
    if vendor == "postgresql":
        return f"({column} ->> '{name}')"
    path = f"'$.\"{name}\"'"
    return (
        f"CAST((CASE WHEN JSON_TYPE({column}, {path}) IN ('null','true','false') THEN JSON_TYPE({column}, {path}) "
        f"ELSE JSON_EXTRACT({column}, {path}) END) AS text)"
    )


class FieldText(Func):
    """A subscriber's field ``name`` as text, in the SQL the field's index is built on."""

    output_field = TextField()

    def __init__(self, name: str):
        super().__init__(F("fields"), field_name=_checked(name))

    def as_sql(self, compiler, connection, **extra):
        template = text_sql("%(expressions)s", self.extra["field_name"], connection.vendor)
        return super().as_sql(compiler, connection, template=template, **extra)


def index_name(field_id: int) -> str:
    return f"{PREFIX}{int(field_id)}"


def field_indexes() -> dict[int, bool]:
    """The field indexes on the subscribers table: {field id: valid}. An invalid one is what a failed or
    interrupted ``CREATE INDEX CONCURRENTLY`` leaves (PostgreSQL); it answers nothing and must be built again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND c.relname LIKE %s",
                [SUBSCRIBER, PREFIX.replace("_", r"\_") + "%"],
            )
        else:
            cursor.execute(
                "SELECT name, 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND name LIKE %s ESCAPE '\\'",
                [SUBSCRIBER, PREFIX.replace("_", r"\_") + "%"],
            )
        rows = cursor.fetchall()
    return {int(name[len(PREFIX) :]): bool(valid) for name, valid in rows if name[len(PREFIX) :].isdigit()}


def _outside_transaction() -> None:
    if connection.in_atomic_block:
        raise RuntimeError("a field's index is built and dropped concurrently, outside a transaction")


def field_index_build(*, field_id: int, account_id: int, name: str) -> None:
    """Build the index of field ``name`` of ``account_id`` unless it is there; an invalid one is dropped first."""
    index = index_name(field_id)
    expression = text_sql("fields", name, connection.vendor)
    where = f"account_id = {int(account_id)}"
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {SUBSCRIBER} ({expression}) WHERE {where}")
        return
    _outside_transaction()
    if field_indexes().get(int(field_id)) is False:
        field_index_drop(field_id=field_id)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON {SUBSCRIBER} ({expression}) WHERE {where}")
        if not field_indexes().get(int(field_id)):
            raise RuntimeError(f"index {index} is not valid after its build")
        # The planner keeps no statistics of a partial index's expression: without its own it guesses that 0.5 % of
        # the rows match, and pages by id walk the primary key instead (0.5 s at 1,000,000 rows, the count alone
        # on the index). Statistics of the expression (PostgreSQL 14+), gathered now, tell it how few match.
        cursor.execute(f"CREATE STATISTICS IF NOT EXISTS {index} ON {expression} FROM {SUBSCRIBER}")
        cursor.execute(f"ANALYZE {SUBSCRIBER}")


def field_index_drop(*, field_id: int) -> None:
    index = index_name(field_id)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _outside_transaction()
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index}")
            cursor.execute(f"DROP STATISTICS IF EXISTS {index}")
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
