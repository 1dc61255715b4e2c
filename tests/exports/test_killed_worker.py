"""A real worker process killed with SIGKILL mid-export: the sweeper requeues the task, a new worker goes on after
the last committed page, and the file has every row once, in order (tests/tasks/test_sigkill_recovery.py's
workers: `manage.py rqworker` subprocesses on the test database, which this test commits to)."""

import os
import signal

import django_rq
import pytest

from subscribers.models import Membership, Subscriber
from tasks.models import Task
from tests.exports.builders import as_dicts, download, exports_path, file_href, read_rows
from tests.helpers import assert_hypermedia, wait_for
from tests.subscribers.builders import create_list, md5
from tests.tasks.builders import empty_queues
from tests.tasks.test_sigkill_recovery import Workers

ROWS, PAGE = 3000, 200
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_list(api, owner, settings, monkeypatch):
    settings.TASK_STALE_AFTER_SECONDS = 2  # this process judges staleness too
    for name, value in {"EXPORT_CHUNK_ROWS": PAGE, "EXPORT_CHUNK_DELAY_MS": 100, "TASK_STALE_AFTER_SECONDS": 2}.items():
        monkeypatch.setenv(name, str(value))  # the workers' settings (worker_env copies the environment)
    empty_queues()
    redis = django_rq.get_queue("default").connection
    for name in ("default", "imports"):  # a lock left by a killed scheduler of an earlier run
        redis.delete(f"rq:scheduler-lock:{name}")
    list_id = create_list(api, "Big")
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(account=owner.account, email=f"k{i:04}@example.com", email_md5=md5(f"k{i:04}@example.com"))
        for i in range(ROWS)
    )
    Membership.objects.bulk_create(Membership(list_id=list_id, subscriber=s) for s in subscribers)
    yield list_id
    empty_queues()


def test_a_killed_worker_is_replaced_and_the_export_has_every_row_once(api, big_list, tmp_path):
    with Workers(tmp_path) as workers:
        worker = workers.start()
        response = api.post(exports_path(api), {"kind": "subscribers", "listId": big_list})
        assert_hypermedia(response, 202, "message")
        task_id = int(response["Location"].rsplit("/", 1)[1])
        wait_for(lambda: Task.objects.get(pk=task_id).processed, "the first page", workers)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        task = Task.objects.get(pk=task_id)
        assert 0 < task.processed < ROWS, f"the export was not interrupted ({task.processed} of {ROWS})"
        assert task.processed % PAGE == 0 and task.status == "in-progress"  # whole pages only
        workers.start()  # a new worker (with the scheduler): nobody calls start
        wait_for(lambda: Task.objects.get(pk=task_id).status == "done", "the sweeper to requeue and finish", workers)
        assert f"requeued stale tasks [{task_id}]" in workers.logs()
    _, data = download(file_href(api, task_id))
    addresses = [row["emailAddress"] for row in as_dicts(read_rows(data, "csv"))]
    assert addresses == [f"k{i:04}@example.com" for i in range(ROWS)]
