"""Reads of the analytics resources: sums of the daily counters, a campaign's counters (totals, per hour, per
link), a contact's messages."""
from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from analytics.counters import utc_day
from analytics.models import DailyStat, HourlyStat, LinkStat
from api.problems import NOT_FOUND, ApiProblem
from campaigns.models import CampaignLink, Event, EventType, Message, MessageStatus
from campaigns.selectors import campaign_get, campaign_stats
from subscribers.models import Subscriber

COUNTS = ("sent", "delivered", "softBounces", "hardBounces", "opens", "uniqueOpens", "clicks", "uniqueClicks",
          "unsubscribes", "complaints")
RATES = ("deliveryRate", "openRate", "clickRate", "unsubscribeRate", "bounceRate", "complaintRate")
GROUPS = ("day", "week", "month")
TOP_LINKS = 10
TIMELINE_BUCKETS = {"hour": 168, "day": 90}  # the first week by hour, or the first 90 days by day
ENGAGEMENT_DAYS = 90


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def metrics(stored) -> dict:
    """The public figures from stored counters, where ``sent`` counts only messages still delivered.

    ``sent`` = messages the mail server took or bounced (delivered + soft + hard bounces);
    ``delivered`` = sent − bounces. Rates are ratios from 0 to 1, 0 when their denominator is 0:
    delivery and bounce over sent; open (unique), click (unique), unsubscribe and complaint over delivered.
    """
    bounces = stored.get("softBounces", 0) + stored.get("hardBounces", 0)
    delivered = stored.get("sent", 0)
    out = {name: stored.get(name, 0) for name in COUNTS}
    out.update(sent=delivered + bounces, delivered=delivered)
    out.update(deliveryRate=_rate(delivered, delivered + bounces), openRate=_rate(out["uniqueOpens"], delivered),
               clickRate=_rate(out["uniqueClicks"], delivered), unsubscribeRate=_rate(out["unsubscribes"], delivered),
               bounceRate=_rate(bounces, delivered + bounces), complaintRate=_rate(out["complaints"], delivered))
    return out


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


def email_metrics(*, account, start: date, end: date, group_by: str) -> dict:
    """Totals and one entry per period (every period of the range, clipped to it), from the daily counters."""
    per_day = (DailyStat.objects.filter(account=account, day__gte=start, day__lte=end)
               .values("day", "metric").annotate(n=Sum("count")).values_list("day", "metric", "n"))
    buckets: dict[date, Counter] = {}
    totals: Counter = Counter()
    for day, metric, n in per_day:
        buckets.setdefault(period_start(day, group_by), Counter())[metric] += n
        totals[metric] += n
    periods, cursor = [], period_start(start, group_by)
    while cursor <= end:
        following = _next_period(cursor, group_by)
        periods.append({"period": cursor.isoformat(), "start": max(cursor, start).isoformat(),
                        "end": min(following - timedelta(days=1), end).isoformat(),
                        **metrics(buckets.get(cursor, Counter()))})
        cursor = following
    return {"from": start.isoformat(), "to": end.isoformat(), "groupBy": group_by, "totals": metrics(totals),
            "periods": periods}


def campaign_metrics(*, account, campaign_id: int, timeline: str) -> dict:
    campaign = campaign_get(account=account, campaign_id=campaign_id)
    stats = campaign_stats([campaign.pk])[campaign.pk]
    return {"campaignId": campaign.pk, "name": campaign.name, "status": campaign.status,
            "startedAt": _iso(campaign.started_at), "metrics": metrics(stats), "topLinks": _top_links(campaign),
            "timeline": _timeline(campaign, timeline)}


def _top_links(campaign) -> list[dict]:
    """The most clicked URLs, from the link counters summed by URL (a URL may sit at several positions)."""
    url = CampaignLink.objects.filter(campaign_id=OuterRef("campaign_id"), position=OuterRef("position"))
    by_url: dict[str, Counter] = {}
    for link_url, metric, count in (LinkStat.objects.filter(campaign_id=campaign.pk)
                                    .annotate(url=Subquery(url.values("url")[:1]))
                                    .values_list("url", "metric", "count")):
        by_url.setdefault(link_url, Counter())[metric] += count
    ranked = sorted(by_url.items(), key=lambda item: (-item[1]["clicks"], -item[1]["uniqueClicks"], item[0]))
    return [{"url": url, "clicks": counts["clicks"], "uniqueClicks": counts["uniqueClicks"]}
            for url, counts in ranked[:TOP_LINKS] if counts["clicks"]]


def _timeline(campaign, unit: str) -> dict:
    """Opens and clicks per hour (or day) from the campaign's start (or its first event), at most a bounded span,
    from the campaign's hourly counters."""
    hours = HourlyStat.objects.filter(campaign_id=campaign.pk)
    first = campaign.started_at or hours.order_by("hour").values_list("hour", flat=True).first()
    out = {"unit": unit, "from": None, "to": None, "points": []}
    if first is None:
        return out
    trunc = TruncHour if unit == "hour" else TruncDay
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    origin = (first.replace(minute=0, second=0, microsecond=0) if unit == "hour"
              else first.replace(hour=0, minute=0, second=0, microsecond=0))
    until = origin + step * TIMELINE_BUCKETS[unit]
    rows = (hours.filter(hour__gte=origin, hour__lt=until).annotate(bucket=trunc("hour")).values("bucket")
            .annotate(opens=Sum("count", filter=Q(metric="opens"), default=0),
                      clicks=Sum("count", filter=Q(metric="clicks"), default=0)).order_by("bucket"))
    out.update({"from": _iso(origin), "to": _iso(until),
                "points": [{"at": _iso(row["bucket"]), "opens": row["opens"], "clicks": row["clicks"]}
                           for row in rows]})
    return out


def contact_metrics(*, account, email_md5: str) -> dict:
    """A contact's messages and engagement.

    ``engagementScore`` = round(100 × (0.4 × opened / delivered + 0.6 × clicked / delivered)) over the messages
    delivered to the contact in the last 90 days (opened, clicked: of those, how many were opened, clicked at
    least once); 0 when none was delivered in that window. From 0 to 100.
    """
    subscriber = Subscriber.objects.filter(account=account, email_md5=email_md5).first()
    if subscriber is None:
        raise ApiProblem(NOT_FOUND, f"The account has no contact {email_md5}.")
    messages = Message.objects.filter(account_id=account.pk, subscriber_id=subscriber.pk)
    since = timezone.now() - timedelta(days=ENGAGEMENT_DAYS)
    delivered = Q(status=MessageStatus.SENT)
    counts = messages.aggregate(
        received=Count("id", filter=delivered),
        recent=Count("id", filter=delivered & Q(sent_at__gte=since)),
        opened=Count("id", filter=delivered & Q(sent_at__gte=since, opened_at__isnull=False)),
        clicked=Count("id", filter=delivered & Q(sent_at__gte=since, clicked_at__isnull=False)))
    events = Event.objects.filter(account_id=account.pk, message__subscriber_id=subscriber.pk).aggregate(
        opens=Count("id", filter=Q(type=EventType.OPEN)), clicks=Count("id", filter=Q(type=EventType.CLICK)),
        lastOpenAt=Max("at", filter=Q(type=EventType.OPEN)), lastClickAt=Max("at", filter=Q(type=EventType.CLICK)))
    recent = counts["recent"]
    score = round(100 * (0.4 * counts["opened"] + 0.6 * counts["clicked"]) / recent) if recent else 0
    return {"emailMd5": subscriber.email_md5, "messagesReceived": counts["received"], "opens": events["opens"],
            "clicks": events["clicks"], "lastOpenAt": _iso(events["lastOpenAt"]),
            "lastClickAt": _iso(events["lastClickAt"]),
            "engagementScore": score,
            "engagementWindow": {"days": ENGAGEMENT_DAYS, "delivered": recent, "opened": counts["opened"],
                                 "clicked": counts["clicked"]}}


def default_range(today: date | None = None) -> tuple[date, date]:
    today = today or utc_day(timezone.now())
    return today - timedelta(days=29), today
