"""Recount the daily counters from the Message and Event rows: the check that the counters are exact.

The rules are the write path's: ``sent`` on the day a message was sent (messages still ``sent``: a later
bounce takes it back), bounces, opens, clicks, unsubscribes and complaints on their event's day,
``uniqueOpens``/``uniqueClicks`` on the day of the message's first open/click. A campaign's timeline: its open
and click events per UTC hour; its links: click events per URL, unique clicks the messages among them.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate, TruncHour

from analytics.models import DailyStat, HourlyStat, LinkStat
from analytics.services import METRICS
from campaigns.models import CampaignLink, Event, EventType, Message, MessageStatus

EVENT_METRICS = {
    EventType.HARD_BOUNCE: "hardBounces",
    EventType.SOFT_BOUNCE: "softBounces",
    EventType.OPEN: "opens",
    EventType.CLICK: "clicks",
    EventType.UNSUBSCRIBE: "unsubscribes",
    EventType.COMPLAINT: "complaints",
}


def _window(field: str, start: date | None, end: date | None) -> dict:
    """A filter on ``field`` for the UTC days ``start``…``end`` (either open), as a range the indexes can use."""
    bounds = {}
    if start is not None:
        bounds[f"{field}__gte"] = datetime.combine(start, time.min, UTC)
    if end is not None:
        bounds[f"{field}__lt"] = datetime.combine(end + timedelta(days=1), time.min, UTC)
    return bounds


def recount(
    *, account_id: int, campaign_id: int | None = None, start: date | None = None, end: date | None = None
) -> Counter:
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
        ("clicked_at", "uniqueClicks", messages),
    ):
        for day, campaign, n in (
            rows.filter(**{f"{field}__isnull": False}, **_window(field, start, end))
            .annotate(day=TruncDate(field))
            .values("day", "campaign_id")
            .annotate(n=Count("id"))
            .values_list("day", "campaign_id", "n")
        ):
            counts[(day, campaign or 0, metric)] += n
    for day, campaign, type, n in (
        events.annotate(day=TruncDate("at"))
        .values("day", "campaign_id", "type")
        .annotate(n=Count("id"))
        .values_list("day", "campaign_id", "type", "n")
    ):
        counts[(day, campaign or 0, EVENT_METRICS[type])] += n
    return +counts


def stored(*, account_id: int) -> Counter:
    rows = DailyStat.objects.filter(account_id=account_id, metric__in=METRICS)
    return +Counter(
        {
            (day, campaign_id, metric): count
            for day, campaign_id, metric, count in rows.values_list("day", "campaign_id", "metric", "count")
        }
    )


@transaction.atomic
def rebuild(*, account_id: int) -> Counter:
    """Replace the account's daily counters by a recount; the differences found ({key: stored − recounted}).

    Run it when nothing writes to the account (its rows are replaced, not locked against writers)."""
    fresh, old = recount(account_id=account_id), stored(account_id=account_id)
    diff = Counter(old)
    diff.subtract(fresh)
    DailyStat.objects.filter(account_id=account_id).delete()
    DailyStat.objects.bulk_create(
        [
            DailyStat(account_id=account_id, day=day, campaign_id=campaign_id, metric=metric, count=count)
            for (day, campaign_id, metric), count in fresh.items()
        ]
    )
    return Counter({key: n for key, n in diff.items() if n})


def recount_timeline(*, campaign_id: int) -> Counter:
    """``{(hour, metric): count}``: the campaign's opens and clicks per UTC hour, from its events."""
    rows = (
        Event.objects.filter(campaign_id=campaign_id, type__in=(EventType.OPEN, EventType.CLICK))
        .annotate(hour=TruncHour("at"))
        .values("hour", "type")
        .annotate(n=Count("id"))
        .values_list("hour", "type", "n")
    )
    return +Counter({(hour, EVENT_METRICS[type]): n for hour, type, n in rows})


def stored_timeline(*, campaign_id: int) -> Counter:
    return +Counter(
        {
            (hour, metric): count
            for hour, metric, count in HourlyStat.objects.filter(campaign_id=campaign_id).values_list(
                "hour", "metric", "count"
            )
        }
    )


def recount_links(*, campaign_id: int) -> Counter:
    """``{(url, metric): count}``: clicks and unique clicks (messages that clicked) per URL, from the events."""
    counts: Counter = Counter()
    for url, clicks, messages in (
        Event.objects.filter(campaign_id=campaign_id, type=EventType.CLICK)
        .values("url")
        .annotate(clicks=Count("id"), messages=Count("message_id", distinct=True))
        .values_list("url", "clicks", "messages")
    ):
        counts[(url, "clicks")], counts[(url, "uniqueClicks")] = clicks, messages
    return +counts


def stored_links(*, campaign_id: int) -> Counter:
    urls = dict(CampaignLink.objects.filter(campaign_id=campaign_id).values_list("position", "url"))
    counts: Counter = Counter()
    for position, metric, count in LinkStat.objects.filter(campaign_id=campaign_id).values_list(
        "position", "metric", "count"
    ):
        counts[(urls.get(position), metric)] += count
    return +counts


def _difference(stored_counts: Counter, fresh: Counter) -> Counter:
    diff = Counter(stored_counts)
    diff.subtract(fresh)
    return Counter({key: n for key, n in diff.items() if n})


def campaign_drift(*, campaign_id: int) -> dict[str, Counter]:
    """The campaign's timeline and link counters minus their recount: ``{"timeline": …, "links": …}``."""
    timeline = _difference(stored_timeline(campaign_id=campaign_id), recount_timeline(campaign_id=campaign_id))
    links = _difference(stored_links(campaign_id=campaign_id), recount_links(campaign_id=campaign_id))
    return {"timeline": timeline, "links": links}


@transaction.atomic
def campaign_rebuild(*, campaign_id: int) -> dict[str, Counter]:
    """Replace the campaign's timeline and link counters by a recount (a URL's counts go to its first position);
    the differences found, as ``campaign_drift``. Run it when nothing writes to the campaign."""
    drift = campaign_drift(campaign_id=campaign_id)
    HourlyStat.objects.filter(campaign_id=campaign_id).delete()
    HourlyStat.objects.bulk_create(
        [
            HourlyStat(campaign_id=campaign_id, hour=hour, metric=metric, count=count)
            for (hour, metric), count in recount_timeline(campaign_id=campaign_id).items()
        ]
    )
    # Read from the last position down, so a URL that appears twice keeps its first position.
    first_position = {
        url: position
        for position, url in CampaignLink.objects.filter(campaign_id=campaign_id)
        .order_by("-position")
        .values_list("position", "url")
    }
    LinkStat.objects.filter(campaign_id=campaign_id).delete()
    LinkStat.objects.bulk_create(
        [
            LinkStat(campaign_id=campaign_id, position=first_position[url], metric=metric, count=count)
            for (url, metric), count in recount_links(campaign_id=campaign_id).items()
            if url in first_position
        ]
    )
    return drift
