"""What the back office's domain index costs an import: inserting and updating N subscriber rows, with and without it.

Copies the subscribers table's definition (its columns, constraints and indexes, as the migrations leave them) into
two scratch tables, one without ``subscriber_domain_account`` (the floor: what an import wrote before it existed),
and times the same set-based INSERT of N staged rows, then an UPDATE of every row that changes its address (not a
HOT update: every index gets an entry), alternating the two tables for ``--rounds`` rounds so that a busy machine
weighs on both alike. Prints the median of each and the difference per million rows.

    bin/with-test-env .venv/bin/python bench/search_index_cost.py [--rows N] [--rounds N]
"""

import sys

sys.path.append(sys.path.pop(0))  # bench/collections.py would shadow the standard library's `collections`

import argparse
import statistics
import time

from common import setup_django

DATABASE = "emailapi_bench_search_index"
INDEX = "subscriber_domain_account"
DOMAINS = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import os

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    setup_django(DATABASE)
    from django.db import connection

    connection.ensure_connection()
    conn = connection.connection
    conn.autocommit = True
    conn.execute(
        "CREATE UNLOGGED TABLE staged AS SELECT 1::bigint AS account_id,"
        f" 'person' || i || '@mail' || (i % {DOMAINS}) || '.example' AS email, md5('person' || i) AS email_md5"
        f" FROM generate_series(1, {args.rows}) AS i"
    )
    definition = [
        row[0]
        for row in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", ["subscribers_subscriber"])
    ]
    assert any(INDEX in d for d in definition), "the migrations have no domain index"
    timings = {"without": {"insert": [], "update": []}, "with": {"insert": [], "update": []}}
    for _ in range(args.rounds):
        for variant in ("without", "with"):
            table = f"scratch_{variant}"
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(
                f"CREATE TABLE {table} (LIKE subscribers_subscriber"
                " INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
            )
            for d in definition:
                if variant == "with" or INDEX not in d:
                    name = d.split(" ON ")[0].rsplit(" ", 1)[1]
                    on = " ON public.subscribers_subscriber "
                    conn.execute(d.replace(f" {name}{on}", f" {table}_{name} ON {table} ", 1))
            started = time.perf_counter()
            conn.execute(
                f"INSERT INTO {table} (account_id, email, email_md5, status, fields, created_at, updated_at)"
                " SELECT account_id, email, email_md5, 'active', '{}', now(), now() FROM staged"
            )
            timings[variant]["insert"].append(time.perf_counter() - started)
            started = time.perf_counter()
            conn.execute(f"UPDATE {table} SET email = 'x' || email, updated_at = now()")
            timings[variant]["update"].append(time.perf_counter() - started)
            conn.execute(f"DROP TABLE {table}")
    print(f"\n{args.rows:,} rows, median of {args.rounds} alternated rounds (seconds)")
    print(f"{'':44} {'INSERT':>8} {'UPDATE':>8}")
    medians = {v: {k: statistics.median(t) for k, t in kinds.items()} for v, kinds in timings.items()}
    for label, variant in (("floor: the table without the domain index", "without"), ("the table with it", "with")):
        print(f"{label:44} {medians[variant]['insert']:8.2f} {medians[variant]['update']:8.2f}")
    per_million = {
        k: (medians["with"][k] - medians["without"][k]) * 1_000_000 / args.rows for k in ("insert", "update")
    }
    print(f"{'the index, per 1,000,000 rows':44} {per_million['insert']:+8.2f} {per_million['update']:+8.2f}")


if __name__ == "__main__":
    main()
