"""Collections at 1,000,000 subscribers: page 1 and the last page cost the same.

Builds (once) an account with 1,000,000 subscribers in one list and a sent message to each, then prints the
median and p99 latency of the first and the last page of each collection, the
number of SQL queries each costs, and the same-run floor: a minimal Django view
through the same middleware and test client.

    bin/with-test-env .venv/bin/python bench/collections.py [--subscribers N] [--runs N] [--database NAME]
        [--fillfactor N]

Then page 1 in offset mode (its total exact) of every documented filter of the /api/v1 collections; last,
`field.firstName=` again with firstName indexed (its index built by the field's job, waited for, dropped after).
"""

import sys

# This file's name shadows the standard library's `collections`: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import time

from common import fill_list, heap_line, measure, setup_django

ACCOUNT = "bench-collections@example.com"


def build(subscribers: int):
    from accounts.services import account_get_or_create, api_key_issue
    from lists.models import MailingList
    from lists.services import list_create
    from subscribers.models import Subscriber

    account, _ = account_get_or_create(name=ACCOUNT)
    _, key = api_key_issue(account=account, name="bench")
    mailing_list = MailingList.objects.filter(account=account, name="Everyone").first()
    if mailing_list is None:
        mailing_list = list_create(account=account, name="Everyone")
    have = Subscriber.objects.filter(account=account).count()
    if have < subscribers:
        started = time.perf_counter()
        fill_list(
            account,
            mailing_list,
            range(have, subscribers),
            "subscriber{}@bench.example",
            lambda i: {"firstName": f"Name{i}"},
        )
        print(f"built {subscribers - have:,} subscribers in {time.perf_counter() - started:.1f} s")
    build_messages(account)
    return account, key, mailing_list


def build_messages(account) -> None:
    """A sent single email to every subscriber that has none (the emails collection's rows)."""
    from django.db import connection

    from campaigns.counters import message_count_recount

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_message (account_id, subscriber_id, to_email, status, attempts, "
            "smtp_response, created_at, sent_at) SELECT s.account_id, s.id, s.email, 'sent', 1, '', "
            "now(), now() FROM subscribers_subscriber s WHERE s.account_id = %s AND NOT EXISTS "
            "(SELECT 1 FROM campaigns_message m WHERE m.subscriber_id = s.id)",
            [account.pk],
        )
        written = cursor.rowcount
    if written:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE campaigns_message")
        print(f"built {written:,} messages in {time.perf_counter() - started:.1f} s")
    message_count_recount(account=account)


def page_row(client, connection, name: str, label: str, url: str, runs: int) -> tuple:
    """(name, label, timing, statements, COUNT statements) of one page, whose answer was checked before."""
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *rest: (statements.append(sql), execute(sql, *rest))[1]):
        client.get(url)
    counts = sum("count(" in sql.lower() for sql in statements)
    return name, label, measure(lambda: client.get(url), runs), len(statements), counts


def v1_cursor_rows(client, account, args, connection) -> list:
    """/api/v1/contacts in cursor mode, per sort: the first page and the last one (a cursor 20 rows from
    the end, as a `next` link would carry it)."""
    from urllib.parse import quote

    from api.formats import iso
    from api.v1 import Query, _cursor
    from subscribers.contacts import CONTACTS
    from subscribers.models import Subscriber

    rows = []
    for sort_by in ("id", "email", "createdAt"):
        field = CONTACTS.sorts[sort_by].field
        before_last = Subscriber.objects.filter(account=account).order_by(f"-{field}", "-id")[20]
        value = getattr(before_last, field)
        key = [iso(value) if field == "created_at" else value, before_last.pk]
        query = Query(limit=20, offset=None, cursor={}, sort_by=sort_by, order="asc", raw_filters={}, filters={})
        pages = {
            "first page": f"/api/v1/contacts?cursor=&limit=20&sort_by={sort_by}",
            "last page": f"/api/v1/contacts?limit=20&cursor={quote(_cursor(CONTACTS, query, key, 'next'))}",
        }
        for label, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200 and len(response.json()["items"]) == 20, (url, response.content[:300])
            rows.append(page_row(client, connection, f"v1 contacts cursor {sort_by}", label, url, args.runs))
    return rows


def indexed_field_row(client, connection, url: str, account, runs: int) -> tuple:
    """`url` timed with firstName indexed: marked through the service, its job run in a thread of this process (as
    the embedded mode runs jobs), waited for; then unmarked and dropped, so the next run starts unindexed."""
    from django.test import override_settings

    from fields.models import Field, IndexStatus
    from fields.services import field_update
    from subscribers.field_indexes import field_indexes

    field = Field.objects.get(account=account, name="firstName")
    started = time.perf_counter()
    with override_settings(JOBS_IN_PROCESS=True):
        field_update(field=field, indexed=True)
        while Field.objects.get(pk=field.pk).index_status != IndexStatus.READY:
            time.sleep(0.1)
        print(f"firstName's index built in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE subscribers_subscriber")
        try:
            response = client.get(url)
            assert response.status_code == 200 and response.json()["total"] == 1, response.content[:300]
            return page_row(client, connection, "  the same, firstName indexed", "page 1 (offset)", url, runs)
        finally:
            field_update(field=Field.objects.get(pk=field.pk), indexed=False)
            while field.pk in field_indexes():
                time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database", default="emailapi_bench", help="the benchmark's database (kept between runs)")
    parser.add_argument(
        "--fillfactor",
        type=int,
        help="the subscribers table's fillfactor, set after migrating and before the rows are written "
        "(default: as the migrations leave it)",
    )
    args = parser.parse_args()
    setup_django(args.database, args.fillfactor)

    from django.db import connection
    from django.http import JsonResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    account, key, mailing_list = build(args.subscribers)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    import types

    urls = types.ModuleType("bench_urls")
    urls.urlpatterns = [
        path("bench/minimal", lambda request: JsonResponse({"ok": True})),
        path("", include("config.urls")),
    ]

    base = f"/accounts/{account.name}"
    per_page = 20
    collections = {
        "subscribers of the account": (f"{base}/subscribers", args.subscribers),
        "subscribers?status=active": (f"{base}/subscribers?status=active&", args.subscribers),
        "subscribers of the list": (f"{base}/lists/{mailing_list.pk}/subscribers", args.subscribers),
        "lists": (f"{base}/lists", 1),
    }
    # Every documented filter of the /api/v1 collections, page 1 in offset mode (whose total is exact): the
    # emails' by status and campaign from the messages' tally, the others as they count.
    rows_n = args.subscribers
    middle = rows_n // 2
    filtered = {
        "v1 emails": ("/api/v1/emails?", rows_n),
        "v1 emails?status=sent": ("/api/v1/emails?status=sent&", rows_n),
        "v1 emails?status=bounced": ("/api/v1/emails?status=bounced&", 0),
        "v1 emails?campaign=": ("/api/v1/emails?campaign=1&", 0),
        "v1 emails?recipient=": (f"/api/v1/emails?recipient=subscriber{middle}@bench.example&", 1),
        "v1 emails?sent_after=": ("/api/v1/emails?sent_after=2000-01-01&", rows_n),
        "v1 emails?sent_before=": ("/api/v1/emails?sent_before=2100-01-01&", rows_n),
        "v1 contacts": ("/api/v1/contacts?", rows_n),
        "v1 contacts?status=active": ("/api/v1/contacts?status=active&", rows_n),
        "v1 contacts?list=": (f"/api/v1/contacts?list={mailing_list.pk}&", rows_n),
        "v1 contacts?email=": (f"/api/v1/contacts?email=subscriber{middle}@&", 1),
        "v1 contacts?created_after=": ("/api/v1/contacts?created_after=2000-01-01&", rows_n),
        "v1 contacts?created_before=": ("/api/v1/contacts?created_before=2100-01-01&", rows_n),
        "v1 contacts?field.firstName=": (f"/api/v1/contacts?field.firstName=Name{middle}&", 1),
        "v1 campaigns?status=draft": ("/api/v1/campaigns?status=draft&", 0),
        "v1 keys?status=active": ("/api/v1/keys?status=active&", None),  # a key more each run
    }
    rows = []
    with override_settings(ROOT_URLCONF=urls, API_RATE_LIMIT_PER_MINUTE=10**9):
        floor = measure(lambda: client.get("/bench/minimal"), args.runs)
        for name, (path_, total) in collections.items():
            last = max(1, -(-total // per_page))
            joiner = "" if path_.endswith("&") else "?"
            for label, page in (("page 1", 1), (f"last page ({last:,})", last)):
                url = f"{path_}{joiner}page={page}"
                response = client.get(url)
                assert response.status_code == 200, (url, response.content[:300])
                assert len(response.json()["items"]) == min(per_page, total - (page - 1) * per_page), url
                rows.append(page_row(client, connection, name, label, url, args.runs))
        rows.extend(v1_cursor_rows(client, account, args, connection))
        for name, (prefix, total) in filtered.items():
            url = f"{prefix}limit=20&offset=0"
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:300])
            assert total is None or response.json()["total"] == total, (url, response.json()["total"], total)
            rows.append(page_row(client, connection, name, "page 1 (offset)", url, args.runs))
            if name == "v1 contacts?field.firstName=":
                rows.append(indexed_field_row(client, connection, url, account, args.runs))

    print(f"\n{args.subscribers:,} subscribers, {args.runs} requests per row, in-process Django test client")
    print(f"{'collection':30} {'page':20} {'median ms':>10} {'p99 ms':>8} {'queries':>8} {'COUNT(*)':>9}")
    print(f"{'floor: minimal Django view':30} {'':20} {floor['median']:10.2f} {floor['p99']:8.2f}")
    for name, label, timing, queries, counts in rows:
        print(f"{name:30} {label:20} {timing['median']:10.2f} {timing['p99']:8.2f} {queries:8} {counts:9}")
    print(heap_line())


if __name__ == "__main__":
    main()
