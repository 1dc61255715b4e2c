"""A toy task kind, registered by the test suite only, through the engine's public interface: it counts to
the task's ``total``, one step at a time, recording each step as a chunk. Nothing in ``tasks/`` knows it.

Its hooks leave traces the tests read: each transition is appended to a Redis list, each recovery round
logs a line.
"""

import logging
import time
from collections import Counter

import django_rq
from django.db import transaction

from tasks.models import TaskStatus
from tasks.registry import TaskKind, register
from tasks.services import task_chunk_record, task_claim, task_finish, task_lock_for_run

TOY = "toy-count"
STEP_SECONDS = 0.1
RESULT_KEYS = ("counted",)
TRANSITIONS_KEY = "tests:toy-transitions"
logger = logging.getLogger("tasks")


def run_toy(task_id: int) -> None:
    claimed = task_claim(task_id=task_id)
    if claimed is None:
        return
    _, run_id = claimed
    while True:
        with transaction.atomic():
            task = task_lock_for_run(task_id=task_id, run_id=run_id)
            if task is None:
                return  # paused, stopped, or another run took over
            if task.checkpoint >= task.total:
                break
            task_chunk_record(task=task, size=1, errors=[], result_add=Counter(counted=1), result_keys=RESULT_KEYS)
        time.sleep(STEP_SECONDS)
    task_finish(task_id=task_id, run_id=run_id, status=TaskStatus.DONE)


def _transition(task, previous: str) -> None:
    django_rq.get_queue("default").connection.rpush(TRANSITIONS_KEY, f"{task.pk}:{previous}>{task.status}")


def _recover() -> None:
    logger.warning("toy kind: recovery round")


def transitions(task_id: int) -> list[str]:
    raw = django_rq.get_queue("default").connection.lrange(TRANSITIONS_KEY, 0, -1)
    prefix = f"{task_id}:"
    return [item.decode()[len(prefix) :] for item in raw if item.decode().startswith(prefix)]


register(
    TaskKind(
        type=TOY,
        title="Toy",
        run=run_toy,
        queue="default",
        result_keys=RESULT_KEYS,
        on_transition=_transition,
        recover=_recover,
    )
)
