"""Recount the daily counters from the Message and Event rows: the check that the counters are exact.

The rules are the write path's: ``sent`` on the day a message was sent (messages still ``sent``: a later
bounce takes it back), bounces, opens, clicks, unsubscribes and complaints on their event's day,
``uniqueOpens``/``uniqueClicks`` on the day of the message's first open/click.
"""
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone as dt_timezone

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate

from analytics.counters import METRICS
from analytics.models import DailyStat
from campaigns.models import Event, EventType, Message, MessageStatus

EVENT_METRICS = {EventType.HARD_BOUNCE: "hardBounces", EventType.SOFT_BOUNCE: "softBounces", EventType.OPEN: "opens",
                 EventType.CLICK: "clicks", EventType.UNSUBSCRIBE: "unsubscribes", EventType.COMPLAINT: "complaints"}


def _window(field: str, start: date | None, end: date | None) -> dict:
    """A filter on ``field`` for the UTC days ``start``…``end`` (either open), as a range the indexes can use."""
    bounds = {}
    if start is not None:
        bounds[f"{field}__gte"] = datetime.combine(start, time.min, dt_timezone.utc)
    if end is not None:
        bounds[f"{field}__lt"] = datetime.combine(end + timedelta(days=1), time.min, dt_timezone.utc)
    return bounds


def recount(*, account_id: int, campaign_id: int | None = None, start: date | None = None,
            end: date | None = None) -> Counter:
    """``{(day, campaign_id, metric): count}`` from the rows (campaign_id 0: no campaign); zeros left out.

    ``campaign_id`` keeps one campaign's rows, ``start``/``end`` the UTC days of that range (both included)."""
    counts: Counter = Counter()
    messages = Message.objects.filter(account_id=account_id)
    events = Event.objects.filter(account_id=account_id, **_window("at", start, end))
    if campaign_id is not None:
        messages, events = messages.filter(campaign_id=campaign_id), events.filter(campaign_id=campaign_id)
    for field, metric, rows in (
            ("sent_at", "sent", messages.filter(status=MessageStatus.SENT)),
            ("opened_at", "uniqueOpens", messages),
            ("clicked_at", "uniqueClicks", messages)):
        for day, campaign, n in (rows.filter(**{f"{field}__isnull": False}, **_window(field, start, end))
                                 .annotate(day=TruncDate(field)).values("day", "campaign_id")
                                 .annotate(n=Count("id")).values_list("day", "campaign_id", "n")):
            counts[(day, campaign or 0, metric)] += n
    for day, campaign, type, n in (events.annotate(day=TruncDate("at")).values("day", "campaign_id", "type")
                                   .annotate(n=Count("id")).values_list("day", "campaign_id", "type", "n")):
        counts[(day, campaign or 0, EVENT_METRICS[type])] += n
    return +counts


def stored(*, account_id: int) -> Counter:
    rows = DailyStat.objects.filter(account_id=account_id, metric__in=METRICS)
    return +Counter({(day, campaign_id, metric): count
                     for day, campaign_id, metric, count in rows.values_list("day", "campaign_id", "metric", "count")})


@transaction.atomic
def rebuild(*, account_id: int) -> Counter:
    """Replace the account's daily counters by a recount; the differences found ({key: stored − recounted}).

    Run it when nothing writes to the account (its rows are replaced, not locked against writers)."""
    fresh, old = recount(account_id=account_id), stored(account_id=account_id)
    diff = Counter(old)
    diff.subtract(fresh)
    DailyStat.objects.filter(account_id=account_id).delete()
    DailyStat.objects.bulk_create([DailyStat(account_id=account_id, day=day, campaign_id=campaign_id, metric=metric,
                                             count=count) for (day, campaign_id, metric), count in fresh.items()])
    return Counter({key: n for key, n in diff.items() if n})
