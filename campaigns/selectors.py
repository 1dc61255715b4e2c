from collections import Counter
from dataclasses import dataclass
from functools import partial

from django.db import connection

from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from api.query import choice
from api.sql import fetch_one
from api.v1 import Collection, Filter, Page, Query, Sort, apply_filters, page_of
from campaigns import sql
from campaigns.models import (
    AbTest,
    Campaign,
    CampaignCount,
    CampaignSegment,
    CampaignStatus,
    CampaignVariant,
    Event,
    Message,
    MessageCount,
    MessageStatus,
)
from campaigns.tally import sent_count, tally_read
from campaigns.variants import VARIANT_METRICS, position_of
from tasks.models import TaskStatus

STAT_METRICS = (
    "recipients",
    "sent",
    "hardBounces",
    "softBounces",
    "skipped",
    "failed",
    "unknown",
    "journalLost",
    "canceled",
    "opens",
    "uniqueOpens",
    "clicks",
    "uniqueClicks",
    "unsubscribes",
    "complaints",
)


def campaign_get(*, account, campaign_id: int) -> Campaign:
    # The task (wanted by the actions only) loads when asked.
    campaign = fetch_one(Campaign, "account_id = %s AND id = %s", [account.pk, campaign_id])
    if campaign is None:
        raise ApiProblem(NOT_FOUND, f"The account has no campaign {campaign_id}.")
    return campaign


def campaign_list_ids(campaign) -> list[int]:
    """The campaign's list ids, ascending (plain SQL: asked by every campaign read)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.LIST_IDS, [campaign.pk])
        return [row[0] for row in cursor.fetchall()]


def campaign_segment_uses(campaign) -> list[CampaignSegment]:
    """The segments the campaign targets and excludes, in the order they were given."""
    return list(CampaignSegment.objects.filter(campaign_id=campaign.pk).order_by("id"))


UNFINISHED = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.PAUSED)


def campaigns_targeting_segment(*, segment_id: int) -> list[int]:
    """Unfinished campaigns that target or exclude the segment."""
    return list(
        CampaignSegment.objects.filter(segment_id=segment_id, campaign__status__in=UNFINISHED)
        .order_by("campaign_id")
        .values_list("campaign_id", flat=True)
    )


def campaigns_using_template(*, template_id: int) -> list[int]:
    """Unfinished campaigns that use the template."""
    return list(
        Campaign.objects.filter(template_id=template_id, status__in=UNFINISHED)
        .order_by("id")
        .values_list("id", flat=True)
    )


def campaign_count(*, account, status: str | None) -> int:
    return CampaignCount.read(account.pk, status or "all")


def message_count(account_id: int) -> int:
    """The account's messages, campaigns' and single emails (exact: see MessageCount)."""
    return MessageCount.read(account_id)


def message_tally(account_id: int, *, statuses=None, campaign_id: int | None = None) -> int:
    """The account's messages in one of ``statuses`` (any when None), of ``campaign_id`` (any when None): exact,
    from the tally (campaigns/tally.py), not a count of the rows."""
    return tally_read(account_id, statuses=statuses, campaign_id=campaign_id)


def message_sent_count(account_id: int, *, after=None, before=None) -> int:
    """The account's messages sent in [after, before) (either open): exact, from the sent days (campaigns/
    tally.py) and the rows of the edge days."""
    return sent_count(account_id, after=after, before=before)


# --- Messages, for the apps that show or send them (emails) ----------------------------------------------
# ``among``: a query of message ids (``values("message_id")``) naming the messages a caller owns, such as its
# single emails; a message of no campaign may also be one whose campaign was deleted.
def account_messages(account_id: int):
    """The account's messages as a query to filter and page, each with its campaign (subject, sender)."""
    return Message.objects.filter(account_id=account_id).select_related("campaign")


def message_events(message_id: int) -> list[Event]:
    return list(Event.objects.filter(message_id=message_id).order_by("at", "id"))


def messages_overdue(*, among, cutoff, limit: int) -> list[int]:
    """Queued since before ``cutoff`` with no retry due after it: their job was lost (with Redis)."""
    return list(
        Message.objects.filter(pk__in=among, campaign__isnull=True, status=MessageStatus.QUEUED, created_at__lt=cutoff)
        .exclude(next_attempt_at__gte=cutoff)
        .values_list("pk", flat=True)[:limit]
    )


def campaigns_with_stale_batches(*, cutoff) -> list[Campaign]:
    """Campaigns with messages claimed (``sending``) since before ``cutoff``, whose task is not in progress
    (paused, canceled or ended in error after its sender died): no sender will recover them."""
    stale = Message.objects.filter(status=MessageStatus.SENDING, campaign__isnull=False, claimed_at__lt=cutoff)
    return list(
        Campaign.objects.filter(pk__in=stale.values("campaign_id"), task__isnull=False)
        .exclude(task__status__in=(TaskStatus.QUEUED, TaskStatus.IN_PROGRESS))
        .order_by("pk")
    )


def messages_in_flight(*, among) -> bool:
    return Message.objects.filter(
        pk__in=among, campaign__isnull=True, status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)
    ).exists()


def _campaigns(account, status: str | None):
    rows = Campaign.objects.filter(account=account).select_related("task").order_by("id")
    return rows.filter(status=status) if status else rows


def campaign_page(*, account, status: str | None, params: PageParams) -> tuple[list[Campaign], int]:
    total = campaign_count(account=account, status=status)
    return page_slice(_campaigns(account, status), total, params), total


def campaign_stats(campaign_ids: list[int]) -> dict[int, dict]:
    """Each campaign's counters (every metric, 0 when none yet), in one query."""
    if not campaign_ids:
        return {}
    found: dict[int, Counter] = {campaign_id: Counter() for campaign_id in campaign_ids}
    with connection.cursor() as cursor:  # every campaign read and page: plain SQL
        cursor.execute(sql.stats_of(len(campaign_ids)), list(campaign_ids))
        for campaign_id, metric, count in cursor.fetchall():
            found[campaign_id][metric] = count
    return {campaign_id: {metric: counts[metric] for metric in STAT_METRICS} for campaign_id, counts in found.items()}


@dataclass(frozen=True)
class AbTestState:
    """What an A/B campaign's representation shows: its test, variants (by position) and their counters."""

    test: AbTest
    variants: list[CampaignVariant]
    stats: dict[int, dict]


def campaign_ab_test(campaign: Campaign) -> AbTestState | None:
    test = AbTest.objects.filter(campaign_id=campaign.pk).first()
    if test is None:
        return None
    variants = list(CampaignVariant.objects.filter(campaign_id=campaign.pk).order_by("position"))
    return AbTestState(test, variants, variant_stats(campaign.pk))


def variant_stats(campaign_id: int) -> dict[int, dict]:
    """An A/B campaign's counters per variant position (every variant metric, 0 when none yet), in one query."""
    positions = CampaignVariant.objects.filter(campaign_id=campaign_id).values_list("position", flat=True)
    found: dict[int, Counter] = {position: Counter() for position in positions}
    with connection.cursor() as cursor:
        cursor.execute(sql.VARIANT_STATS, [campaign_id])
        for metric, count in cursor.fetchall():
            name, _, metric = metric.partition(":")
            position = position_of(name)
            if position in found:
                found[position][metric] = count
    return {position: {m: counts[m] for m in VARIANT_METRICS} for position, counts in found.items()}


CAMPAIGNS = Collection(
    "campaigns",
    sorts={
        "id": Sort("id", kind="int"),
        "name": Sort("name"),
        "createdAt": Sort("created_at", kind="datetime"),
        "scheduledAt": Sort("scheduled_at", nullable=True, kind="datetime"),
    },
    filters={
        "status": Filter(
            choice(CampaignStatus.values),
            lambda rows, status: rows.filter(status=status),
            "One of " + ", ".join(CampaignStatus.values) + ".",
        )
    },
)


def campaign_v1_page(*, account, query: Query) -> Page:
    """A page of /api/v1/campaigns; the exact counters give the total."""
    rows = apply_filters(Campaign.objects.filter(account=account).select_related("task"), CAMPAIGNS, query)
    return page_of(
        rows, CAMPAIGNS, query, count=partial(campaign_count, account=account, status=query.filters.get("status"))
    )
