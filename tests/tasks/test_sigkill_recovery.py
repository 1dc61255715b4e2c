"""A real worker process killed with SIGKILL mid-import: the task recovers, no row is lost, none is doubled.

The workers are `manage.py rqworker` subprocesses on the test database and the tests' Redis; the
test commits its data (transaction=True) so they see it.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
from django.db import connection
from django.utils import timezone

from subscribers.models import Membership, Subscriber
from tasks.models import Task, TaskError
from tests.helpers import assert_hypermedia, assert_problem, wait_for
from tests.subscribers.builders import create_list
from tests.tasks.builders import (
    BurstWorker,
    action,
    action_rels,
    assert_counts_add_up,
    assert_list_counters_exact,
    csv_bytes,
    empty_queues,
    get_task,
    import_done,
    post_import,
    task_id_of,
)

REPO = Path(__file__).resolve().parents[2]
DISTINCT, DUPLICATES, INVALID = 2800, 100, 100
TOTAL = DISTINCT + DUPLICATES + INVALID
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def big_csv() -> tuple[bytes, dict]:
    """3000 rows: 2800 distinct addresses, 100 later duplicates (other case, other name), 100 invalid."""
    rows, expected = [["email", "firstName"]], {}
    for i in range(DISTINCT):
        rows.append([f"k{i}@example.com", f"N{i}"])
        expected[f"k{i}@example.com"] = {"firstName": f"N{i}"}
        if i % 28 == 27:
            rows.append([f"K{i - 13}@Example.COM", "duplicate"])
        if i % 28 == 13:
            rows.append([f"bad-{i}", "invalid"])
    assert len(rows) == TOTAL + 1
    return csv_bytes(rows), expected


def worker_env() -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "IMPORT_CHUNK_SIZE": "200",
        "IMPORT_CHUNK_DELAY_MS": "100",
        "TASK_STALE_AFTER_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }


IMPORT_WORKER = [
    sys.executable,
    "manage.py",
    "rqworker",
    "imports",
    "default",
    "--with-scheduler",
    "--worker-class",
    "rq.SimpleWorker",
]


class Workers:
    """Worker subprocesses, each in its own process group (the worker and its scheduler), all ended at exit.
    Each writes to its log file through its own copy of the descriptor: this process closes its copy at start."""

    def __init__(self, log_dir: Path, command: list[str] = IMPORT_WORKER):
        self.log_dir, self.started, self.command = log_dir, [], command

    def start(self):
        with open(self.log_dir / f"worker{len(self.started) + 1}.log", "wb") as log:
            process = subprocess.Popen(
                self.command, cwd=REPO, env=worker_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.log_dir.glob("*.log")))

    def end_group(self, process) -> None:
        """SIGTERM the group (the scheduler releases its lock), SIGKILL what is left after 5 s."""
        for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                process.poll()
                try:
                    os.killpg(process.pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in self.started:
            self.end_group(process)
            process.wait(timeout=10)


@pytest.fixture
def target_list(api, settings):
    settings.TASK_STALE_AFTER_SECONDS = 2  # this process schedules the sweeper and judges staleness too
    settings.IMPORT_CHUNK_SIZE = 200
    empty_queues()
    redis = django_rq.get_queue("default").connection
    for name in ("default", "imports"):  # a lock left by a killed scheduler of an earlier run
        redis.delete(f"rq:scheduler-lock:{name}")
    yield create_list(api, "Target")
    empty_queues()


def kill_mid_import(api, list_id, workers: Workers) -> tuple[int, dict]:
    """Start a worker, submit the import, SIGKILL the worker once some chunks (not all) have committed."""
    worker = workers.start()
    data, expected = big_csv()
    task_id = task_id_of(post_import(api, list_id, data, "text/csv"))
    processed = wait_for(lambda: Task.objects.get(pk=task_id).processed, "the first chunk", workers)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    task = Task.objects.get(pk=task_id)
    assert 0 < task.processed < TOTAL, f"the import was not interrupted ({task.processed} of {TOTAL})"
    assert task.processed % 200 == 0 and task.processed >= processed  # whole chunks only
    assert task.status == "in-progress"
    time.sleep(0.5)
    assert Task.objects.get(pk=task_id).processed == task.processed, "something still runs the import"
    return task_id, expected


def assert_everything_imported_once(api, owner, list_id, task_id, expected) -> None:
    body = get_task(api, task_id)
    assert body["status"] == "done", body
    progress, result = import_done(DISTINCT, DUPLICATES, INVALID)
    assert body["progress"] == progress
    assert body["result"] == result
    assert_counts_add_up(body)
    assert body["errorsCount"] == TaskError.objects.filter(task_id=task_id).count() == INVALID
    assert action_rels(body) == []
    subscribers = dict(Subscriber.objects.filter(account=owner.account).values_list("email", "fields"))
    assert len(subscribers) == DISTINCT
    assert subscribers == expected  # none lost, first occurrences' values, no duplicate applied
    assert Membership.objects.filter(list_id=list_id).count() == DISTINCT
    assert_list_counters_exact(api, owner.account)


def test_killed_worker_is_replaced_and_the_sweeper_requeues_the_task(api, owner, target_list, tmp_path):
    list_id = target_list
    with Workers(tmp_path) as workers:
        task_id, expected = kill_mid_import(api, list_id, workers)
        workers.start()  # a new worker (with the scheduler): nobody calls start
        wait_for(lambda: Task.objects.get(pk=task_id).status == "done", "the sweeper to requeue and finish", workers)
        assert f"requeued stale tasks [{task_id}]" in workers.logs()
    assert_everything_imported_once(api, owner, list_id, task_id, expected)


def test_killed_worker_task_is_started_again_once_its_heartbeat_is_stale(api, owner, target_list, tmp_path):
    list_id = target_list
    with Workers(tmp_path) as workers:
        task_id, expected = kill_mid_import(api, list_id, workers)
        for process in workers.started:
            workers.end_group(process)  # its scheduler too: no sweeper, recovery is by hand

        # While the heartbeat is fresh, the worker may be alive: start is refused. (The beat is set
        # ahead for that check, so a slow machine cannot let it go stale between the two requests.)
        beat = Task.objects.get(pk=task_id).heartbeat_at
        Task.objects.filter(pk=task_id).update(heartbeat_at=timezone.now() + timedelta(minutes=1))
        assert "start" not in action_rels(get_task(api, task_id))
        assert_problem(action(api, task_id, "start"), 409, "/errors/409.1-task-action-not-allowed", 1)
        Task.objects.filter(pk=task_id).update(heartbeat_at=beat)
        wait_for(lambda: "start" in action_rels(get_task(api, task_id)), "a stale heartbeat", workers)
        assert get_task(api, task_id)["status"] == "in-progress"
        assert_hypermedia(action(api, task_id, "start"), 200, "message")
        assert Task.objects.get(pk=task_id).status == "queued"
        BurstWorker([django_rq.get_queue("imports")], connection=django_rq.get_queue("imports").connection).work(
            burst=True
        )
    assert_everything_imported_once(api, owner, list_id, task_id, expected)
