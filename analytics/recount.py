"""Recount the daily counters from the Message and Event rows: the check that the counters are exact.

The rules are the write path's: ``sent`` on the day a message was sent (messages still ``sent``: a later
bounce takes it back), bounces, opens, clicks, unsubscribes and complaints on their event's day,
``uniqueOpens``/``uniqueClicks`` on the day of the message's first open/click.
"""
from collections import Counter

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate

from analytics.counters import METRICS
from analytics.models import DailyStat
from campaigns.models import Event, EventType, Message, MessageStatus

EVENT_METRICS = {EventType.HARD_BOUNCE: "hardBounces", EventType.SOFT_BOUNCE: "softBounces", EventType.OPEN: "opens",
                 EventType.CLICK: "clicks", EventType.UNSUBSCRIBE: "unsubscribes", EventType.COMPLAINT: "complaints"}


def recount(*, account_id: int) -> Counter:
    """``{(day, campaign_id, metric): count}`` from the rows (campaign_id 0: no campaign); zeros left out."""
    counts: Counter = Counter()
    messages = Message.objects.filter(account_id=account_id)
    for field, metric, rows in (
            ("sent_at", "sent", messages.filter(status=MessageStatus.SENT)),
            ("opened_at", "uniqueOpens", messages),
            ("clicked_at", "uniqueClicks", messages)):
        for day, campaign_id, n in (rows.filter(**{f"{field}__isnull": False})
                                    .annotate(day=TruncDate(field)).values("day", "campaign_id")
                                    .annotate(n=Count("id")).values_list("day", "campaign_id", "n")):
            counts[(day, campaign_id or 0, metric)] += n
    for day, campaign_id, type, n in (Event.objects.filter(account_id=account_id).annotate(day=TruncDate("at"))
                                      .values("day", "campaign_id", "type").annotate(n=Count("id"))
                                      .values_list("day", "campaign_id", "type", "n")):
        counts[(day, campaign_id or 0, EVENT_METRICS[type])] += n
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
