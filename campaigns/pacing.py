"""A campaign sender's pace: the slots of its next batch under its account's and its server's limits
(campaigns/throttle.py), and the waits when they are used up.

The slots are reserved **before** the batch is claimed: a sender that waits holds no message ``sending`` and
no SMTP transaction open, so a long wait can neither look like a dead sender's batch to recovery nor leave a
lane's data to a server that timed out. A short wait (up to SHORT_WAIT_SECONDS) is slept in naps: after each
the task's status is read (a pause or a cancel ends the wait at once) and the heartbeat beaten, so the sweeper
never takes the waiting sender for a dead one. A longer wait frees the worker: a sender is scheduled for when
the slots come back (as for retries: campaigns/sending.py). A campaign under a limit only waits; nobody is
failed or skipped for it. When Redis cannot answer, the sender waits and asks again: a limit is never ignored.
"""

import logging
import time

from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.selectors import account_send_limits
from campaigns import throttle
from tasks.models import Task, TaskStatus
from tasks.services import task_beat_until

logger = logging.getLogger("campaigns")
SHORT_WAIT_SECONDS = 5  # longer waits free the worker (a sender is scheduled for their end)
NAP_SECONDS = 0.25  # the longest a waiting sender goes without reading its task's status
REDIS_WAIT_SECONDS = 1.0  # Redis cannot answer: ask again after this


class Pacer:
    def __init__(self, *, account_id: int, task_id: int):
        self.task_id = task_id
        self.account = throttle.account_limits(account_id, *account_send_limits(account_id=account_id))
        self.beaten = time.monotonic()

    def limits(self, server) -> tuple:
        return self.account + server.limits

    def grant(self, server, size: int) -> throttle.Grant | float | None:
        """Slots for a batch of up to ``size`` through ``server``: a Grant of at least one; or a wait in seconds
        too long to sleep here (the caller schedules a sender for its end); or None when the task stopped being
        in progress while this sender waited (paused, canceled)."""
        limits = self.limits(server)
        if not limits:
            return throttle.Grant(size, 0.0)
        while True:
            try:
                grant = throttle.reserve(limits, throttle.chunk(limits, size))
            except RedisError as exc:
                logger.warning("sending limits: Redis cannot answer (%s); waiting", exc)
                grant = throttle.Grant(0, REDIS_WAIT_SECONDS)
            if grant.count:
                return grant
            if grant.wait > SHORT_WAIT_SECONDS:
                return grant.wait
            if not self.wait(grant.wait):
                return None

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` in naps; False as soon as the task is no longer in progress."""
        end = time.monotonic() + seconds
        beat_every = max(0.2, min(1.0, settings.TASK_STALE_AFTER_SECONDS / 5))
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return True
            time.sleep(min(left, NAP_SECONDS))
            status = Task.objects.filter(pk=self.task_id).values_list("status", flat=True).first()
            if status != TaskStatus.IN_PROGRESS:
                return False
            if time.monotonic() - self.beaten >= beat_every:
                task_beat_until(task_id=self.task_id, when=timezone.now())
                self.beaten = time.monotonic()
