"""The daily counters' one write path: called next to each ``stats_add`` of campaigns/, same transaction.

Lock order: these rows are counters, taken after the message rows and before subscriber rows, like the
campaign's counters, and within one call in sorted (day, metric) order, so two writers cannot deadlock.
"""
from collections import Counter
from datetime import date, datetime, timezone as dt_timezone

from api.counters import bump

TABLE = "analytics_dailystat"
KEY = ("account_id", "day", "campaign_id", "metric")
# What the daily rows count; other campaign counters (retries, skipped, unknown, …) are left out.
METRICS = ("sent", "hardBounces", "softBounces", "opens", "uniqueOpens", "clicks", "uniqueClicks", "unsubscribes",
           "complaints")


def utc_day(at: datetime) -> date:
    return at.astimezone(dt_timezone.utc).date()


def daily_add(account_id: int, campaign_id: int | None, day: date, deltas: Counter) -> None:
    """Add ``deltas`` to the account's counters; a key is a metric (counted on ``day``) or ``(day, metric)``."""
    keyed: Counter = Counter()
    for key, delta in deltas.items():
        on, metric = key if isinstance(key, tuple) else (day, key)
        if metric in METRICS:
            keyed[(on, metric)] += delta
    for on, metric in sorted(keyed):
        bump(TABLE, KEY, (account_id, on, campaign_id or 0, metric), keyed[(on, metric)])
