"""The account's analytics page: the figures ``/api/v1/analytics/emails`` serves for a range of days, per day, ISO
week or month, as charts and a table, with the campaigns counted in the range, their top links and the audience's
growth. Read through analytics.selectors (a fixed number of queries, however many campaigns or periods)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.safestring import SafeString

from accounts.models import Account
from analytics.representations import metrics
from analytics.selectors import (
    GROUPS,
    MAX_RANGE_DAYS,
    audience_growth,
    campaigns_in_range,
    default_range,
    email_figures,
    links_of_campaigns,
)
from api.charts import WIDE, chart
from backoffice.dashboard import ACCOUNTS_LISTED, _chosen

TOP_LINKS = 10
# The chart of counts and the chart of rates: (label, the API's member).
VOLUME_SERIES = (
    ("Sent", "sent"),
    ("Delivered", "delivered"),
    ("Unique opens", "uniqueOpens"),
    ("Unique clicks", "uniqueClicks"),
    ("Bounces", "bounces"),
    ("Unsubscribes", "unsubscribes"),
)
RATE_SERIES = (
    ("Open rate", "openRate"),
    ("Click rate", "clickRate"),
    ("Bounce rate", "bounceRate"),
    ("Unsubscribe rate", "unsubscribeRate"),
)
GROWTH = ("added", "unsubscribed")
# A table's columns: (header, the API's count member, the API's rate member shown under it); "" for none.
PERIOD_COLUMNS = (
    ("Sent", "sent", ""),
    ("Delivered", "delivered", "deliveryRate"),
    ("Hard bounces", "hardBounces", ""),
    ("Soft bounces", "softBounces", ""),
    ("Bounce rate", "", "bounceRate"),
    ("Opens", "opens", ""),
    ("Unique opens", "uniqueOpens", "openRate"),
    ("Clicks", "clicks", ""),
    ("Unique clicks", "uniqueClicks", "clickRate"),
    ("Unsubscribes", "unsubscribes", "unsubscribeRate"),
    ("Complaints", "complaints", "complaintRate"),
)
CAMPAIGN_COLUMNS = (
    ("Sent", "sent", ""),
    ("Delivered", "delivered", "deliveryRate"),
    ("Bounces", "bounces", "bounceRate"),
    ("Unique opens", "uniqueOpens", "openRate"),
    ("Unique clicks", "uniqueClicks", "clickRate"),
    ("Unsubscribes", "unsubscribes", "unsubscribeRate"),
    ("Complaints", "complaints", "complaintRate"),
)


@dataclass(frozen=True)
class Cell:
    """A table cell: a count and the rate shown under it, each named by its member of the API's figures."""

    header: str
    member: str
    text: str
    rate_member: str
    rate_text: str


def cells(figures: dict, columns=PERIOD_COLUMNS) -> list[Cell]:
    """``figures`` (the API's members) as a table's cells: counts as 1,234, rates as the back office's 12.3 %."""
    return [
        Cell(
            header, count, f"{figures[count]:,}" if count else "", rate, f"{100 * figures[rate]:.1f} %" if rate else ""
        )
        for header, count, rate in columns
    ]


@dataclass(frozen=True)
class Choice:
    """What the page shows: read from the query string, checked as the API checks its parameters."""

    account: Account | None
    start: date
    end: date
    group_by: str
    error: str = ""

    def query(self, **changes) -> str:
        values = {"account": self.account.pk if self.account else "", "from": self.start, "to": self.end}
        values["group_by"] = self.group_by
        values.update(changes)
        return "&".join(f"{name}={value}" for name, value in values.items())


@dataclass(frozen=True)
class Row:
    label: str
    period: date  # its first day (a Monday for weeks), as the API's ``period``
    start: date
    end: date
    figures: dict  # the API's members: counts and rates
    growth: dict  # subscribers added, unsubscribed

    @property
    def cells(self) -> list[Cell]:
        return cells(self.figures)


@dataclass(frozen=True)
class CampaignRow:
    campaign_id: int
    name: str
    status: str
    href: str  # its analytics page ("" for single emails and deleted campaigns)
    figures: dict

    @property
    def cells(self) -> list[Cell]:
        return cells(self.figures, CAMPAIGN_COLUMNS)


@dataclass(frozen=True)
class Report:
    choice: Choice
    accounts: list[Account]
    presets: list[tuple[str, str]]  # (label, query string)
    totals: dict
    rows: list[Row]
    growth_totals: dict
    volume_chart: SafeString
    rate_chart: SafeString
    growth_chart: SafeString
    campaigns: list[CampaignRow]
    top_links: list[tuple[str, int, int]]

    @property
    def total_cells(self) -> list[Cell]:
        return cells(self.totals)


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def choice_from(params, accounts=None) -> Choice:
    """The account, range and grouping asked for; what is wrong falls back to the API's defaults (the last 30
    days, by day) and is said in ``error``."""
    account = _chosen(params.get("account"), accounts)
    start, end = _day(params.get("from")), _day(params.get("to"))
    default_start, default_end = default_range(end)
    errors = [
        f"'{name}' must be a date (YYYY-MM-DD)"
        for name in ("from", "to")
        if params.get(name) and not _day(params[name])
    ]
    start, end = start or default_start, end or default_end
    if start > end:
        errors.append(f"'from' ({start}) must not be after 'to' ({end})")
    elif (end - start).days + 1 > MAX_RANGE_DAYS:
        errors.append(f"the range may span at most {MAX_RANGE_DAYS} days")
    if start > end or (end - start).days + 1 > MAX_RANGE_DAYS:
        start, end = default_range()
    group_by = params.get("group_by") or "day"
    if group_by not in GROUPS:
        errors.append(f"'group_by' must be one of {', '.join(GROUPS)}")
        group_by = "day"
    return Choice(account, start, end, group_by, "; ".join(errors))


def presets(choice: Choice, today: date) -> list[tuple[str, str]]:
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    ranges = (
        ("Last 7 days", today - timedelta(days=6), today, "day"),
        ("Last 30 days", today - timedelta(days=29), today, "day"),
        ("Last 90 days", today - timedelta(days=89), today, "week"),
        ("This month", month, today, "day"),
        ("Last month", last_month, month - timedelta(days=1), "day"),
        ("Last 12 months", (month - timedelta(days=335)).replace(day=1), today, "month"),
    )
    return [(label, choice.query(**{"from": s, "to": e, "group_by": g})) for label, s, e, g in ranges]


def _label(start: date, group_by: str) -> str:
    if group_by == "month":
        return start.strftime("%B %Y")
    return "week of " + start.strftime("%d %b %Y") if group_by == "week" else start.strftime("%a %d %b %Y")


def _with_bounces(figures: dict) -> dict:
    return {**figures, "bounces": figures["softBounces"] + figures["hardBounces"]}


def report(params, accounts=None) -> Report:
    """The page for ``params``, its account among ``accounts`` (every account by default)."""
    choice = choice_from(params, accounts)
    accounts = list((Account.objects.all() if accounts is None else accounts).order_by("name")[:ACCOUNTS_LISTED])
    if choice.account is not None and choice.account not in accounts:
        accounts.append(choice.account)
    if choice.account is None:
        return Report(choice, [], [], {}, [], {}, SafeString(), SafeString(), SafeString(), [], [])
    account, group_by = choice.account, choice.group_by
    totals, periods = email_figures(account=account, start=choice.start, end=choice.end, group_by=group_by)
    growth = audience_growth(account=account, periods=periods, group_by=group_by)
    rows = [
        Row(
            _label(period.start, group_by),
            period.start,
            period.first,
            period.last,
            _with_bounces(metrics(period.counts)),
            grown,
        )
        for period, grown in zip(periods, growth, strict=True)
    ]
    labels = [_short_label(row, group_by) for row in rows]
    in_range = campaigns_in_range(account=account, start=choice.start, end=choice.end)
    return Report(
        choice=choice,
        accounts=accounts,
        presets=presets(choice, default_range()[1]),
        totals=_with_bounces(metrics(totals)),
        rows=rows,
        growth_totals={name: sum(row.growth[name] for row in rows) for name in GROWTH},
        volume_chart=chart(
            labels,
            {name: [r.figures[key] for r in rows] for name, key in VOLUME_SERIES},
            title="Emails per period",
            width=WIDE,
        ),
        rate_chart=chart(
            labels,
            {name: [round(100 * r.figures[key], 1) for r in rows] for name, key in RATE_SERIES},
            title="Rates per period",
            width=WIDE,
            unit=" %",
        ),
        growth_chart=chart(
            labels,
            {
                "Subscribers added": [r.growth["added"] for r in rows],
                "Unsubscribed": [r.growth["unsubscribed"] for r in rows],
            },
            title="Audience per period",
            width=WIDE,
        ),
        campaigns=[_campaign_row(found) for found in in_range],
        top_links=links_of_campaigns([found.campaign_id for found in in_range if found.campaign_id], limit=TOP_LINKS),
    )


def _short_label(row: Row, group_by: str) -> str:
    return row.period.strftime("%b %Y") if group_by == "month" else row.period.strftime("%d %b")


def _campaign_row(found) -> CampaignRow:
    figures = _with_bounces(metrics(found.counts))
    if found.campaign_id == 0:
        return CampaignRow(0, "Single emails (no campaign)", "", "", figures)
    if found.campaign is None:
        return CampaignRow(found.campaign_id, f"Campaign {found.campaign_id} (deleted)", "", "", figures)
    href = reverse("admin:analytics-campaign", args=[found.campaign_id])
    return CampaignRow(found.campaign_id, found.campaign.name, found.campaign.status, href, figures)
