"""The campaign-send task kind: several senders share one campaign batch by batch; the campaign's status
follows its task's; each sweeper round starts scheduled campaigns whose own job was lost."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import RedisError

from api.links import link, url
from campaigns.journal import summary
from campaigns.models import Campaign
from campaigns.recording import recover_stale
from campaigns.selectors import campaign_stats, campaigns_with_stale_batches
from campaigns.sending import QUEUE, run_campaign_sender
from campaigns.services import CAMPAIGN_SEND, campaign_follow_task, campaigns_start_overdue
from tasks.registry import TaskKind, register

logger = logging.getLogger("campaigns")
# What a campaign's sending task reports in `result` (from the campaign's counters).
RESULT_KEYS = ("recipients", "sent", "hardBounces", "softBounces", "skipped", "failed", "unknown", "canceled")


def _senders() -> int:
    # SQLite (the embedded default) has one writer, so one sender.
    return 1 if connection.vendor == "sqlite" else settings.CAMPAIGN_SENDERS


def _campaign_id(task) -> int | None:
    return Campaign.objects.filter(task_id=task.pk).values_list("pk", flat=True).first()


def _result(task) -> dict:
    campaign_id = _campaign_id(task)
    stats = campaign_stats([campaign_id])[campaign_id] if campaign_id else {}
    return {key: stats.get(key, 0) for key in RESULT_KEYS}


def _links(account_name: str, task) -> list[dict]:
    campaign_id = _campaign_id(task)
    if not campaign_id:
        return []
    return [
        link(
            url("campaign-detail", account_name=account_name, campaign_id=campaign_id),
            "related /rels/campaign",
            "Campaign being sent",
        )
    ]


def _back_office(task) -> tuple[str, str] | None:
    campaign = Campaign.objects.filter(task_id=task.pk).values_list("pk", "name").first()
    if campaign is None:
        return None
    return f"campaign {campaign[1]}", reverse("admin:campaigns_campaign_change", args=[campaign[0]])


def _recover() -> None:
    started = campaigns_start_overdue()
    if started:
        logger.warning("started overdue scheduled campaigns %s", started)
    # A batch whose sender died while the campaign is paused, canceled or in error: its sender's successor
    # would recover it, but none is coming.
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    for campaign in campaigns_with_stale_batches(cutoff=cutoff):
        try:
            recovered = recover_stale(campaign=campaign, task_id=campaign.task_id)
        except RedisError:
            logger.warning("campaign %s: no send journal can be read now; recovery waits", campaign.pk)
            return
        if recovered:
            logger.warning("campaign %s: a dead sender's messages recovered: %s", campaign.pk, summary(recovered))


register(
    TaskKind(
        type=CAMPAIGN_SEND,
        title="Campaign sending",
        run=run_campaign_sender,
        queue=QUEUE,
        runners=_senders,
        result_keys=RESULT_KEYS,
        result=_result,
        links=_links,
        back_office=_back_office,
        scope="campaigns",
        on_transition=campaign_follow_task,
        recover=_recover,
    )
)
