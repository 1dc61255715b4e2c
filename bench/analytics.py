"""Analytics at 10,000,000 events: the median and p99 latency of each /api/v1/analytics endpoint, and whether
its counts equal a recount from the Message and Event rows.

Builds (once; again with --rebuild) the data set described in ``bench/analytics_data.py`` in the database
``emailapi_analytics_bench``, then requests each endpoint ``--runs`` times through Django's in-process test
client. Beside each figure: the floor measured in the same run, a minimal Django view through the same client
and the endpoint's main SQL statement run alone on the same connection.

    bin/with-test-env .venv/bin/python bench/analytics.py [--rebuild] [--runs N] [--subscribers N]
        [--campaigns N] [--recipients N] [--events N]
"""

import sys

# This file's name shadows the project's `analytics` app: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import os
from collections import Counter
from datetime import timedelta

from analytics_data import ACCOUNT
from common import measure, setup_django


def drop_database(database: str) -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')


DATABASE = "emailapi_analytics_bench"


def ready(args) -> bool:
    """Whether the database holds the data set of these arguments (counted from its rows)."""
    from accounts.models import Account
    from campaigns.models import Campaign, Event, Message
    from subscribers.models import Subscriber

    account = Account.objects.filter(name=ACCOUNT).first()
    return bool(account) and (
        Subscriber.objects.filter(account=account).count() == args.subscribers
        and Campaign.objects.filter(account=account).count() == args.campaigns
        and Message.objects.filter(account_id=account.pk).count() == args.campaigns * args.recipients
        and Event.objects.filter(account_id=account.pk).count() == args.events
    )


def expected_emails(account_id: int, start, end, group_by: str) -> dict:
    """What /analytics/emails must say, from a recount of the rows of the window."""
    from analytics.recount import recount
    from analytics.representations import metrics
    from analytics.selectors import period_start
    from api.formats import iso

    totals, periods = Counter(), {}
    for (day, _, metric), n in recount(account_id=account_id, start=start, end=end).items():
        totals[metric] += n
        periods.setdefault(iso(period_start(day, group_by)), Counter())[metric] += n
    return {"totals": metrics(totals), "periods": {period: metrics(counts) for period, counts in periods.items()}}


def exact_emails(body: dict, expected: dict) -> bool:
    zero = dict.fromkeys(body["totals"], 0)
    zero.update({name: 0.0 for name in body["totals"] if name.endswith("Rate")})
    return body["totals"] == expected["totals"] and all(
        {name: value for name, value in period.items() if name not in ("period", "start", "end")}
        == expected["periods"].get(period["period"], zero)
        for period in body["periods"]
    )


def expected_campaign(account_id: int, campaign_id: int) -> dict:
    """/analytics/campaigns/{id}'s metrics, top links and hourly timeline, from the rows."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncHour

    from analytics.recount import recount
    from analytics.representations import metrics
    from analytics.selectors import TIMELINE_BUCKETS, TOP_LINKS
    from api.formats import iso
    from campaigns.models import Campaign, Event

    totals = Counter()
    for (_, _, metric), n in recount(account_id=account_id, campaign_id=campaign_id).items():
        totals[metric] += n
    clicks = Event.objects.filter(campaign_id=campaign_id, type="click")
    links = (
        clicks.values("url")
        .annotate(clicks=Count("id"), uniqueClicks=Count("message_id", distinct=True))
        .order_by("-clicks", "-uniqueClicks", "url")[:TOP_LINKS]
    )
    origin = Campaign.objects.get(pk=campaign_id).started_at.replace(minute=0, second=0, microsecond=0)
    hours = (
        Event.objects.filter(
            campaign_id=campaign_id,
            type__in=("open", "click"),
            at__gte=origin,
            at__lt=origin + timedelta(hours=TIMELINE_BUCKETS["hour"]),
        )
        .annotate(hour=TruncHour("at"))
        .values("hour")
        .annotate(opens=Count("id", filter=Q(type="open")), clicks=Count("id", filter=Q(type="click")))
        .order_by("hour")
    )
    return {
        "metrics": metrics(totals),
        "topLinks": [dict(row) for row in links],
        "points": [{"at": iso(row["hour"]), "opens": row["opens"], "clicks": row["clicks"]} for row in hours],
    }


def exact_campaign(body: dict, expected: dict) -> bool:
    metrics_only = {name: body["metrics"][name] for name in expected["metrics"]}
    return (
        metrics_only == expected["metrics"]
        and body["topLinks"] == expected["topLinks"]
        and body["timeline"]["points"] == expected["points"]
    )


def timed_sql(sql: str, params: list, runs: int) -> dict:
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return measure(run, runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database and build it again")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--recipients", type=int, default=50_000, help="messages per campaign")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--database", default=DATABASE, help=f"PostgreSQL database of the data set ({DATABASE})")
    args = parser.parse_args()
    if args.rebuild:
        drop_database(args.database)
    setup_django(args.database)
    if not ready(args):
        if not args.rebuild:
            print("the bench database does not hold this data set: building it (use --rebuild next time to force)")
        from django.db import connections

        connections.close_all()
        drop_database(args.database)
        setup_django(args.database)  # created and migrated again, empty
        from analytics_data import build

        build(subscribers=args.subscribers, campaigns=args.campaigns, recipients=args.recipients, events=args.events)
    report(args)


def report(args):
    import types

    from django.db import connection
    from django.http import JsonResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    from accounts.models import Account
    from accounts.services import api_key_issue
    from analytics.models import DailyStat
    from campaigns.models import Campaign
    from subscribers.models import Subscriber

    account = Account.objects.get(name=ACCOUNT)
    _, key = api_key_issue(account=account, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    urls = types.ModuleType("bench_urls")
    urls.urlpatterns = [
        path("bench/minimal", lambda request: JsonResponse({"ok": True})),
        path("", include("config.urls")),
    ]
    end = DailyStat.objects.filter(account=account).latest("day").day
    start = end - timedelta(days=29)
    campaigns = list(Campaign.objects.filter(account=account).order_by("started_at").values_list("pk", flat=True))
    sample = campaigns[len(campaigns) // 2]
    contact = Subscriber.objects.filter(account=account).order_by("pk")[args.subscribers // 3]
    window = [account.pk, start, end]
    daily_sql = (
        "SELECT day, metric, sum(count) FROM analytics_dailystat WHERE account_id = %s "
        "AND day BETWEEN %s AND %s GROUP BY day, metric"
    )
    stats_sql = "SELECT metric, count FROM campaigns_campaignstat WHERE campaign_id = %s"
    contact_sql = "SELECT count(*) FROM campaigns_message WHERE subscriber_id = %s"
    checks, rows = [], []
    with override_settings(ROOT_URLCONF=urls, API_RATE_LIMIT_PER_MINUTE=10**9):
        floor = measure(lambda: client.get("/bench/minimal"), args.runs)
        targets = [
            (
                f"emails 30 days by {group}",
                f"/api/v1/analytics/emails?from={start}&to={end}&group_by={group}",
                daily_sql,
                window,
            )
            for group in ("day", "week", "month")
        ]
        targets += [
            (
                f"campaign {sample} timeline {unit}",
                f"/api/v1/analytics/campaigns/{sample}?timeline={unit}",
                stats_sql,
                [sample],
            )
            for unit in ("hour", "day")
        ]
        targets.append(
            (
                f"contact {contact.email_md5[:8]}…",
                f"/api/v1/analytics/contacts/{contact.email_md5}",
                contact_sql,
                [contact.pk],
            )
        )
        for name, url, sql, params in targets:
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:300])
            statements = []
            with connection.execute_wrapper(
                lambda execute, sql_, *rest, seen=statements: (seen.append(sql_), execute(sql_, *rest))[1]
            ):
                client.get(url)
            rows.append(
                (
                    name,
                    measure(lambda url=url: client.get(url), args.runs),
                    len(statements),
                    timed_sql(sql, params, args.runs),
                )
            )
        for group in ("day", "week", "month"):
            body = client.get(f"/api/v1/analytics/emails?from={start}&to={end}&group_by={group}").json()
            checks.append(
                (
                    f"emails {start}…{end} by {group} (totals and every period)",
                    exact_emails(body, expected_emails(account.pk, start, end, group)),
                )
            )
        for campaign_id in (sample, campaigns[-1]):
            body = client.get(f"/api/v1/analytics/campaigns/{campaign_id}").json()
            checks.append(
                (
                    f"campaign {campaign_id} (metrics, top links, hourly timeline)",
                    exact_campaign(body, expected_campaign(account.pk, campaign_id)),
                )
            )

    print(f"\nload average (1, 5, 15 min) after the runs: {', '.join(f'{n:.2f}' for n in os.getloadavg())}")
    print(
        f"{args.subscribers:,} subscribers, {args.campaigns} campaigns × {args.recipients:,} recipients, "
        f"{args.events:,} events; {args.runs} requests per row, in-process Django test client"
    )
    print(f"{'endpoint':32} {'median ms':>10} {'p99 ms':>8} {'queries':>8}   {'floor SQL median':>16} {'p99':>7}")
    print(f"{'floor: minimal Django view':32} {floor['median']:10.2f} {floor['p99']:8.2f}")
    for name, timing, queries, sql in rows:
        print(
            f"{name:32} {timing['median']:10.2f} {timing['p99']:8.2f} {queries:8}   "
            f"{sql['median']:16.2f} {sql['p99']:7.2f}"
        )
    print()
    for name, exact in checks:
        print(f"exact: {'yes' if exact else 'no'}  {name}")
    print(f"exact: {'yes' if all(exact for _, exact in checks) else 'no'}")


if __name__ == "__main__":
    main()
