"""The campaign sender job. Several may run for one campaign at once, on any workers.

Exactly once: the recipients are Message rows, unique per (campaign, subscriber),
written once when sending begins. A sender claims a batch of queued rows
(``FOR UPDATE SKIP LOCKED``, committed as ``sending``) before it sends a byte, so no
two senders ever hold the same row; it records the outcomes of the batch in one
transaction. Meanwhile the batch's send journal (campaigns/journal.py) keeps, outside
the process, which message's data is going out and each outcome as it arrives. Rows
left ``sending`` by a sender that died are recovered from it: what the server
accepted is ``sent``, what never started is sent now, and only the message that was
on the wire (at most one per connection) is ``unknown``, never sent again.
"""

import logging
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import Min
from django.utils import timezone
from redis.exceptions import RedisError

from campaigns import journal, pacing, recording, servers, throttle, winner
from campaigns.audience import recipients_write
from campaigns.content import Compiled
from campaigns.counters import message_count_add, stats_add
from campaigns.journal import summary
from campaigns.mime import MessageBuilder
from campaigns.models import AbTest, Campaign, CampaignVariant, Message, MessageStatus
from campaigns.replies import Outcome
from domains.selectors import signer_for
from tasks.models import Task, TaskStatus
from tasks.queue import enqueue, enqueue_at
from tasks.services import task_beat_until, task_complete, task_join, task_lock, task_total_set

logger = logging.getLogger("campaigns")
SHORT_WAIT_SECONDS = pacing.SHORT_WAIT_SECONDS  # a retry due sooner is waited for; later ones get a scheduled sender
ALL_ASIDE = Outcome("fault", None, "every SMTP server is set aside after a fault")
IN_FLIGHT_POLL_SECONDS = 0.5
QUEUE = "sending"  # the campaign-send kind's queue (campaigns/kinds.py), hand-overs included
SLICE_SECONDS = 15 * 60  # then the sender hands over to a new job (RQ's job timeout is hours away)


class SmtpUnavailable(Exception):
    pass


def run_campaign_sender(task_id: int) -> None:
    """The job of a campaign-send task (campaigns.kinds); several run at once, each joining the task."""
    task = task_join(task_id=task_id)
    if task is None:
        return
    campaign = Campaign.objects.filter(task_id=task_id).first()
    if campaign is None:
        with transaction.atomic():
            task_complete(
                task=task_lock(task_id=task_id),
                status=TaskStatus.ERROR,
                reason="The campaign of this task was deleted.",
            )
        return
    try:
        _write_recipients(campaign, task)
        Sender(campaign, task).run()
    except RedisError:
        # Only a hand-over to a later sender (retries waiting, the next slice, the callback) touches Redis, after
        # its transaction committed: nothing is in flight, and the sweeper requeues the task once its heartbeat
        # goes stale, as for any job Redis lost.
        logger.warning(
            "campaign %s: Redis failed while handing over; the sweeper resumes it", campaign.pk, exc_info=True
        )
    except Exception as exc:  # the task ends in error, never stuck in progress; start resumes it
        logger.exception("campaign %s: sender failed", campaign.pk)
        if not connection.in_atomic_block:  # the failure may have been the database's: a new connection then
            connection.close_if_unusable_or_obsolete()
        with transaction.atomic():
            task_complete(
                task=task_lock(task_id=task_id),
                status=TaskStatus.ERROR,
                reason=f"Sending failed ({type(exc).__name__}: {str(exc)[:300]}); start the campaign to resume.",
            )


def _write_recipients(campaign: Campaign, task: Task) -> None:
    """Once per campaign: a queued Message for every recipient (campaigns/audience.py), now."""
    with transaction.atomic():
        if not recording.task_in_progress(task.pk):
            # Paused or canceled since this sender joined: queued rows now would outlive a cancel (its UPDATE to
            # canceled has run); the sender that resumes the campaign writes them.
            return
        # The first sender takes this; the others wait on the task's lock, then find it done.
        if not Campaign.objects.filter(pk=campaign.pk, recipients_at__isnull=True).update(recipients_at=timezone.now()):
            return
        written = recipients_write(campaign, timezone.now())
        if AbTest.objects.filter(campaign_id=campaign.pk).exists():
            winner.recipients_split(campaign, written)
        task_total_set(task_id=task.pk, total=written)
        stats_add(campaign.pk, Counter({"recipients": written}))
        message_count_add(campaign.account_id, written)


class Sender:
    def __init__(self, campaign: Campaign, task: Task):
        self.campaign, self.task_id = campaign, task.pk
        self.started, self.faults_since, self.fault_count = time.monotonic(), None, 0
        self.journals = journal.Journals()
        # A provider signs with its own keys (campaigns/servers.py): DKIM here only on our SMTP path.
        signer = (
            signer_for(account_id=campaign.account_id, from_email=campaign.from_email)
            if servers.signed_here()
            else None
        )
        # By variant position (an A/B campaign's), or None: each builder encodes its content once.
        self.builders = {
            position: MessageBuilder(
                compiled=Compiled(**compiled),
                from_name=from_name,
                from_email=campaign.from_email,
                reply_to=campaign.reply_to,
                base_url=settings.PUBLIC_BASE_URL,
                preferences=True,
                signer=signer,
            )
            for position, compiled, from_name in _contents(campaign)
        }

    @property
    def ab_test(self) -> bool:
        return None not in self.builders

    def run(self) -> None:
        router = servers.Router(connections=settings.SMTP_CONNECTIONS)
        pacer = pacing.Pacer(account_id=self.campaign.account_id, task_id=self.task_id)
        try:
            self._recover()  # a dead sender's batch first: what it never started goes out now
            while True:
                # After a fault with every server set aside, the one that comes back first is tried again.
                server = router.choose(probe=self.faults_since is not None)
                if server is None:  # other workers set every server aside
                    self._wait_after_fault(ALL_ASIDE)
                    continue
                grant = pacer.grant(server, settings.CAMPAIGN_BATCH_SIZE)  # may wait: nothing claimed meanwhile
                if grant is None:
                    return  # paused or canceled while waiting for the limits
                if isinstance(grant, float):
                    self._resume_later(grant)  # the limits are used up for longer: free this worker
                    return
                claimed_at = timezone.now()
                batch_journal = self.journals.open(journal.campaign_claim(self.campaign.pk, claimed_at))
                batch = recording.claim(
                    campaign_id=self.campaign.pk, task_id=self.task_id, size=grant.count, now=claimed_at
                )
                throttle.settle(grant, len(batch or ()))  # its messages go now: the window counts from now
                if not batch:
                    batch_journal.discard()
                if batch is None:
                    return  # paused or canceled: the batch in flight was the last
                if batch:
                    fault = self._send(batch, router.transport(server), batch_journal)
                    if fault:
                        router.fault(server)  # set aside for every worker; the next batch goes to another
                        if not router.others_available(server):
                            self._wait_after_fault(fault)
                    else:
                        self.faults_since = None
                    if time.monotonic() - self.started > SLICE_SECONDS:
                        self._continue_in_new_job()
                        return
                    continue
                wait = self._next_retry_in()
                if wait is None:
                    if self._finish():
                        return
                    time.sleep(IN_FLIGHT_POLL_SECONDS)  # another sender's batch is in flight: see how it ends
                    continue
                if wait > SHORT_WAIT_SECONDS:
                    self._resume_later(wait)
                    return
                time.sleep(max(0.05, wait))
        finally:
            router.close()
            self.journals.close()

    def _recover(self) -> None:
        """Recover the rows a dead sender left ``sending`` (recording.recover_stale); while Redis cannot answer
        they wait for a later try."""
        try:
            recovered = recording.recover_stale(campaign=self.campaign, task_id=self.task_id)
        except RedisError:
            logger.warning("campaign %s: no send journal can be read now; recovery waits", self.campaign.pk)
            return
        if recovered:
            logger.warning("campaign %s: a dead sender's messages recovered: %s", self.campaign.pk, summary(recovered))

    def _messages(self, batch: list):
        """The batch's messages, built one by one; it stops early when the batch has taken its time (a live
        sender records its batch well within TASK_STALE_AFTER_SECONDS). The transport stops at a server fault."""
        deadline = time.monotonic() + max(1.0, settings.TASK_STALE_AFTER_SECONDS / 5)
        builders = self.builders
        for row in batch:
            if time.monotonic() > deadline:
                return
            yield row.to_email, builders[row.variant].build(row.message_id, row.to_email, row.fields)

    def _send(self, batch: list, transport, batch_journal) -> Outcome | None:
        """Send and record one batch; the server fault that stopped it, if one did."""
        outcomes: list[Outcome] = []
        campaign = self.campaign
        batch_journal.bind([row.message_id for row in batch])
        try:
            transport.send_many(campaign.from_email, self._messages(batch), outcomes, batch_journal)
        finally:
            # Also when building or sending raised: what was attempted is recorded (unknown if its outcome was
            # lost), what was not is queued again. The journal has every outcome first: a crash while recording
            # loses none.
            attempted = len(outcomes)
            if attempted < len(batch):
                outcomes += [None] * (len(batch) - attempted)
            batch_journal.settle(outcomes)
            _retrying(lambda: recording.record(campaign=campaign, task_id=self.task_id, batch=batch, outcomes=outcomes))
        batch_journal.discard()
        if settings.CAMPAIGN_BATCH_DELAY_MS:
            time.sleep(settings.CAMPAIGN_BATCH_DELAY_MS / 1000)
        fault = next((outcome for outcome in outcomes if outcome is not None and outcome.kind == "fault"), None)
        # A provider whose answer was lost is waited for as after a fault: if it stopped answering, each try costs
        # at most one message a lane (campaigns/provider.py).
        return fault or getattr(transport, "lost", None)

    def _wait_after_fault(self, fault: Outcome) -> None:
        """The server is down or refuses us: wait, longer each time, and give up (the task ends in error,
        every message still queued) after SEND_FAULT_TIMEOUT_SECONDS."""
        now = time.monotonic()
        if self.faults_since is None:
            self.faults_since, self.fault_count = now, 0
        if now - self.faults_since > settings.SEND_FAULT_TIMEOUT_SECONDS:
            raise SmtpUnavailable(
                f"the SMTP server has failed for {int(now - self.faults_since)} s, last: "
                f"{fault.code or ''} {fault.response}".strip()
            )
        self.fault_count += 1
        time.sleep(min(2 ** (self.fault_count - 1), 60, max(0.5, settings.TASK_STALE_AFTER_SECONDS / 5)))

    def _continue_in_new_job(self) -> None:
        """A long campaign goes on in a fresh job, never reaching the worker's job timeout mid-batch."""
        enqueue(run_campaign_sender, self.task_id, queue=QUEUE)

    def _next_retry_in(self) -> float | None:
        """Seconds until the next queued retry is due; None when nothing is queued."""
        due = Message.objects.filter(campaign_id=self.campaign.pk, status=MessageStatus.QUEUED).aggregate(
            first=Min("next_attempt_at")
        )["first"]
        if due is None:
            queued = Message.objects.filter(campaign_id=self.campaign.pk, status=MessageStatus.QUEUED).exists()
            return 0.0 if queued else None
        return max(0.0, (due - timezone.now()).total_seconds())

    def _resume_later(self, wait: float) -> None:
        """Free this worker while retries wait: a sender is scheduled for when the first is due."""
        due = timezone.now() + timedelta(seconds=wait)
        with transaction.atomic():
            # The heartbeat is pushed to then, so the wait does not look like a dead worker.
            task_beat_until(task_id=self.task_id, when=due)
            enqueue_at(run_campaign_sender, due, self.task_id, queue=QUEUE)

    def _finish(self) -> bool:
        """Nothing left to claim: end the task, unless another sender's batch is still in flight (False).

        A batch in flight longer than TASK_STALE_AFTER_SECONDS belonged to a sender that died: it is recovered
        (its unsent messages queued again, False), so a surviving sender finishes the campaign without waiting
        for the sweeper.
        """
        with transaction.atomic():
            task = task_lock(task_id=self.task_id)
            if task is None or task.status != TaskStatus.IN_PROGRESS:
                return True
            self._recover()
            if Message.objects.filter(
                campaign_id=self.campaign.pk, status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)
            ).exists():
                return False
            wait = winner.test_share_done(self.campaign.pk) if self.ab_test else None
            if wait == 0:
                return False  # the winner chosen now: the rest is queued (the next round ends it if none was held)
            if wait is not None:
                self._resume_later(wait)  # the test share is out: a sender comes back when the winner is due
                return True
            task_complete(task=task)
            return True


def _contents(campaign: Campaign) -> list[tuple[int | None, dict, str]]:
    """(variant position, compiled, from name) of what the campaign sends: its variants' (A/B) or its own."""
    found = [
        (variant.position, variant.compiled, variant.from_name or campaign.from_name)
        for variant in CampaignVariant.objects.filter(campaign_id=campaign.pk).order_by("position")
    ]
    return found or [(None, campaign.compiled, campaign.from_name)]


def _retrying(write, attempts: int = 3):
    """Run a write transaction again after a deadlock or a dropped connection (it rolled back whole)."""
    for attempt in range(attempts):
        try:
            return write()
        except (OperationalError, DatabaseError):
            if attempt == attempts - 1:
                raise
            logger.warning("campaign batch write failed, retrying", exc_info=True)
            connection.close()
            time.sleep(0.5 * (attempt + 1))
