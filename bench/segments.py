"""Segments at 1,000,000 subscribers and 10,000,000 events: counting a segment of three conditions, the
compiled query (segments.selectors.tree_count) beside a hand-written SQL query of the same answer, in the
same run, on the same connection.

The data set (built once; again with --rebuild) in the database ``--database``: one account, its subscribers
(fields: firstName, country, one of ten codes, and age), a list holding 60 % of them, and the campaigns,
messages and events of ``bench/analytics_data.py`` (``generate``: 100 campaigns over 60 days, 50,000
recipients each, exactly ``--events`` events). The segment: country equals AR (10 %), in the list, opened a
campaign in the last 30 days.

    bin/with-test-env .venv/bin/python bench/segments.py [--rebuild] [--runs N] [--subscribers N]
        [--campaigns N] [--recipients N] [--events N] [--database NAME] [--fillfactor N]
"""

import sys

# This file's name shadows the project's `segments` app (and bench/collections.py the standard library's):
# look here last.
sys.path.append(sys.path.pop(0))

import argparse
import hashlib
import json
import os
import time
import types
from datetime import timedelta

from analytics_data import LINKS, SPAN_DAYS, generate
from common import heap_line, measure, setup_django

ACCOUNT = "bench-segments@example.com"
COUNTRIES = ("AR", "US", "BR", "MX", "ES", "FR", "DE", "IT", "CL", "UY")
CONDITIONS = [
    {"kind": "field", "field": "country", "operator": "equals", "value": "AR"},
    {"kind": "list", "operator": "in", "listId": None},  # the bench list, filled in
    {"kind": "engagement", "operator": "openedInLastDays", "days": 30},
]
HAND_WRITTEN = """
    SELECT count(*) FROM subscribers_subscriber s
    WHERE s.account_id = %(account)s AND s.fields ->> 'country' = 'AR'
      AND EXISTS (SELECT 1 FROM subscribers_membership ms WHERE ms.list_id = %(list)s AND ms.subscriber_id = s.id)
      AND s.last_open_at >= %(since)s
"""


def drop_database(database: str) -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def write_subscribers(cursor, account_id: int, subscribers: int, list_id: int) -> None:
    columns = "id, account_id, email, email_md5, status, fields, created_at, updated_at"
    with cursor.copy(f"COPY subscribers_subscriber ({columns}) FROM STDIN") as copy:
        for i in range(subscribers):
            address = f"subscriber{i}@bench.example"
            fields = {"firstName": f"Name{i}", "country": COUNTRIES[i % 10], "age": 18 + i % 60}
            row = (i + 1, account_id, address, hashlib.md5(address.encode()).hexdigest(), "active", json.dumps(fields))
            copy.write_row((*row, "now", "now"))
    cursor.execute("SELECT setval(pg_get_serial_sequence('subscribers_subscriber', 'id'), %s)", [subscribers])
    cursor.execute(  # 60 % of them in the list, spread evenly
        "INSERT INTO subscribers_membership (list_id, subscriber_id, created_at) "
        "SELECT %s, id, now() FROM subscribers_subscriber WHERE account_id = %s AND id %% 5 < 3",
        [list_id, account_id],
    )


def build(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.services import account_get_or_create
    from campaigns.models import Campaign, CampaignLink
    from fields.services import field_create
    from lists.services import list_count_recount, list_create
    from subscribers.counters import counters_recount

    started = time.perf_counter()
    account, _ = account_get_or_create(name=ACCOUNT)
    field_create(account=account, name="age", type="number")
    mailing_list = list_create(account=account, name="Bench", active=True)
    now = timezone.now().replace(microsecond=0)
    origin = now - timedelta(days=SPAN_DAYS)
    spacing = timedelta(days=SPAN_DAYS - 2) / args.campaigns
    campaigns = Campaign.objects.bulk_create(
        [
            Campaign(
                account=account,
                name=f"Bench campaign {i + 1}",
                status="sent",
                started_at=origin + spacing * i,
                recipients_at=origin + spacing * i,
                finished_at=origin + spacing * i + timedelta(hours=1),
            )
            for i in range(args.campaigns)
        ]
    )
    CampaignLink.objects.bulk_create(
        [CampaignLink(campaign=c, position=p, url=url) for c in campaigns for p, url in enumerate(LINKS)]
    )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        write_subscribers(cursor, account.pk, args.subscribers, mailing_list.pk)
    connection.connection.commit()
    counters_recount(account.pk)
    list_count_recount(account=account)
    print(f"built {args.subscribers:,} subscribers in {time.perf_counter() - started:.1f} s", flush=True)
    mark = time.perf_counter()
    db = settings.DATABASES["default"]
    conninfo = f"host={db['HOST']} port={db['PORT'] or 5432} dbname={db['NAME']} user={db['USER']}" + (
        f" password={db['PASSWORD']}" if db["PASSWORD"] else ""
    )
    generate(
        conninfo=conninfo,
        account_id=account.pk,
        campaigns=campaigns,
        subscribers=args.subscribers,
        recipients=args.recipients,
        total_events=args.events,
        now=now,
    )
    print(
        f"built {args.campaigns * args.recipients:,} messages and {args.events:,} events "
        f"in {time.perf_counter() - mark:.1f} s",
        flush=True,
    )
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        # What tracking keeps on each open (subscribers.services.subscriber_record_open): the last one.
        cursor.execute(
            "UPDATE subscribers_subscriber s SET last_open_at = o.at FROM ("
            "  SELECT m.subscriber_id, max(e.at) AS at FROM campaigns_event e"
            "  JOIN campaigns_message m ON m.id = e.message_id WHERE e.type = 'open' GROUP BY m.subscriber_id) o "
            "WHERE s.id = o.subscriber_id"
        )
    print(f"last opens set in {time.perf_counter() - mark:.1f} s", flush=True)
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"vacuumed and analyzed in {time.perf_counter() - mark:.1f} s", flush=True)


def ready(args) -> bool:
    from accounts.models import Account
    from campaigns.models import Event
    from subscribers.models import Subscriber

    account = Account.objects.filter(name=ACCOUNT).first()
    return bool(account) and (
        Subscriber.objects.filter(account=account).count() == args.subscribers
        and Event.objects.filter(account_id=account.pk).count() == args.events
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--database", default="emailapi_segments_bench")
    parser.add_argument(
        "--fillfactor",
        type=int,
        help="the subscribers table's fillfactor, set after migrating and before the rows are written "
        "(default: as the migrations leave it)",
    )
    args = parser.parse_args()
    if args.rebuild:
        drop_database(args.database)
    setup_django(args.database, args.fillfactor)
    if not ready(args):
        from accounts.models import Account

        if Account.objects.filter(name=ACCOUNT).exists():
            raise SystemExit(f"{args.database} holds another data set: run again with --rebuild")
        build(args)

    from django.db import connection
    from django.utils import timezone

    from accounts.models import Account
    from api.pagination import PageParams
    from lists.models import MailingList
    from segments.selectors import segment_subscriber_page, segment_where, tree_checked, tree_count

    account = Account.objects.get(name=ACCOUNT)
    list_id = MailingList.objects.get(account=account, name="Bench").pk
    conditions = [dict(c, listId=list_id) if c["kind"] == "list" else c for c in CONDITIONS]
    tree = tree_checked(account=account, match="all", conditions=conditions)
    where, params = segment_where(account=account, tree=tree)
    since = timezone.now() - timedelta(days=30)

    def hand_written():
        with connection.cursor() as cursor:
            cursor.execute(HAND_WRITTEN, {"account": account.pk, "list": list_id, "since": since})
            return cursor.fetchone()[0]

    compiled = tree_count(account=account, tree=tree)[0]
    assert compiled == hand_written(), (compiled, hand_written())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM subscribers_subscriber WHERE "
                       f"subscribers_subscriber.account_id = %s AND {where}", [account.pk, *params])  # fmt: skip
        plan = "\n".join(row[0] for row in cursor.fetchall())
    segment = measure(lambda: tree_count(account=account, tree=tree), args.runs)
    floor = measure(hand_written, args.runs)
    # The segment's subscribers as its collection pages them (its count, then 20 rows by id; a page in the second
    # half is read backwards from the end): page 1 and the middle page, the deepest an offset reads.
    unsaved = types.SimpleNamespace(tree=tree)
    middle = max(1, -(-compiled // 20) // 2)
    pages = {
        n: measure(
            lambda n=n: segment_subscriber_page(account=account, segment=unsaved, params=PageParams(n, 20)), args.runs
        )
        for n in (1, middle)
    }
    print(f"segment of three conditions matches {compiled:,} of {args.subscribers:,} subscribers")
    print(f"count, compiled segment:  median {segment['median']:.1f} ms, p99 {segment['p99']:.1f} ms")
    print(f"count, hand-written SQL:  median {floor['median']:.1f} ms, p99 {floor['p99']:.1f} ms")
    for n, timing in pages.items():
        label = f"page {n:,}, 20 a page (count + rows):"
        print(f"{label:34} median {timing['median']:.1f} ms, p99 {timing['p99']:.1f} ms")
    print(heap_line())
    print("plan of the compiled count:\n" + plan)


if __name__ == "__main__":
    main()
