"""An A/B campaign while it sends: its recipients split when they are written, its winner chosen, the rest sent.

Exactly once across the variants: every recipient has one Message row (unique per campaign and subscriber) and
the split gives each row one variant or holds it, in the transaction that writes the rows. Held rows are never
claimed (senders claim ``queued`` ones); choosing the winner is one transaction (the task locked, as every
sender write) that records the winner and turns every held row into a queued row of the winning variant. A
sender that dies at any point leaves either all of it or none of it.

The wait starts when the test share has been sent (its last message recorded): the sender that finds nothing
left to claim notes the time and, until the winner is due, hands over to a sender scheduled for then (the
task's heartbeat pushed to that time, as for a retry's wait). The winner has the best rate of
``winner_metric`` (unique opens or unique clicks over messages sent), then the most of it, then the first.
"""

import math
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from api.audit import record
from api.problems import VALIDATION_ERROR, ApiProblem
from campaigns import sql
from campaigns.counters import stats_add
from campaigns.models import AbTest, Campaign, Message, MessageStatus
from campaigns.problems import CAMPAIGN_ACTION_NOT_ALLOWED
from campaigns.selectors import variant_stats
from campaigns.services import WINNER_CHOOSABLE, lock_with_task
from campaigns.variants import letter, position_of, variant_metric, wait_of
from tasks.models import TaskStatus
from tasks.services import enqueue_task, task_beat_until

MANUAL = "manual"


def recipients_split(campaign: Campaign, written: int) -> None:
    """Inside the transaction that wrote the campaign's ``written`` recipients: the test share drawn at random
    and split evenly among the variants, the rest held. Each variant's recipients counted."""
    ab = AbTest.objects.select_for_update().get(campaign_id=campaign.pk)
    variants = campaign.variants.count()
    tested = min(written, max(math.ceil(written * ab.test_share / 100), variants))
    with connection.cursor() as cursor:
        cursor.execute(sql.AB_SPLIT, {"campaign": campaign.pk, "tested": tested, "variants": variants})
    ab.tested, ab.held = tested, written - tested
    ab.save(update_fields=["tested", "held"])
    stats_add(
        campaign.pk,
        Counter(
            {variant_metric(p, "recipients"): tested // variants + (p < tested % variants) for p in range(variants)}
        ),
    )


def test_share_done(campaign_id: int) -> float | None:
    """Inside a sender's transaction (the task locked) when nothing is left to claim: the seconds until the
    winner is due (the wait begins now if it had not); 0 when it was due and is chosen now (the rest is queued);
    None when the winner was chosen before (nothing to wait for: the campaign is done)."""
    ab = AbTest.objects.select_for_update().filter(campaign_id=campaign_id).first()
    if ab is None or ab.winner is not None:
        return None
    now = timezone.now()
    if not ab.tested:  # nobody to test (its segments matched no one): nothing to wait for
        winner_choose(ab=ab, position=None)
        return 0.0
    if ab.test_sent_at is None:
        ab.test_sent_at, ab.winner_due_at = now, now + wait_of(ab)
        ab.save(update_fields=["test_sent_at", "winner_due_at"])
    remaining = (ab.winner_due_at - now).total_seconds()
    if remaining > 0:
        return remaining
    winner_choose(ab=ab, position=None)
    return 0.0


def ranking(ab: AbTest, stats: dict[int, dict]) -> list[int]:
    """The variants' positions, best first by ``ab.winner_metric``: its rate over messages sent, then its count."""

    def key(position: int):
        counts = stats.get(position, {})
        count = counts.get(ab.winner_metric, 0)
        return (-(count / counts["sent"]) if counts.get("sent") else 0.0, -count, position)

    return sorted(stats, key=key)


def winner_choose(*, ab: AbTest, position: int | None) -> int:
    """Inside a transaction holding the campaign's task lock and ``ab`` locked: ``position`` (None: the best
    by the metric now) wins; every held recipient is queued with it. Its position."""
    chosen_by = MANUAL if position is not None else ab.winner_metric
    if position is None:
        position = ranking(ab, variant_stats(ab.campaign_id))[0]
    now = timezone.now()
    released = Message.objects.filter(campaign_id=ab.campaign_id, status=MessageStatus.HELD).update(
        status=MessageStatus.QUEUED, variant=position
    )
    ab.winner, ab.winner_chosen_at, ab.chosen_by = position, now, chosen_by
    ab.save(update_fields=["winner", "winner_chosen_at", "chosen_by"])
    stats_add(ab.campaign_id, Counter({variant_metric(position, "recipients"): released}))
    return position


@transaction.atomic
def campaign_winner_choose(*, campaign: Campaign, variant: str | None) -> Campaign:
    """POST …/winner: the winner now, by hand (``variant``) or by the metric as it stands; the rest goes out."""
    campaign = lock_with_task(campaign)
    ab = AbTest.objects.select_for_update().filter(campaign_id=campaign.pk).first()
    if ab is None:
        raise ApiProblem(CAMPAIGN_ACTION_NOT_ALLOWED, "The campaign has no A/B test: it has no winner to choose.")
    if ab.winner is not None:
        raise ApiProblem(CAMPAIGN_ACTION_NOT_ALLOWED, f"The winner is chosen already: variant {letter(ab.winner)}.")
    if campaign.status not in WINNER_CHOOSABLE:
        raise ApiProblem(
            CAMPAIGN_ACTION_NOT_ALLOWED,
            f"Cannot choose the winner of a campaign that is {campaign.status}: "
            "a winner is chosen once its test share is sending.",
        )
    position = None if variant is None else position_of(variant)
    count = campaign.variants.count()
    if variant is not None and (position is None or position >= count):
        detail = f"the campaign's variants are {', '.join(letter(p) for p in range(count))}"
        raise ApiProblem(VALIDATION_ERROR, f"variant: {detail}.", errors=[{"field": "variant", "detail": detail}])
    waiting = ab.test_sent_at is not None
    winner_choose(ab=ab, position=position)
    task = campaign.task
    if waiting and task is not None and task.status == TaskStatus.IN_PROGRESS:
        # Its senders were waiting for the winner: new ones send the rest now.
        task_beat_until(task_id=task.pk, when=timezone.now())
        enqueue_task(task)
    record(
        account_id=campaign.account_id,
        action="campaign.choose-winner",
        object_type="campaign",
        object_id=campaign.pk,
        details={"variant": variant},
    )
    return campaign
