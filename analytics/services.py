"""The analytics counters' one write path: an account's daily counters, a campaign's opens and clicks per hour
(its timeline) and per link (its top links). Called next to each ``stats_add`` of campaigns/, same transaction.

Lock order: these rows are counters, taken after the message rows and before subscriber rows, like the
campaign's counters: daily rows (within one call in sorted (day, metric) order), then hourly rows (sorted by
metric), then link rows (clicks, then uniqueClicks), so two writers cannot deadlock.
"""

from collections import Counter
from datetime import UTC, date, datetime

from analytics.models import DailyStat, HourlyStat, LinkStat
from api.counters import bump

TABLE, KEY = DailyStat._meta.db_table, ("account_id", "day", "campaign_id", "metric")
HOURLY_TABLE, HOURLY_KEY = HourlyStat._meta.db_table, ("campaign_id", "hour", "metric")
LINK_TABLE, LINK_KEY = LinkStat._meta.db_table, ("campaign_id", "position", "metric")
TIMELINE_METRICS = ("clicks", "opens")
# What the daily rows count; other campaign counters (retries, skipped, unknown, …) are left out.
METRICS = (
    "sent",
    "hardBounces",
    "softBounces",
    "opens",
    "uniqueOpens",
    "clicks",
    "uniqueClicks",
    "unsubscribes",
    "complaints",
)


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def utc_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def daily_add(account_id: int, campaign_id: int | None, day: date, deltas: Counter) -> None:
    """Add ``deltas`` to the account's counters; a key is a metric (counted on ``day``) or ``(day, metric)``."""
    keyed: Counter = Counter()
    for key, delta in deltas.items():
        on, metric = key if isinstance(key, tuple) else (day, key)
        if metric in METRICS:
            keyed[(on, metric)] += delta
    for on, metric in sorted(keyed):
        bump(TABLE, KEY, (account_id, on, campaign_id or 0, metric), keyed[(on, metric)])


def hourly_add(campaign_id: int, at: datetime, deltas: Counter) -> None:
    """A campaign's opens and clicks (of ``deltas``) on the UTC hour of ``at``: its timeline."""
    for metric in TIMELINE_METRICS:
        bump(HOURLY_TABLE, HOURLY_KEY, (campaign_id, utc_hour(at), metric), deltas.get(metric, 0))


def link_add(campaign_id: int, position: int, *, unique: bool) -> None:
    """One click on the campaign's link at ``position``; ``unique``: the message's first click on its URL."""
    bump(LINK_TABLE, LINK_KEY, (campaign_id, position, "clicks"), 1)
    bump(LINK_TABLE, LINK_KEY, (campaign_id, position, "uniqueClicks"), int(unique))
