"""What one request of the load mix costs the server, in one process with nothing else running.

For every kind of request of `bench/loadmix.py` (the mix `bench/load.py` sends), through Django's whole stack
(middleware, DRF, the request log) with Redis and PostgreSQL, it prints the median and p90 time, the median
CPU time of this process, and the SQL statements of one request, beside `GET /healthz` (a minimal Django view
through the same middleware) as the floor; then the mean of each column weighted as the mix sends them.
Where `bench/load.py` says how many requests a second the machine serves, this says which requests the time
goes to. Last, the audit trail's cost: each write of the mix with the trail recorded and without it (its writer
unregistered: the code before the trail), alternated in the same run: statements, `INSERT`s into the trail, median.

    bin/with-test-env .venv/bin/python bench/request_costs.py [--runs 200] [--rebuild] [--database NAME]

It uses the database `emailapi_load` that `bench/load.py` builds (it builds it when missing or with
`--rebuild`) and Redis database 13 of `REDIS_URL`'s server; jobs the writes queue there are dropped.
"""

import sys

# bench/collections.py shadows the standard library's `collections`: look in bench/ last.
sys.path.append(sys.path.pop(0))

import argparse
import json
import os
import statistics
import time

from common import setup_django

DATABASE = "emailapi_load"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database", default=DATABASE, help=f"the database to build and use (default {DATABASE})")
    parser.add_argument("--redis-db", type=int, default=13, help="the Redis database of REDIS_URL's server (13)")
    args = parser.parse_args()
    database = args.database
    os.environ["REDIS_URL"] = (
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0] + f"/{args.redis_db}"
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if args.rebuild and exists:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
    setup_django(database)
    import django_rq
    from django.db import connection
    from django.test import Client

    from accounts.models import Account
    from accounts.services import api_key_issue
    from campaigns.models import Campaign
    from lists.models import MailingList
    from load import build
    from loadmix import Workload
    from subscribers.models import Subscriber

    if args.rebuild or not exists:
        build(10, 2000)
    account = Account.objects.order_by("pk").first()
    key = api_key_issue(account=account, name="request costs")[1]
    mailing_list = MailingList.objects.filter(account=account).order_by("pk").first()
    campaign = Campaign.objects.filter(account=account).order_by("pk").first() or Campaign.objects.create(
        account=account, name="Costs", subject="Hi"
    )
    md5s = list(Subscriber.objects.filter(account=account).values_list("email_md5", flat=True)[:2000])
    workload = Workload(
        {
            "name": account.name,
            "list": mailing_list.pk,
            "md5s": md5s,
            "keys": [key],
            "campaign": campaign.pk,
            "token": "x",
        },
        key,
        1,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT="application/json")

    def send(make):
        kind, method, path, body, expected = make()
        if method == "GET":
            response = client.get(path)
        else:
            response = getattr(client, method.lower())(path, data=json.dumps(body), content_type="application/json")
        if response.status_code != expected and kind != "public: open pixel":  # (a made-up token here: 404)
            raise SystemExit(f"{kind}: {response.status_code} {response.content[:300]!r}")
        return kind

    print(f"{'request':38} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'queries':>8}")
    weighted = [0.0, 0.0, 0.0, 0.0]
    for make, weight in sorted(workload.mix, key=lambda item: item[0].__name__ != "healthz"):
        for _ in range(20):
            send(make)
        statements = []
        with connection.execute_wrapper(
            lambda run, sql, params, many, context, seen=statements: seen.append(sql) or run(sql, params, many, context)
        ):
            kind = send(make)
        samples, cpu = [], []
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            send(make)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        samples.sort()
        row = (statistics.median(samples), samples[int(len(samples) * 0.9)], statistics.median(cpu), len(statements))
        weighted = [total + value * weight for total, value in zip(weighted, row, strict=True)]
        print(f"{kind:38} {row[0]:10.2f} {row[1]:8.2f} {row[2]:8.2f} {row[3]:8d}")
    weights = sum(weight for _, weight in workload.mix)
    print(
        f"{'mix average (weighted as load.py sends)':38} {weighted[0] / weights:10.2f} {weighted[1] / weights:8.2f} "
        f"{weighted[2] / weights:8.2f} {weighted[3] / weights:8.1f}"
    )
    audit_cost(workload, send, connection, args.runs)
    for name in ("default", "sending", "imports"):
        django_rq.get_queue(name).empty()


def audit_cost(workload, send, connection, runs: int) -> None:
    """Each write of the mix with and without the audit trail (api.audit's writers removed: ``record`` returns at
    once, as if the trail did not exist), alternated request by request so that the machine's drift hits both."""
    from api import audit
    from audit.models import AuditEntry

    table = AuditEntry._meta.db_table
    writers = list(audit._writers)

    def trail(on: bool) -> None:
        audit._writers[:] = writers if on else []

    def statements_of(make) -> list[str]:
        seen: list[str] = []
        with connection.execute_wrapper(
            lambda run, sql, params, many, context: seen.append(sql) or run(sql, params, many, context)
        ):
            send(make)
        return seen

    print(
        f"\n{'audit trail: write request':38} {'trail':>6} {'median ms':>10} {'queries':>8} {'INSERTs':>8} {'audit':>6}"
    )
    for make, _ in workload.mix:
        if make()[1] == "GET":
            continue
        samples = {True: [], False: []}
        for _ in range(runs // 2):
            for on in (False, True):
                trail(on)
                started = time.perf_counter()
                kind = send(make)
                samples[on].append((time.perf_counter() - started) * 1000)
        for on in (False, True):
            trail(on)
            seen = statements_of(make)
            inserts = [sql for sql in seen if sql.lstrip().upper().startswith("INSERT")]
            recorded = sum(f'"{table}"' in sql for sql in inserts)
            median = statistics.median(samples[on])
            print(f"{kind:38} {'on' if on else 'off':>6} {median:10.2f} {len(seen):8d} {len(inserts):8d} {recorded:6d}")
    trail(True)


if __name__ == "__main__":
    main()
