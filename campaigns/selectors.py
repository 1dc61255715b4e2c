from collections import Counter

from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from campaigns.models import Campaign, CampaignCount, CampaignStat

STAT_METRICS = ("recipients", "sent", "hardBounces", "softBounces", "skipped", "failed", "unknown", "canceled",
                "opens", "uniqueOpens", "clicks", "uniqueClicks", "unsubscribes", "complaints")


def campaign_get(*, account, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(account=account, pk=campaign_id).select_related("task").first()
    if campaign is None:
        raise ApiProblem(NOT_FOUND, f"The account has no campaign {campaign_id}.")
    return campaign


def campaign_count(*, account, status: str | None) -> int:
    return (CampaignCount.objects.filter(account=account, bucket=status or "all")
            .values_list("count", flat=True).first() or 0)


def _campaigns(account, status: str | None):
    rows = Campaign.objects.filter(account=account).select_related("task").order_by("id")
    return rows.filter(status=status) if status else rows


def campaign_page(*, account, status: str | None, params: PageParams) -> tuple[list[Campaign], int]:
    total = campaign_count(account=account, status=status)
    return page_slice(_campaigns(account, status), total, params), total


def campaign_stats(campaign_ids: list[int]) -> dict[int, dict]:
    """Each campaign's counters (every metric, 0 when none yet), in one query."""
    found: dict[int, Counter] = {campaign_id: Counter() for campaign_id in campaign_ids}
    for campaign_id, metric, count in CampaignStat.objects.filter(campaign_id__in=campaign_ids).values_list(
            "campaign_id", "metric", "count"):
        found[campaign_id][metric] = count
    return {campaign_id: {metric: counts[metric] for metric in STAT_METRICS} for campaign_id, counts in found.items()}
