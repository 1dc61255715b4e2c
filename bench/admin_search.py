"""The back office's subscriber search at 1,000,000 subscribers: part of an address, through the admin.

Builds (with COPY, in the database emailapi_bench_admin_search, dropped and created again) one account with
1,000,000 subscribers (first.personN@<one of 50 domains>), all members of one list, and a superuser, then times
the admin's subscriber page (`/admin/subscribers/subscriber/?q=…`, the whole request through Django's test
client: the search, its count and the page of 100) for terms matching one address, a few, and tens of
thousands (subscribers/search.py says what a term finds). Floor, in the same run: a minimal Django view (the
request's own cost), and the admin's page searched by an exact MD5 (a unique-index lookup).

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
    from lists.services import list_create

    account, _ = account_get_or_create(name="bench-search@example.com")
    everyone = list_create(account=account, name="Everyone")
    connection.ensure_connection()
    columns = "account_id, email, email_md5, status, fields, created_at, updated_at"
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY subscribers_subscriber ({columns}) FROM STDIN") as copy:
            for i in range(args.subscribers):
                email = address(i)
                copy.write_row(
                    (account.pk, email, hashlib.md5(email.encode()).hexdigest(), "active", "{}", "now", "now")
                )
        cursor.execute(
            "INSERT INTO subscribers_membership (list_id, subscriber_id, created_at)"
            " SELECT %s, id, now() FROM subscribers_subscriber",
            [everyone.pk],
        )
        cursor.execute("ANALYZE subscribers_subscriber")
        cursor.execute("ANALYZE subscribers_membership")
    connection.connection.commit()
    User.objects.create_superuser("bench", "bench@example.com", "bench-password")
    client = Client()
    client.login(username="bench", password="bench-password")
    page = "/admin/subscribers/subscriber/"

    def timed(url: str, query: dict) -> dict:
        def call():
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code

        return measure(call, args.runs)

    one = address(args.subscribers // 2)
    start = one.split("@")[0][:-2]  # "anna.person5000": the start of a dozen addresses
    rows = [
        ("floor: an exact MD5 (unique index)", page, {"q": hashlib.md5(one.encode()).hexdigest()}),
        ("the page without a search", page, {}),
        ("the page of a list of 1,000,000", page, {"list": everyone.pk}),
        (f"the start of one address ('{one[:-8]}')", page, {"q": one[:-8]}),
        (f"the start of a dozen addresses ('{start}')", page, {"q": start}),
        ("a domain, 1 in 50 ('@mail7.example')", page, {"q": "@mail7.example"}),
        ("the start of a domain, 1 in 50 ('mail7.')", page, {"q": "mail7."}),
        ("the start of 1 in 10 ('jane.')", page, {"q": "jane."}),
        ("a part anywhere, read from rows ('*son4242')", page, {"q": "*son4242"}),
    ]
    print(f"\n{args.subscribers:,} subscribers; median and p99 of {args.runs} requests to the admin's subscriber page")
    print(f"{'':52} {'median ms':>10} {'p99 ms':>8}")
    floor = measure(lambda: client.get("/admin/jsi18n/"), args.runs)
    print(f"{'floor: a minimal admin view (/admin/jsi18n/)':52} {floor['median']:10.1f} {floor['p99']:8.1f}")
    for label, url, query in rows:
        figures = timed(url, query)
        print(f"{label:52} {figures['median']:10.1f} {figures['p99']:8.1f}")


if __name__ == "__main__":
    main()
