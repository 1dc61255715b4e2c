"""The admin index's dashboard: one account's audience, lists, campaigns sending now and the last 30 days of
sends, opens, clicks and bounces, read through the apps' models and selectors (the exact counters the API
serves, no COUNT over the account's rows)."""

from dataclasses import dataclass
from datetime import timedelta

from accounts.models import Account
from analytics.representations import figure_rows, metrics
from analytics.selectors import default_range, email_figures
from api.charts import line_chart, progress_bar
from campaigns.models import Campaign, CampaignStatus
from campaigns.selectors import campaign_stats
from lists.models import MailingList
from subscribers.models import Status, StatusCount

TOP_LISTS = 8
DAYS = (7, 30, 90)
ACCOUNTS_LISTED = 200  # in the account chooser; any other is reached with ?account=<id>
CHART_METRICS = {
    "Sent": ("sent",),
    "Opens": ("opens",),
    "Clicks": ("clicks",),
    "Bounces": ("hardBounces", "softBounces"),
}


@dataclass(frozen=True)
class Sending:
    campaign: Campaign
    progress: str
    sent: int


@dataclass(frozen=True)
class Dashboard:
    account: Account | None
    accounts: list[Account]
    statuses: list[tuple[str, int]]
    lists: list[MailingList]
    sending: list[Sending]
    chart: str
    figures: list[tuple[str, int, str]]  # (label, count, rate) over the days shown, as /api/v1/analytics computes
    days: int


def _chosen(account_id: str | None, accounts=None) -> Account | None:
    """The account ``account_id`` among ``accounts`` (every account by default: the staff user's, narrowed by
    their roles); the first by name when not given, unknown or not among them."""
    accounts = Account.objects.all() if accounts is None else accounts
    chosen = accounts.filter(pk=account_id).first() if account_id and account_id.isdigit() else None
    return chosen or accounts.order_by("name").first()


def dashboard(*, account_id: str | None, days: str | None = None, accounts=None) -> Dashboard:
    """The dashboard of the account ``account_id`` among ``accounts`` (the first by name when not given or
    unknown), over the last ``days`` days (one of DAYS; 30 by default)."""
    days = int(days) if days in {str(choice) for choice in DAYS} else 30
    accounts = Account.objects.all() if accounts is None else accounts
    account = _chosen(account_id, accounts)
    accounts = list(accounts.order_by("name")[:ACCOUNTS_LISTED])
    if account is not None and account not in accounts:
        accounts.append(account)
    if account is None:
        return Dashboard(None, [], [], [], [], "", [], days)
    end = default_range()[1]
    totals, periods = email_figures(account=account, start=end - timedelta(days=days - 1), end=end, group_by="day")
    series = {name: [sum(p.counts[m] for m in metrics) for p in periods] for name, metrics in CHART_METRICS.items()}
    chart = line_chart([p.start.strftime("%d %b") for p in periods], series, title=f"The last {days} days")
    sending = Campaign.objects.filter(account=account, status=CampaignStatus.SENDING).select_related("task")[:20]
    stats = campaign_stats([campaign.pk for campaign in sending])
    return Dashboard(
        account=account,
        accounts=accounts,
        statuses=[(status.label, StatusCount.read(account.pk, status.value)) for status in Status],
        lists=list(MailingList.objects.filter(account=account, active=True).order_by("-subscribers_count")[:TOP_LISTS]),
        sending=[
            Sending(
                campaign,
                progress_bar(campaign.task.processed, campaign.task.total) if campaign.task else "",
                stats[campaign.pk]["sent"],
            )
            for campaign in sending
        ],
        chart=chart,
        figures=figure_rows(metrics(totals)),
        days=days,
    )
