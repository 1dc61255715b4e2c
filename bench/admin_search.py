"""The back office's subscriber search at 1,000,000 subscribers: part of an address, through the admin.

Builds (with COPY, in the database emailapi_bench_admin_search, dropped and created again) one account with
1,000,000 subscribers (first.last.N@<one of 50 domains>) and a superuser, then times the admin's subscriber
page (`/admin/subscribers/subscriber/?q=…`, the whole request through Django's test client: the search, its
count and the page of 100) for terms matching one address, a few hundred, and tens of thousands. Floor, in the
same run: the same page searched by an exact MD5 (a unique-index lookup), and the page without a search.

    bin/with-test-env .venv/bin/python bench/admin_search.py [--subscribers N] [--runs N]
"""

import sys

sys.path.append(sys.path.pop(0))  # bench/collections.py would shadow the standard library's `collections`

import argparse
import hashlib

from common import measure, setup_django

DATABASE = "emailapi_bench_admin_search"
DOMAINS = [f"mail{n}.example" for n in range(50)]
FIRST = ["anna", "bruno", "chloe", "david", "emma", "felix", "gina", "hugo", "ines", "jane"]


def address(i: int) -> str:
    return f"{FIRST[i % 10]}.person{i}@{DOMAINS[i % 50]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import os

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    setup_django(DATABASE)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from accounts.services import account_get_or_create

    account, _ = account_get_or_create(name="bench-search@example.com")
    connection.ensure_connection()
    columns = "account_id, email, email_md5, status, fields, created_at, updated_at"
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY subscribers_subscriber ({columns}) FROM STDIN") as copy:
            for i in range(args.subscribers):
                email = address(i)
                copy.write_row(
                    (account.pk, email, hashlib.md5(email.encode()).hexdigest(), "active", "{}", "now", "now")
                )
        cursor.execute("ANALYZE subscribers_subscriber")
    connection.connection.commit()
    User.objects.create_superuser("bench", "bench@example.com", "bench-password")
    client = Client()
    client.login(username="bench", password="bench-password")
    page = "/admin/subscribers/subscriber/"

    def timed(query: dict) -> dict:
        def call():
            response = client.get(page, query)
            assert response.status_code == 200, response.status_code

        return measure(call, args.runs)

    one = address(args.subscribers // 2)
    rows = [
        ("floor: the page without a search", {}),
        ("floor: an exact MD5 (unique index)", {"q": hashlib.md5(one.encode()).hexdigest()}),
        ("one address, part of it ('person500000@')", {"q": f"person{args.subscribers // 2}@"}),
        ("111 addresses ('person4242')", {"q": "person4242"}),
        ("1 in 50 ('@mail7.example')", {"q": "@mail7.example"}),
        ("1 in 10 ('jane.')", {"q": "jane."}),
    ]
    print(f"\n{args.subscribers:,} subscribers; median and p99 of {args.runs} requests to the admin's subscriber page")
    print(f"{'':45} {'median ms':>10} {'p99 ms':>8}")
    for label, query in rows:
        figures = timed(query)
        print(f"{label:45} {figures['median']:10.1f} {figures['p99']:8.1f}")


if __name__ == "__main__":
    main()
