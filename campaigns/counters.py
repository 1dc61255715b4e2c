"""The campaigns' counters an account and a campaign keep, exact (api.counters): campaigns per status, messages,
and each campaign's stats (sent, opens, …); their adds, in the transaction of each change, and their repairs."""

from collections import Counter

from api.counters import bump_buckets
from campaigns.models import Campaign, CampaignCount, CampaignStat, CampaignStatus, Message, MessageCount

STAT_TABLE = CampaignStat._meta.db_table
ALL = "all"


def counts_add(account_id: int, deltas: Counter) -> None:
    CampaignCount.add(account_id, deltas)


def message_count_add(account_id: int, delta: int) -> None:
    """Count ``delta`` new messages of the account, in the transaction that writes them."""
    MessageCount.add(account_id, delta)


def stats_add(campaign_id: int, deltas: Counter) -> None:
    """Add to the campaign's counters (sent, opens, …)."""
    bump_buckets(STAT_TABLE, ("campaign_id", "metric"), campaign_id, deltas)


def campaign_counts_recount(*, account) -> None:
    """Repair: recompute the account's campaign counters from the rows."""
    CampaignCount.recount(
        Campaign.objects.filter(account=account), account_id=account.pk, buckets=CampaignStatus.values, total=ALL
    )


def message_count_recount(*, account) -> None:
    """Repair: recompute the account's message count from the rows."""
    MessageCount.recount(Message.objects.filter(account=account), account_id=account.pk)
