"""Shared set-up for benchmarks: a dedicated PostgreSQL database, bulk-written subscribers and timing helpers."""

import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: str, fillfactor: int | None = None) -> None:
    """Point Django at ``database`` on the test server (created and migrated if needed); with ``fillfactor``,
    the subscribers table's is set after migrating, before the bench writes its rows (``fillfactor_set``)."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = f"{base}/{database}"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-long-enough-for-django-checks-0123456789")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    if fillfactor is not None:
        fillfactor_set(fillfactor)


def fillfactor_set(fillfactor: int) -> None:
    """``ALTER TABLE subscribers_subscriber SET (fillfactor = …)``, which only the rows written after it respect: on a
    table that already holds rows (a database kept between runs), said so when its setting was another (a later
    migration may have changed it), since those rows keep the layout they were written with."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM subscribers_subscriber)")
        if cursor.fetchone()[0] and heap()[0] != fillfactor:
            print(
                f"subscribers_subscriber was at fillfactor {heap()[0]} and holds rows: they keep the layout they were "
                f"written with (drop the database to write them at {fillfactor})",
                flush=True,
            )
        cursor.execute(f"ALTER TABLE subscribers_subscriber SET (fillfactor = {int(fillfactor)})")


# (fillfactor, heap bytes) of subscribers_subscriber (its main fork, ``pg_relation_size``); no parameter, so its
# `%` is doubled for a driver that formats (Django's cursor, psycopg given an empty parameter list).
HEAP = (
    "SELECT coalesce((SELECT split_part(o, '=', 2)::int FROM unnest(reloptions) o "
    "WHERE o LIKE 'fillfactor=%%'), 100), pg_relation_size(oid) "
    "FROM pg_class WHERE oid = 'subscribers_subscriber'::regclass"
)


def heap() -> tuple[int, int]:
    """(fillfactor, heap bytes) of subscribers_subscriber, on Django's connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(HEAP, [])
        return cursor.fetchone()


def heap_text(fillfactor: int, size: int) -> str:
    return f"subscribers_subscriber: fillfactor {fillfactor}, heap {size / 2**20:,.1f} MB (pg_relation_size)"


def heap_line() -> str:
    return heap_text(*heap())


def copy_subscribers(cursor, account_id: int, numbers: range, email: str, fields, *, ids: bool = False) -> None:
    """COPY an active subscriber of ``account_id`` for each ``i`` in ``numbers``: address ``email.format(i)``,
    fields ``fields(i)``; with ``ids``, id ``i + 1`` (the caller then moves the id sequence on)."""
    columns = "account_id, email, email_md5, status, fields, created_at, updated_at"
    with cursor.copy(f"COPY subscribers_subscriber ({'id, ' if ids else ''}{columns}) FROM STDIN") as copy:
        for i in numbers:
            address = email.format(i)
            row = (account_id, address, hashlib.md5(address.encode()).hexdigest(), "active", json.dumps(fields(i)))
            copy.write_row((i + 1, *row, "now", "now") if ids else (*row, "now", "now"))


def fill_list(account, mailing_list, numbers: range, email: str, fields) -> None:
    """``copy_subscribers`` for ``account``, then every subscriber of the account not in ``mailing_list`` joins
    it; the tables analyzed, committed, and the account's and lists' counters recounted."""
    from django.db import connection

    from lists.services import list_count_recount
    from subscribers.counters import counters_recount

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        copy_subscribers(cursor, account.pk, numbers, email, fields)
        cursor.execute(
            "INSERT INTO subscribers_membership (list_id, subscriber_id, created_at) "
            "SELECT %s, id, now() FROM subscribers_subscriber s WHERE account_id = %s "
            "AND NOT EXISTS (SELECT 1 FROM subscribers_membership m "
            "WHERE m.list_id = %s AND m.subscriber_id = s.id)",
            [mailing_list.pk, account.pk, mailing_list.pk],
        )
        cursor.execute("ANALYZE subscribers_subscriber; ANALYZE subscribers_membership")
    connection.connection.commit()
    counters_recount(account.pk)
    list_count_recount(account=account)


def measure(call, runs: int) -> dict:
    """Median and p99 wall time of ``call()`` in milliseconds (after two warm-up calls)."""
    call(), call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median": statistics.median(samples), "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))]}
