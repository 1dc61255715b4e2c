"""A campaign's analytics page: its figures as ``/api/v1/analytics/campaigns/{id}`` serves them, what became of
its messages (the campaign's ``stats``), its figures per day (the account's daily counters of the campaign) or its
opens and clicks per hour (the API's timeline), and every link of its HTML with its clicks."""

from dataclasses import dataclass
from datetime import timedelta

from django.http import Http404
from django.utils.safestring import SafeString

from analytics.representations import metrics
from analytics.selectors import TIMELINE_BUCKETS, CampaignFigures, campaign_days, campaign_figures, campaign_links
from api.charts import WIDE, chart, line_chart
from backoffice.reports import Cell, cells
from campaigns.models import Campaign

UNITS = ("day", "hour")
HOURS_SHOWN = 24  # the hourly chart shows at least the first day, more while events go on (up to a week)
# What became of the campaign's messages: (the campaign's ``stats`` member, label).
OUTCOMES = (
    ("recipients", "recipients"),
    ("sent", "delivered (taken by the mail server, not bounced)"),
    ("hardBounces", "hard bounces"),
    ("softBounces", "soft bounces"),
    ("skipped", "skipped (no longer active at their turn)"),
    ("failed", "failed"),
    ("unknown", "unknown (maybe delivered, never sent again)"),
    ("journalLost", "of which send journal lost"),
    ("canceled", "canceled"),
)
DAY_SERIES = (
    ("Delivered", "delivered"),
    ("Unique opens", "uniqueOpens"),
    ("Opens", "opens"),
    ("Unique clicks", "uniqueClicks"),
    ("Clicks", "clicks"),
    ("Bounces", "bounces"),
)


@dataclass(frozen=True)
class CampaignReport:
    campaign: Campaign
    unit: str
    figures: dict  # the API's ``metrics``
    outcomes: list[tuple[str, str, int]]  # (member, label, count)
    rows: list[tuple]  # per day: (label, day, cells); per hour: (label, opens, clicks), hours with events only
    chart: SafeString
    links: list[tuple[str, int, int, float]]  # (url, clicks, unique clicks, share of all clicks in %)

    @property
    def total_cells(self) -> list[Cell]:
        return cells(self.figures)


def campaign_report(campaign_id: int, unit: str | None, campaigns=None) -> CampaignReport:
    """The campaign ``campaign_id`` among ``campaigns`` (every campaign by default); 404 for any other."""
    campaigns = Campaign.objects.all() if campaigns is None else campaigns
    campaign = campaigns.select_related("account").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(f"No campaign {campaign_id}.")
    unit = unit if unit in UNITS else "day"
    figures = campaign_figures(account=campaign.account, campaign_id=campaign.pk, timeline="hour")
    rows, drawn = _per_hour(figures) if unit == "hour" else _per_day(campaign)
    links = campaign_links(campaign.pk)
    clicks = sum(link[1] for link in links)
    return CampaignReport(
        campaign=campaign,
        unit=unit,
        figures={**metrics(figures.stats), "bounces": figures.stats["hardBounces"] + figures.stats["softBounces"]},
        outcomes=[(member, label, figures.stats[member]) for member, label in OUTCOMES],
        rows=rows,
        chart=drawn,
        links=[(url, n, unique, round(100 * n / clicks, 1) if clicks else 0.0) for url, n, unique in links],
    )


def _per_day(campaign) -> tuple[list, SafeString]:
    days = [(day, metrics(counts)) for day, counts in campaign_days(campaign)]
    for _, figures in days:
        figures["bounces"] = figures["softBounces"] + figures["hardBounces"]
    if not days:
        return [], SafeString()
    labels = [day.strftime("%d %b") for day, _ in days]
    drawn = chart(
        labels,
        {name: [figures[key] for _, figures in days] for name, key in DAY_SERIES},
        title="The campaign's figures per day (UTC)",
        width=WIDE,
    )
    return [(day.strftime("%a %d %b %Y"), day, cells(figures)) for day, figures in days], drawn


def _per_hour(figures: CampaignFigures) -> tuple[list, SafeString]:
    timeline = figures.timeline
    if timeline.origin is None:
        return [], SafeString()
    points = {at: (opens, clicks) for at, opens, clicks in timeline.points}
    last = max(points, default=timeline.origin)
    count = min(TIMELINE_BUCKETS["hour"], max(HOURS_SHOWN, int((last - timeline.origin).total_seconds() // 3600) + 1))
    hours = [timeline.origin + timedelta(hours=n) for n in range(count)]
    drawn = line_chart(
        [hour.strftime("%d %b %H:00") for hour in hours],
        {
            "Opens": [points.get(hour, (0, 0))[0] for hour in hours],
            "Clicks": [points.get(hour, (0, 0))[1] for hour in hours],
        },
        title="Opens and clicks per hour since the start (UTC)",
        width=WIDE,
    )
    rows = [(at.strftime("%a %d %b %H:00"), opens, clicks) for at, opens, clicks in timeline.points]
    return rows, drawn
