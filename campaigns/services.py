"""Campaign writes and actions. While it sends, a campaign's status follows its task's.

draft ⇄ scheduled (a future ``scheduledAt``) → sending (start, or the scheduled time) ⇄ paused → sent;
scheduled, sending or paused → canceled.
"""

import logging
from collections import Counter
from dataclasses import asdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.audit import quiet, record
from api.problems import ApiProblem
from campaigns import compiling, variants
from campaigns.checks import field_names, readiness_errors, require_ready, write_check
from campaigns.content import Compiled
from campaigns.counters import ALL, counts_add, stats_add
from campaigns.events import campaign_moved
from campaigns.models import (
    Campaign,
    CampaignLink,
    CampaignSegment,
    CampaignStatus,
    Message,
    MessageStatus,
)
from campaigns.problems import CAMPAIGN_ACTION_NOT_ALLOWED, CAMPAIGN_LOCKED
from campaigns.variants import ab_test_set
from domains.selectors import sender_check
from tasks.models import Task, TaskStatus
from tasks.queue import enqueue_at
from tasks.services import enqueue_task, task_create, task_lock, task_pause, task_progress_add, task_start, task_stop
from tasks.states import is_stale

logger = logging.getLogger("campaigns")
CAMPAIGN_SEND = "campaign-send"  # the task kind that sends a campaign (campaigns.kinds)
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
DELETABLE = (CampaignStatus.DRAFT, CampaignStatus.SENT, CampaignStatus.CANCELED)
STARTABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED)
CANCELABLE = (CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.PAUSED)
WINNER_CHOOSABLE = (CampaignStatus.SENDING, CampaignStatus.PAUSED)  # an A/B campaign's, until it has one
STATUS_OF_TASK = {
    TaskStatus.QUEUED: CampaignStatus.SENDING,
    TaskStatus.IN_PROGRESS: CampaignStatus.SENDING,
    TaskStatus.PAUSED: CampaignStatus.PAUSED,
    TaskStatus.ERROR: CampaignStatus.PAUSED,
    TaskStatus.DONE: CampaignStatus.SENT,
    TaskStatus.CANCELED: CampaignStatus.CANCELED,
}
# Model attribute ← representation member, for the members a write may carry.
MEMBERS = {
    "name": "name",
    "subject": "subject",
    "from_name": "fromName",
    "from_email": "fromEmail",
    "reply_to": "replyTo",
    "preheader": "preheader",
    "html": "html",
    "text": "text",
    "scheduled_at": "scheduledAt",
    "template_id": "templateId",
}


def _set_status(campaign: Campaign, status: str, **changes) -> None:
    if campaign.status == status and not changes:
        return
    previous = campaign.status
    Campaign.objects.filter(pk=campaign.pk).update(status=status, updated_at=timezone.now(), **changes)
    if previous != status:
        counts_add(campaign.account_id, Counter({previous: -1, status: 1}))
    campaign.status = status
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign_moved(campaign, previous)


def _stalled(campaign: Campaign) -> bool:
    """Sending, but every sender stopped beating (a worker died): start resumes it."""
    return campaign.status == CampaignStatus.SENDING and campaign.task is not None and is_stale(campaign.task)


def allowed_actions(campaign: Campaign) -> list[str]:
    actions = []
    if campaign.status in STARTABLE or _stalled(campaign):
        actions.append("start")
    if campaign.status == CampaignStatus.SENDING:
        actions.append("pause")
    if campaign.status in CANCELABLE:
        actions.append("cancel")
    return actions


def _set_segments(campaign: Campaign, data: dict) -> None:
    """The targeted then the excluded segments, in the order given."""
    CampaignSegment.objects.filter(campaign=campaign).delete()
    CampaignSegment.objects.bulk_create(
        [CampaignSegment(campaign=campaign, segment_id=i) for i in data.get("segments", [])]
        + [CampaignSegment(campaign=campaign, segment_id=i, excluded=True) for i in data.get("excluded_segments", [])]
    )


def _schedule(campaign: Campaign) -> None:
    """Scheduled: a job starts it at ``scheduled_at`` (a job for an older time finds it not yet due)."""
    require_ready(campaign, "schedule")
    _set_status(campaign, CampaignStatus.SCHEDULED)
    enqueue_at(start_due_campaign, campaign.scheduled_at, campaign.pk)


def _record(campaign: Campaign, verb: str) -> None:
    record(
        account_id=campaign.account_id,
        action=f"campaign.{verb}",
        object_type="campaign",
        object_id=campaign.pk,
        details={"name": campaign.name, "status": campaign.status},
    )


def _apply(campaign: Campaign, data: dict) -> None:
    for attribute in MEMBERS:
        if attribute in data:
            setattr(campaign, attribute, data[attribute])


@transaction.atomic
def campaign_create(*, account, data: dict) -> Campaign:
    write_check(account, data)
    campaign = Campaign(account=account)
    _apply(campaign, data)
    campaign.save()
    campaign.lists.set(data["lists"])
    _set_segments(campaign, data)
    ab_test_set(campaign, data)
    counts_add(account.pk, Counter({ALL: 1, CampaignStatus.DRAFT: 1}))
    if campaign.scheduled_at:
        _schedule(campaign)
    _record(campaign, "create")
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, data: dict) -> Campaign:
    """PUT: the whole campaign. A future ``scheduledAt`` schedules it, null makes it a draft again."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in EDITABLE:
        raise ApiProblem(CAMPAIGN_LOCKED, f"The campaign is {campaign.status}; its content cannot change.")
    write_check(campaign.account, data)
    _apply(campaign, data)
    campaign.save()
    campaign.lists.set(data["lists"])
    _set_segments(campaign, data)
    ab_test_set(campaign, data)
    if campaign.scheduled_at:
        _schedule(campaign)
    else:
        _set_status(campaign, CampaignStatus.DRAFT)
    _record(campaign, "update")
    return campaign


def lock_with_task(campaign: Campaign) -> Campaign:
    """Lock the campaign's task, then the campaign: the order senders and task actions use too."""
    if campaign.task_id:
        task_lock(task_id=campaign.task_id)
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _refuse(campaign: Campaign, action: str) -> ApiProblem:
    return ApiProblem(CAMPAIGN_ACTION_NOT_ALLOWED, f"Cannot {action} a campaign that is {campaign.status}.")


@transaction.atomic
def campaign_delete(*, campaign: Campaign) -> None:
    """Only drafts and finished campaigns; their messages and events stay, for the account's analytics."""
    campaign = lock_with_task(campaign)
    if campaign.status not in DELETABLE:
        raise _refuse(campaign, "delete")
    if Message.objects.filter(campaign=campaign, status=MessageStatus.SENDING).exists():
        raise ApiProblem(
            CAMPAIGN_ACTION_NOT_ALLOWED,
            "The campaign's last batch is still being sent; delete it once that batch is recorded.",
        )
    counts_add(campaign.account_id, Counter({ALL: -1, campaign.status: -1}))
    _record(campaign, "delete")
    campaign.delete()


@transaction.atomic
def campaign_start(*, campaign: Campaign) -> Campaign:
    """Send now: a draft or scheduled campaign gets its campaign-send task; a paused one resumes."""
    campaign = lock_with_task(campaign)
    if campaign.status == CampaignStatus.PAUSED or _stalled(campaign):
        with quiet():  # one entry: the campaign's
            task_start(task=campaign.task)  # the campaign follows its task back to sending
        campaign.refresh_from_db()
        _record(campaign, "start")
        return campaign
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise _refuse(campaign, "start")
    sender_check(account_id=campaign.account_id, email=campaign.from_email.strip())
    require_ready(campaign, "start")
    _launch(campaign)
    _record(campaign, "start")
    return campaign


def campaign_freeze(campaign: Campaign) -> dict:
    """Its content compiled and its links numbered for tracking, as it will be sent: the compiled form. Its
    template's layout, the inlined CSS and the text written from the HTML are in it: nothing of the template is
    read again once the campaign started."""
    fields = field_names(campaign.account)
    compiled = compiling.campaign_compiled(campaign, fields)
    links = compiled.links
    if campaign.variants.exists():  # an A/B campaign: every variant frozen, their links in one numbering
        links = variants.variants_freeze(campaign, fields)
        compiled = Compiled(**campaign.variants.order_by("position").first().compiled)
    CampaignLink.objects.bulk_create(
        [CampaignLink(campaign=campaign, position=position, url=url) for position, url in enumerate(links)]
    )
    return asdict(compiled)


def _launch(campaign: Campaign) -> None:
    """Freeze the content and create the task that sends it."""
    compiled = campaign_freeze(campaign)
    task = task_create(account=campaign.account, type=CAMPAIGN_SEND)
    _set_status(campaign, CampaignStatus.SENDING, task=task, compiled=compiled, started_at=timezone.now())
    enqueue_task(task)


@transaction.atomic
def campaign_pause(*, campaign: Campaign) -> Campaign:
    """Stop after the batches in flight; ``start`` resumes."""
    campaign = lock_with_task(campaign)
    if campaign.status != CampaignStatus.SENDING:
        raise _refuse(campaign, "pause")
    with quiet():
        task_pause(task=campaign.task)
    campaign.refresh_from_db()
    _record(campaign, "pause")
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign) -> Campaign:
    """Never send the rest. A scheduled campaign is canceled before it starts."""
    campaign = lock_with_task(campaign)
    if campaign.status not in CANCELABLE:
        raise _refuse(campaign, "cancel")
    if campaign.status == CampaignStatus.SCHEDULED:
        _set_status(campaign, CampaignStatus.CANCELED, finished_at=timezone.now())
    else:
        with quiet():
            task_stop(task=campaign.task, reason="The campaign was canceled.")
        campaign.refresh_from_db()
    _record(campaign, "cancel")
    return campaign


def campaign_start_due(*, campaign_id: int) -> bool:
    """The scheduled time has come: start the campaign if it is still scheduled for now."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != CampaignStatus.SCHEDULED:
            return False
        if campaign.scheduled_at and campaign.scheduled_at > timezone.now() + timedelta(seconds=1):
            return False  # rescheduled later; that time's job starts it
        errors = readiness_errors(campaign)  # its lists or fields may have changed since it was scheduled
        if errors:
            logger.warning("scheduled campaign %s is not ready, back to draft: %s", campaign.pk, errors)
            _set_status(campaign, CampaignStatus.DRAFT, scheduled_at=None)
            return False
        _launch(campaign)
    return True


def start_due_campaign(campaign_id: int) -> None:
    """The job scheduled for a campaign's ``scheduled_at``; safe to run twice."""
    campaign_start_due(campaign_id=campaign_id)


def campaigns_start_overdue() -> list[int]:
    """A safety net for lost scheduler jobs: start every scheduled campaign whose time has passed."""
    started = []
    for campaign_id in Campaign.objects.filter(
        status=CampaignStatus.SCHEDULED, scheduled_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        try:
            if campaign_start_due(campaign_id=campaign_id):
                started.append(campaign_id)
        except Exception:  # one broken campaign must not stop the others (nor the sweeper calling this)
            logger.exception("could not start scheduled campaign %s", campaign_id)
    return started


def campaign_follow_task(task: Task, previous: str | None = None) -> None:
    """Inside the transaction that moved ``task``: the campaign's status follows (the campaign-send kind's
    transition hook)."""
    campaign = Campaign.objects.filter(task=task).first()
    if campaign is None:
        return
    status = STATUS_OF_TASK[task.status]
    finished = timezone.now() if status in (CampaignStatus.SENT, CampaignStatus.CANCELED) else None
    _set_status(campaign, status, finished_at=finished)
    if status == CampaignStatus.CANCELED:
        canceled = Message.objects.filter(
            campaign=campaign, status__in=(MessageStatus.QUEUED, MessageStatus.HELD)
        ).update(status=MessageStatus.CANCELED)
        stats_add(campaign.pk, Counter({"canceled": canceled}))
        task_progress_add(task_id=task.pk, processed=canceled, failed=canceled, beat=False)
