"""The analytics benchmark's data set, written with COPY: one account, its subscribers, campaigns, their
messages and events, and the counters (daily and per campaign) counted while the rows are generated.

Shape (defaults): 1,000,000 subscribers; 100 campaigns started over the last 60 days, each sent within an hour
to 50,000 subscribers (a window of the subscribers that moves by 50,000 per campaign: every subscriber gets 5
messages); 5,000,000 messages and exactly 10,000,000 events. Per message: 1.5 % hard and 1 % soft bounces at
send time (one event each); of the delivered, half open (1 + ⌊Exp⌋ opens, hours after sending), 30 % of those
click (links of the campaign, the first ones likelier), 0.4 % unsubscribe, 0.05 % complain. The number of opens
per opener is steered so the events add up to the requested total. Subscribers' statuses are left active.
"""

import math
import random
import time
from collections import Counter
from datetime import timedelta

from common import copy_subscribers

ACCOUNT = "bench-analytics@example.com"
LINKS = [
    f"https://shop.example.com/{name}" for name in ("sale", "new", "men", "women", "kids", "shoes", "blog", "about")
]
POSITIONS = range(len(LINKS))  # a campaign's links are numbered from 0, each URL once
LINK_WEIGHTS = [1 / (rank + 1) for rank in POSITIONS]
SPAN_DAYS = 60
OPEN_RATE, CLICK_RATE, UNSUBSCRIBE_RATE, COMPLAINT_RATE = 0.5, 0.3, 0.004, 0.0005
HARD_RATE, SOFT_RATE = 0.015, 0.01


class Tally:
    """The counters the write path would have kept: daily per (day, campaign, metric), per campaign, a campaign's
    opens and clicks per hour, its clicks per link position."""

    def __init__(self):
        self.daily: Counter = Counter()
        self.campaign: Counter = Counter()
        self.hourly: Counter = Counter()
        self.links: Counter = Counter()

    def add(self, at, campaign_id: int, metric: str) -> None:
        self.daily[(at.date(), campaign_id, metric)] += 1
        self.campaign[(campaign_id, metric)] += 1
        if metric in ("opens", "clicks"):
            self.hourly[(campaign_id, at.replace(minute=0, second=0, microsecond=0), metric)] += 1


class Events:
    """Writes event rows to a COPY, numbering them and counting them, up to a fixed total."""

    def __init__(self, copy, account_id: int, total: int, tally: Tally):
        self.copy, self.account_id, self.total, self.tally = copy, account_id, total, tally
        self.written = 0

    def room(self) -> int:
        return self.total - self.written

    def write(self, message_id, campaign_id, type, metric, at, url=None, detail=""):
        self.written += 1
        self.copy.write_row((self.written, self.account_id, message_id, campaign_id, type, url, detail, at))
        self.tally.add(at, campaign_id, metric)


def _after(at, mean_seconds: float, rng, now):
    return min(now, at + timedelta(seconds=rng.expovariate(1 / mean_seconds)))


def _engagement(rng, events: Events, message_id, campaign_id, sent_at, now, extra_opens_mean):
    """Opens, clicks, unsubscribe, complaint of one delivered message; (opened_at, clicked_at)."""
    opened_at = clicked_at = None
    if rng.random() < OPEN_RATE and events.room():
        opens = 1 + int(rng.expovariate(1 / extra_opens_mean))
        times = sorted(_after(sent_at, 6 * 3600, rng, now) for _ in range(min(opens, events.room())))
        opened_at = times[0]
        for at in times:
            events.write(message_id, campaign_id, "open", "opens", at)
        events.tally.add(opened_at, campaign_id, "uniqueOpens")
        if rng.random() < CLICK_RATE and events.room():
            clicks = 1 + int(rng.expovariate(1 / 1.5))
            times = sorted(_after(opened_at, 600, rng, now) for _ in range(min(clicks, events.room())))
            clicked_at, clicked = times[0], set()
            for at in times:
                position = rng.choices(POSITIONS, LINK_WEIGHTS)[0]
                events.write(message_id, campaign_id, "click", "clicks", at, url=LINKS[position])
                events.tally.links[(campaign_id, position, "clicks")] += 1
                events.tally.links[(campaign_id, position, "uniqueClicks")] += position not in clicked
                clicked.add(position)
            events.tally.add(clicked_at, campaign_id, "uniqueClicks")
    if rng.random() < UNSUBSCRIBE_RATE and events.room():
        events.write(message_id, campaign_id, "unsubscribe", "unsubscribes", _after(sent_at, 86400, rng, now))
    if rng.random() < COMPLAINT_RATE and events.room():
        events.write(message_id, campaign_id, "complaint", "complaints", _after(sent_at, 86400, rng, now))
    return opened_at, clicked_at


def _opens_mean(events: Events, done: int, messages: int) -> float:
    """Extra opens per opener (mean of the exponential) that keeps the events on pace for their total."""
    left = messages - done
    if left <= 0:
        return 0.0
    per_message = events.room() / left  # events still to write per remaining message
    # per delivered message: opens = OPEN_RATE × (1 + E⌊Exp(m)⌋), clicks ≈ OPEN_RATE × CLICK_RATE × 2.05, …
    fixed = (
        (1 - HARD_RATE - SOFT_RATE) * (OPEN_RATE * (1 + CLICK_RATE * 2.05) + UNSUBSCRIBE_RATE + COMPLAINT_RATE)
        + HARD_RATE
        + SOFT_RATE
    )
    floor_mean = max(0.05, (per_message - fixed) / ((1 - HARD_RATE - SOFT_RATE) * OPEN_RATE))
    return 1 / math.log(1 + 1 / floor_mean)  # E⌊Exp(m)⌋ = 1 / (e^(1/m) − 1)


def generate(
    *,
    conninfo: str,
    account_id: int,
    campaigns: list,
    subscribers: int,
    recipients: int,
    total_events: int,
    now,
    seed: int = 6,
) -> Tally:
    """Messages and events of ``campaigns`` (ordered by start) over two COPY connections at once."""
    import psycopg

    rng, tally = random.Random(seed), Tally()
    messages_total = len(campaigns) * recipients
    message_id, opener_sample = 0, []
    with psycopg.connect(conninfo) as messages_conn, psycopg.connect(conninfo) as events_conn:
        with (
            messages_conn.cursor().copy(
                "COPY campaigns_message (id, account_id, campaign_id, subscriber_id, to_email, status, attempts, "
                "sent_at, smtp_code, smtp_response, opened_at, clicked_at, created_at) FROM STDIN"
            ) as messages,
            events_conn.cursor().copy(
                "COPY campaigns_event (id, account_id, message_id, campaign_id, type, url, detail, at) FROM STDIN"
            ) as copy,
        ):
            events = Events(copy, account_id, total_events, tally)
            for number, campaign in enumerate(campaigns):
                offset, step = number * recipients, 3600 / recipients
                for j in range(recipients):
                    if message_id % 1000 == 0:
                        mean = _opens_mean(events, message_id, messages_total)
                    message_id += 1
                    subscriber = (offset + j) % subscribers
                    at = campaign.started_at + timedelta(seconds=j * step)
                    roll = rng.random()
                    if roll < HARD_RATE + SOFT_RATE and events.room():
                        status, metric = (
                            ("hard-bounce", "hardBounces") if roll < HARD_RATE else ("soft-bounce", "softBounces")
                        )
                        code = 550 if status == "hard-bounce" else 452
                        events.write(message_id, campaign.pk, status, metric, at, detail=f"{code} bounced")
                        sent_at, response, opened_at, clicked_at = None, "bounced", None, None
                    else:
                        status, sent_at, code, response = "sent", at, 250, "OK"
                        tally.add(at, campaign.pk, "sent")
                        opened_at, clicked_at = _engagement(rng, events, message_id, campaign.pk, at, now, mean)
                        if opened_at and rng.random() < 0.01:
                            opener_sample.append((message_id, campaign.pk, opened_at))
                    messages.write_row(
                        (
                            message_id,
                            account_id,
                            campaign.pk,
                            subscriber + 1,
                            f"subscriber{subscriber}@bench.example",
                            status,
                            1,
                            sent_at,
                            code,
                            response,
                            opened_at,
                            clicked_at,
                            at,
                        )
                    )
            for index in range(events.room()):  # the pace fell short: a few more opens of messages opened already
                sampled, campaign_id, opened_at = opener_sample[index % len(opener_sample)]
                events.write(sampled, campaign_id, "open", "opens", _after(opened_at, 3600, rng, now))
        for conn, table, last in (
            (messages_conn, "campaigns_message", message_id),
            (events_conn, "campaigns_event", events.written),
        ):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [max(last, 1)])
    for campaign in campaigns:
        tally.campaign[(campaign.pk, "recipients")] = recipients
    return tally


def write_subscribers(cursor, account_id: int, subscribers: int) -> None:
    copy_subscribers(
        cursor,
        account_id,
        range(subscribers),
        "subscriber{}@bench.example",
        lambda i: {"firstName": f"Name{i}"},
        ids=True,
    )
    cursor.execute("SELECT setval(pg_get_serial_sequence('subscribers_subscriber', 'id'), %s)", [subscribers])


def write_counters(cursor, account_id: int, tally: Tally) -> None:
    with cursor.copy("COPY analytics_dailystat (account_id, day, campaign_id, metric, count) FROM STDIN") as copy:
        for (day, campaign_id, metric), count in sorted(tally.daily.items()):
            copy.write_row((account_id, day, campaign_id, metric, count))
    with cursor.copy("COPY campaigns_campaignstat (campaign_id, metric, count) FROM STDIN") as copy:
        for (campaign_id, metric), count in sorted(tally.campaign.items()):
            copy.write_row((campaign_id, metric, count))
    with cursor.copy("COPY analytics_hourlystat (campaign_id, hour, metric, count) FROM STDIN") as copy:
        for (campaign_id, hour, metric), count in sorted(tally.hourly.items()):
            copy.write_row((campaign_id, hour, metric, count))
    with cursor.copy("COPY analytics_linkstat (campaign_id, position, metric, count) FROM STDIN") as copy:
        for (campaign_id, position, metric), count in sorted(tally.links.items()):
            if count:
                copy.write_row((campaign_id, position, metric, count))


def build(*, subscribers: int, campaigns: int, recipients: int, events: int) -> None:
    """The whole data set in the (empty) bench database; prints how long each part took."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.services import account_get_or_create
    from campaigns.counters import campaign_counts_recount, message_count_recount
    from campaigns.models import Campaign, CampaignLink
    from subscribers.counters import counters_recount

    assert recipients <= subscribers, "a campaign reaches each subscriber at most once"
    started = time.perf_counter()
    account, _ = account_get_or_create(name=ACCOUNT)
    now = timezone.now().replace(microsecond=0)
    origin = now - timedelta(days=SPAN_DAYS)
    spacing = timedelta(days=SPAN_DAYS - 2) / campaigns  # the last one has two days of opens and clicks
    rows = Campaign.objects.bulk_create(
        [
            Campaign(
                account=account,
                name=f"Bench campaign {i + 1}",
                subject=f"News {i + 1}",
                status="sent",
                from_email="news@bench.example",
                started_at=origin + spacing * i,
                recipients_at=origin + spacing * i,
                finished_at=origin + spacing * i + timedelta(hours=1),
            )
            for i in range(campaigns)
        ]
    )
    CampaignLink.objects.bulk_create(
        [
            CampaignLink(campaign=campaign, position=position, url=url)
            for campaign in rows
            for position, url in enumerate(LINKS)
        ]
    )
    campaign_counts_recount(account=account)
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        write_subscribers(cursor, account.pk, subscribers)
    connection.connection.commit()
    counters_recount(account.pk)
    print(
        f"built {subscribers:,} subscribers and {campaigns} campaigns in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    mark = time.perf_counter()
    database = settings.DATABASES["default"]
    conninfo = (
        f"host={database['HOST']} port={database['PORT'] or 5432} dbname={database['NAME']} "
        f"user={database['USER']}" + (f" password={database['PASSWORD']}" if database["PASSWORD"] else "")
    )
    tally = generate(
        conninfo=conninfo,
        account_id=account.pk,
        campaigns=rows,
        subscribers=subscribers,
        recipients=recipients,
        total_events=events,
        now=now,
    )
    print(
        f"built {campaigns * recipients:,} messages and {events:,} events in {time.perf_counter() - mark:.1f} s",
        flush=True,
    )
    mark = time.perf_counter()
    with connection.connection.cursor() as cursor:
        write_counters(cursor, account.pk, tally)
    connection.connection.commit()
    message_count_recount(account=account)
    with connection.cursor() as cursor:  # Django's connection is in autocommit mode: VACUUM may run
        cursor.execute("VACUUM ANALYZE")
    print(
        f"wrote {len(tally.daily):,} daily counters, vacuumed and analyzed in {time.perf_counter() - mark:.1f} s",
        flush=True,
    )
