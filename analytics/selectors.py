"""Reads of the analytics resources: sums of the daily counters, a campaign's counters (totals, per hour, per
link), a contact's messages. They return figures; ``analytics.representations`` makes them JSON."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from analytics.models import DailyStat, HourlyStat, LinkStat
from analytics.services import utc_day
from api.problems import NOT_FOUND, ApiProblem
from campaigns.models import Campaign, CampaignLink, Event, EventType, Message, MessageStatus
from campaigns.selectors import AbTestState, campaign_ab_test, campaign_get, campaign_stats
from subscribers.selectors import subscriber_find, subscriber_growth

GROUPS = ("day", "week", "month")
MAX_RANGE_DAYS = 3 * 366  # the widest range of days /api/v1/analytics/emails sums
TOP_LINKS = 10
TIMELINE_BUCKETS = {"hour": 168, "day": 90}  # the first week by hour, or the first 90 days by day
ENGAGEMENT_DAYS = 90


@dataclass(frozen=True)
class Period:
    start: date  # the period's first day (a Monday for weeks)
    first: date  # its first and last day within the range asked
    last: date
    counts: Counter


@dataclass(frozen=True)
class Timeline:
    unit: str
    origin: datetime | None  # None: the campaign has neither started nor been opened or clicked
    until: datetime | None
    points: list[tuple[datetime, int, int]]  # (bucket, opens, clicks), buckets without events left out


@dataclass(frozen=True)
class CampaignFigures:
    campaign: object
    stats: dict
    top_links: list[tuple[str, int, int]]  # (url, clicks, unique clicks), the most clicked first
    timeline: Timeline
    ab_test: AbTestState | None = None  # an A/B campaign's test, its counters per variant


@dataclass(frozen=True)
class CampaignInRange:
    campaign_id: int  # 0: the messages of no campaign (single emails)
    campaign: object | None  # None: single emails, or a campaign deleted since (its counts stay the account's)
    counts: Counter  # counted within the range


@dataclass(frozen=True)
class ContactFigures:
    email_md5: str
    received: int  # messages delivered, ever
    opens: int
    clicks: int
    last_open_at: datetime | None
    last_click_at: datetime | None
    recent: int  # messages delivered in the last ENGAGEMENT_DAYS, and how many of them were opened, clicked
    opened: int
    clicked: int


def period_start(day: date, group_by: str) -> date:
    if group_by == "week":  # ISO weeks start on Monday
        return day - timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, group_by: str) -> date:
    if group_by == "week":
        return start + timedelta(days=7)
    if group_by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def email_figures(*, account, start: date, end: date, group_by: str) -> tuple[Counter, list[Period]]:
    """Totals and one entry per period (every period of the range, clipped to it), from the daily counters."""
    per_day = (
        DailyStat.objects.filter(account=account, day__gte=start, day__lte=end)
        .values("day", "metric")
        .annotate(n=Sum("count"))
        .values_list("day", "metric", "n")
    )
    buckets: dict[date, Counter] = {}
    totals: Counter = Counter()
    for day, metric, n in per_day:
        buckets.setdefault(period_start(day, group_by), Counter())[metric] += n
        totals[metric] += n
    periods, cursor = [], period_start(start, group_by)
    while cursor <= end:
        following = _next_period(cursor, group_by)
        periods.append(
            Period(cursor, max(cursor, start), min(following - timedelta(days=1), end), buckets.get(cursor, Counter()))
        )
        cursor = following
    return totals, periods


def campaign_figures(*, account, campaign_id: int, timeline: str) -> CampaignFigures:
    campaign = campaign_get(account=account, campaign_id=campaign_id)
    return CampaignFigures(
        campaign,
        campaign_stats([campaign.pk])[campaign.pk],
        _top_links(campaign),
        _timeline(campaign, timeline),
        campaign_ab_test(campaign),
    )


def _ranked(by_url: dict[str, Counter]) -> list[tuple[str, int, int]]:
    ranked = sorted(by_url.items(), key=lambda item: (-item[1]["clicks"], -item[1]["uniqueClicks"], item[0]))
    return [(url, counts["clicks"], counts["uniqueClicks"]) for url, counts in ranked]


def _top_links(campaign) -> list[tuple[str, int, int]]:
    return [link for link in campaign_links(campaign.pk)[:TOP_LINKS] if link[1]]


def campaign_links(campaign_id: int) -> list[tuple[str, int, int]]:
    """Every URL of the campaign's HTML with its clicks and unique clicks (0 when never clicked), the most clicked
    first: its link counters summed by URL (a URL may sit at several positions), in one query."""
    stat = LinkStat.objects.filter(campaign_id=OuterRef("campaign_id"), position=OuterRef("position"))
    rows = (
        CampaignLink.objects.filter(campaign_id=campaign_id)
        .annotate(
            clicked=Subquery(stat.filter(metric="clicks").values("count")[:1]),
            unique=Subquery(stat.filter(metric="uniqueClicks").values("count")[:1]),
        )
        .values_list("url", "clicked", "unique")
    )
    by_url: dict[str, Counter] = {}
    for url, clicks, unique in rows:
        by_url.setdefault(url, Counter()).update(clicks=clicks or 0, uniqueClicks=unique or 0)
    return _ranked(by_url)


def links_of_campaigns(campaign_ids: list[int], *, limit: int = TOP_LINKS) -> list[tuple[str, int, int]]:
    """The URLs clicked most in these campaigns, all their clicks (link counters have no day), in one query;
    unique clicks summed over the campaigns (one per message that clicked the URL)."""
    url = CampaignLink.objects.filter(campaign_id=OuterRef("campaign_id"), position=OuterRef("position"))
    rows = (
        LinkStat.objects.filter(campaign_id__in=campaign_ids)
        .annotate(url=Subquery(url.values("url")[:1]))
        .values("url", "metric")
        .annotate(n=Sum("count"))
        .values_list("url", "metric", "n")
    )
    by_url: dict[str, Counter] = {}
    for link_url, metric, n in rows:
        by_url.setdefault(link_url, Counter())[metric] += n
    return [link for link in _ranked(by_url)[:limit] if link[1]]


def _timeline(campaign, unit: str) -> Timeline:
    """Opens and clicks per hour (or day) from the campaign's start (or its first event), at most a bounded span,
    from the campaign's hourly counters."""
    hours = HourlyStat.objects.filter(campaign_id=campaign.pk)
    first = campaign.started_at or hours.order_by("hour").values_list("hour", flat=True).first()
    if first is None:
        return Timeline(unit, None, None, [])
    trunc = TruncHour if unit == "hour" else TruncDay
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    origin = (
        first.replace(minute=0, second=0, microsecond=0)
        if unit == "hour"
        else first.replace(hour=0, minute=0, second=0, microsecond=0)
    )
    until = origin + step * TIMELINE_BUCKETS[unit]
    rows = (
        hours.filter(hour__gte=origin, hour__lt=until)
        .annotate(bucket=trunc("hour"))
        .values("bucket")
        .annotate(
            opens=Sum("count", filter=Q(metric="opens"), default=0),
            clicks=Sum("count", filter=Q(metric="clicks"), default=0),
        )
        .order_by("bucket")
    )
    return Timeline(unit, origin, until, [(row["bucket"], row["opens"], row["clicks"]) for row in rows])


def contact_figures(*, account, email_md5: str) -> ContactFigures:
    """A contact's messages, opens and clicks, and the engagement window's counts."""
    subscriber = subscriber_find(account=account, email_md5=email_md5)
    if subscriber is None:
        raise ApiProblem(NOT_FOUND, f"The account has no contact {email_md5}.")
    messages = Message.objects.filter(account_id=account.pk, subscriber_id=subscriber.pk)
    since = timezone.now() - timedelta(days=ENGAGEMENT_DAYS)
    delivered = Q(status=MessageStatus.SENT)
    counts = messages.aggregate(
        received=Count("id", filter=delivered),
        recent=Count("id", filter=delivered & Q(sent_at__gte=since)),
        opened=Count("id", filter=delivered & Q(sent_at__gte=since, opened_at__isnull=False)),
        clicked=Count("id", filter=delivered & Q(sent_at__gte=since, clicked_at__isnull=False)),
    )
    events = Event.objects.filter(account_id=account.pk, message__subscriber_id=subscriber.pk).aggregate(
        opens=Count("id", filter=Q(type=EventType.OPEN)),
        clicks=Count("id", filter=Q(type=EventType.CLICK)),
        last_open_at=Max("at", filter=Q(type=EventType.OPEN)),
        last_click_at=Max("at", filter=Q(type=EventType.CLICK)),
    )
    return ContactFigures(email_md5=subscriber.email_md5, **counts, **events)


def default_range(today: date | None = None) -> tuple[date, date]:
    today = today or utc_day(timezone.now())
    return today - timedelta(days=29), today


def campaigns_in_range(*, account, start: date, end: date) -> list[CampaignInRange]:
    """Every campaign with something counted in ``start``…``end`` (and the single emails), its counts within the
    range, the most sent first: summed, they are ``email_figures``' totals. Two queries, however many campaigns."""
    counts: dict[int, Counter] = {}
    for campaign_id, metric, n in (
        DailyStat.objects.filter(account=account, day__gte=start, day__lte=end)
        .values("campaign_id", "metric")
        .annotate(n=Sum("count"))
        .values_list("campaign_id", "metric", "n")
    ):
        counts.setdefault(campaign_id, Counter())[metric] += n
    named = Campaign.objects.filter(account=account, pk__in=[pk for pk in counts if pk])
    campaigns = named.only("id", "account_id", "name", "status").in_bulk()  # not their content
    found = [CampaignInRange(pk, campaigns.get(pk), counted) for pk, counted in counts.items()]
    return sorted(found, key=lambda row: (row.campaign_id == 0, -row.counts["sent"], -row.campaign_id))


def campaign_days(campaign) -> list[tuple[date, Counter]]:
    """The campaign's figures per UTC day, every day from its first counted day to its last, from the account's
    daily counters (one query): summed, they are the campaign's own counters."""
    per_day: dict[date, Counter] = {}
    for day, metric, n in DailyStat.objects.filter(
        account_id=campaign.account_id, campaign_id=campaign.pk, day__gte=utc_day(campaign.created_at)
    ).values_list("day", "metric", "count"):
        per_day.setdefault(day, Counter())[metric] += n
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    return [
        (first + timedelta(days=n), per_day.get(first + timedelta(days=n), Counter()))
        for n in range((last - first).days + 1)
    ]


def audience_growth(*, account, periods: list[Period], group_by: str) -> list[Counter]:
    """Per period: subscribers ``added`` and ``unsubscribed`` (``subscribers.selectors.subscriber_growth``)."""
    if not periods:
        return []
    growth = subscriber_growth(account=account, start=periods[0].first, end=periods[-1].last)
    per_period = {period.start: Counter() for period in periods}
    for name, per_day in growth.items():
        for day, n in per_day.items():
            per_period[period_start(day, group_by)][name] += n
    return [per_period[period.start] for period in periods]
