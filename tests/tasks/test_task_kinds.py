"""The engine runs a kind it has never heard of: the toy kind (tests/tasks/toy_kind.py) registers from the
test suite and goes queue → in-progress → pause → start → done in a real worker, which is SIGKILLed on the
way and replaced; the sweeper requeues its task. Nothing in tasks/ names the kind."""

import os
import signal
import sys
import time

import django_rq
import pytest
from django.db import transaction
from django.utils.module_loading import import_string

from tasks import registry
from tasks.models import Task
from tasks.queue import SWEEPER_JOB
from tasks.services import enqueue_task, task_create
from tasks.sweeper import sweep_stale_tasks
from tests.helpers import assert_hypermedia, wait_for
from tests.tasks.builders import action, empty_queues, get_task
from tests.tasks.test_sigkill_recovery import REPO, Workers
from tests.tasks.toy_kind import TOY, TRANSITIONS_KEY, transitions

TOTAL = 40
TOY_WORKER = [
    sys.executable,
    str(REPO / "tests" / "tasks" / "toy_worker.py"),
    "default",
    "--with-scheduler",
    "--worker-class",
    "tasks.worker.SimpleWorker",
]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def toy_queue(settings):
    settings.TASK_STALE_AFTER_SECONDS = 2  # this process arms the sweeper and judges staleness too
    empty_queues()
    redis = django_rq.get_queue("default").connection
    redis.delete("rq:scheduler-lock:default", TRANSITIONS_KEY)
    yield
    empty_queues()
    redis.delete(TRANSITIONS_KEY)


def toy_task(account, total: int) -> int:
    with transaction.atomic():
        task = task_create(account=account, type=TOY, total=total)
        enqueue_task(task)  # on commit: the kind's job on its queue, and the sweeper armed
    return task.pk


def row(task_id: int) -> Task:
    return Task.objects.get(pk=task_id)


def steady(task_id: int, seconds: float = 0.5) -> int:
    """The task's progress, once nothing has moved it for ``seconds``."""
    before = row(task_id).processed
    time.sleep(seconds)
    after = row(task_id).processed
    assert after == before, "something still runs the task"
    return after


def test_every_job_the_engine_names_resolves_to_its_function():
    """RQ finds a job's function by its dotted name: the sweeper's, and each kind's (the lost-job check)."""
    assert import_string(SWEEPER_JOB) is sweep_stale_tasks
    for kind in registry.kinds():
        assert import_string(kind.job_name) is kind.run, kind.type
    assert {kind.type for kind in registry.kinds()} >= {"import", "campaign-send", TOY}


def test_the_toy_kind_is_registered_from_outside_the_engine():
    kind = registry.kind_of(TOY)
    assert kind.job_name == "tests.tasks.toy_kind.run_toy"
    assert TOY in registry.TYPES  # the task profile's enum is this list
    assert not any("toy" in path.name for path in (REPO / "tasks").rglob("*.py"))


def test_a_new_kind_runs_pauses_resumes_and_survives_a_sigkill(api, owner, toy_queue, tmp_path):
    with Workers(tmp_path, command=TOY_WORKER) as workers:
        worker = workers.start()
        task_id = toy_task(owner.account, TOTAL)
        assert row(task_id).status in ("queued", "in-progress")
        wait_for(lambda: row(task_id).processed >= 3, "the toy task to count", workers)

        assert_hypermedia(action(api, task_id, "pause"), 200, "message")
        paused_at = steady(task_id)
        assert row(task_id).status == "paused" and 0 < paused_at < TOTAL

        assert_hypermedia(action(api, task_id, "start"), 200, "message")
        wait_for(lambda: row(task_id).processed > paused_at + 2, "the toy task to resume", workers)

        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = steady(task_id)
        assert row(task_id).status == "in-progress" and killed_at < TOTAL, "the kill came too late"

        workers.start()  # nobody calls start: the sweeper finds the stale heartbeat and requeues the task
        wait_for(lambda: row(task_id).status == "done", "the sweeper to requeue the toy task", workers)
        logs = workers.logs()
        assert f"requeued stale tasks [{task_id}]" in logs
        assert "toy kind: recovery round" in logs  # the kind's own recovery hook ran in the sweeper's round

    body = get_task(api, task_id)
    assert body["type"] == TOY
    assert body["progress"] == {"total": TOTAL, "processed": TOTAL, "succeeded": TOTAL, "failed": 0, "percent": 100.0}
    assert body["result"] == {"counted": TOTAL}  # every step counted once: none lost to the kill, none twice
    assert row(task_id).checkpoint == TOTAL
    assert transitions(task_id) == [
        "queued>in-progress",
        "in-progress>paused",
        "paused>queued",
        "queued>in-progress",
        "in-progress>queued",
        "queued>in-progress",
        "in-progress>done",
    ]
