"""What the contacts' counters (triggers, subscribers/tally.py) and the fields' GIN index cost an import's chunk
writer, alternated in one process on one database (quieter than bench/import.py's whole HTTP path).

Each round imports ``--rows`` new addresses into a list through ``subscribers_import_chunk`` (the import's own
writer, chunks of IMPORT_CHUNK_SIZE, a transaction each), then the same addresses again with every row's field
changed, once per variant: without the triggers and the index (as before them), with the triggers, with both.
The variants are switched by dropping and creating them (migration subscribers 0007's SQL, the index's DDL).
Prints the wall time and the database backend's CPU time (/proc: the figure a busy, shared machine disturbs
least); the Python side is the same in every variant.

    bin/with-test-env .venv/bin/python bench/import_counters.py [--rows N] [--rounds N] [--database NAME]

With ``--indexed-field`` the variants are the triggers alone, the triggers with the field ``city`` indexed (its
expression index, partial on the account, as fields/indexing.py builds it: the changed field is the indexed one), and
with ``firstName`` indexed instead (an unchanged field: what the index's mere presence costs a changed row).
"""

import sys

# bench/collections.py would shadow the standard library's `collections`: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import os
import statistics
import time
from importlib import import_module
from pathlib import Path

from common import setup_django

GIN = "CREATE INDEX subscriber_fields ON subscribers_subscriber USING gin (fields jsonb_path_ops)"
NO_GIN = "DROP INDEX IF EXISTS subscriber_fields"
VARIANTS = ("none", "triggers", "triggers + GIN")
FIELD_VARIANTS = ("triggers", "triggers + city indexed", "triggers + firstName indexed")


def switch(cursor, variant: str, fields: dict) -> None:
    from subscribers.field_indexes import field_index_build, field_index_drop

    counters = import_module("subscribers.migrations.0007_member_counts_and_created_days")
    for statement in counters.POSTGRESQL_REVERSE:
        cursor.execute(statement)
    cursor.execute(NO_GIN)
    for field in fields.values():
        field_index_drop(field_id=field.pk)
    if variant != "none":
        for statement in counters.POSTGRESQL[:-1]:  # not the LOCK
            cursor.execute(statement)
    if variant == "triggers + GIN":
        cursor.execute(GIN)
    if variant.endswith(" indexed"):
        field = fields[variant.split()[-2]]
        field_index_build(field_id=field.pk, account_id=field.account_id, name=field.name)
    cursor.execute("VACUUM ANALYZE subscribers_subscriber")


def backend_cpu(pid: int) -> float:
    """The PostgreSQL backend's user + system CPU seconds (same machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_rows(account_id: int, list_id: int, numbers: range, city: str, chunk: int) -> tuple[float, float]:
    """(wall seconds, backend CPU seconds) of importing ``numbers``' addresses."""
    from django.db import connection, transaction

    from subscribers.bulk import subscribers_import_chunk
    from subscribers.emails import normalize_email

    rows = [
        (normalize_email(f"row{i}@bench-counters.example"), {"firstName": f"First{i}", "city": f"{city}{i % 977}"})
        for i in numbers
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    started, cpu = time.perf_counter(), backend_cpu(pid)
    for start in range(0, len(rows), chunk):
        with transaction.atomic():
            subscribers_import_chunk(account_id=account_id, list_id=list_id, rows=rows[start : start + chunk])
    return time.perf_counter() - started, backend_cpu(pid) - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="emailapi_bench_counters", help="made if needed; its rows are kept")
    parser.add_argument("--gin-after", action="store_true", help="leave the GIN index (else the triggers alone)")
    parser.add_argument("--indexed-field", action="store_true", help="the triggers alone against city indexed")
    args = parser.parse_args()
    variants = FIELD_VARIANTS if args.indexed_field else VARIANTS
    setup_django(args.database)

    from django.conf import settings
    from django.db import connection

    from accounts.services import account_get_or_create
    from fields.services import field_create
    from lists.models import MailingList
    from lists.services import list_create
    from subscribers.models import Subscriber

    account, _ = account_get_or_create(name="bench-counters@example.com")
    city = account.fields.filter(name="city").first() or field_create(account=account, name="city", type="string")
    fields = {"city": city, "firstName": account.fields.get(name="firstName")}
    mailing_list = MailingList.objects.filter(account=account).first() or list_create(account=account, name="All")
    first = Subscriber.objects.filter(account=account).count()
    kinds = ("new wall", "new db cpu", "changed wall", "changed db cpu")
    times = {variant: {kind: [] for kind in kinds} for variant in variants}
    for number in range(args.rounds):
        for variant in variants:
            with connection.cursor() as cursor:
                switch(cursor, variant, fields)
            numbers = range(first, first + args.rows)
            first += args.rows
            new = import_rows(account.pk, mailing_list.pk, numbers, "City", settings.IMPORT_CHUNK_SIZE)
            changed = import_rows(account.pk, mailing_list.pk, numbers, "Town", settings.IMPORT_CHUNK_SIZE)
            for kind, value in zip(kinds, (*new, *changed), strict=True):
                times[variant][kind].append(value)
            print(
                f"round {number + 1} {variant:28} all new {new[0]:6.2f} s (database CPU {new[1]:5.2f} s), "
                f"every row changed {changed[0]:6.2f} s (database CPU {changed[1]:5.2f} s)",
                flush=True,
            )
    with connection.cursor() as cursor:
        switch(cursor, "triggers + GIN" if args.gin_after else "triggers", fields)
    print(f"\n{args.rows:,} rows a round, chunks of {settings.IMPORT_CHUNK_SIZE:,}, median of {args.rounds} rounds")
    print(f"{'':28} {'all new: wall':>20} {'database CPU':>20} {'every row changed: wall':>24} {'database CPU':>20}")
    base = {kind: statistics.median(times[variants[0]][kind]) for kind in kinds}
    for variant in variants:
        cells = []
        for kind in kinds:
            median = statistics.median(times[variant][kind])
            cells.append(f"{median:6.2f} s ({(median / base[kind] - 1) * 100:+5.1f} %)")
        print(f"{variant:28} {cells[0]:>20} {cells[1]:>20} {cells[2]:>24} {cells[3]:>20}")


if __name__ == "__main__":
    main()
