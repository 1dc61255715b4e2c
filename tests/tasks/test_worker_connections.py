"""The inline worker (tasks.worker.SimpleWorker, the default) keeps its database connection between jobs,
so it must notice one the server ended while it waited (a PostgreSQL restart, an idle timeout) and open
another, as a request does, instead of failing the next job on it."""

import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Account
from tasks.queue import rq_queue
from tasks.worker import SimpleWorker
from tests.campaigns.workers import REPO, worker_env
from tests.tasks.builders import queues  # noqa: F401 (fixture)


def count_accounts() -> int:
    return Account.objects.count()


class InlineBurstWorker(SimpleWorker):
    """The production inline worker in this process, without the command channel (it costs a second)."""

    def subscribe(self):
        pass

    def unsubscribe(self):
        pass


def end_backend_of(pid: int) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"], autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            admin.execute("SELECT pg_sleep(0.05)")
    raise AssertionError(f"backend {pid} did not end")


@pytest.mark.django_db(transaction=True)
def test_a_job_after_the_server_ended_the_workers_connection_runs_on_a_new_one(queues):  # noqa: F811
    queue = rq_queue("default")
    Account.objects.create(name="worker@example.com")
    first = queue.enqueue(count_accounts)
    InlineBurstWorker([queue], connection=queue.connection).work(burst=True)
    assert first.get_status(refresh=True) == "finished" and first.return_value() == 1
    old_pid = connection.connection.info.backend_pid  # the worker's jobs ran on this process's connection

    end_backend_of(old_pid)
    second = queue.enqueue(count_accounts)
    InlineBurstWorker([queue], connection=queue.connection).work(burst=True)

    assert second.get_status(refresh=True) == "finished", second.latest_result().exc_string
    assert second.return_value() == 1
    assert connection.connection.info.backend_pid != old_pid


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode, forks", [("inline", False), ("fork", True)])
def test_rqworker_runs_jobs_in_the_mode_settings_choose(queues, mode, forks):  # noqa: F811
    """`manage.py rqworker` as `make serve` starts it: RQ_WORKER_MODE picks the class; both run jobs."""
    queue = rq_queue("default")
    Account.objects.create(name="modes@example.com")
    jobs = [queue.enqueue(job_process_id) for _ in range(3)]
    env = worker_env(25, RQ_WORKER_MODE=mode)  # (no mail is sent)
    worker = subprocess.run(
        [sys.executable, "manage.py", "rqworker", "default", "--burst"],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-600:].replace("\n", " | ")
    pids = set()
    for job in jobs:
        assert job.get_status(refresh=True) == "finished", job.latest_result().exc_string
        pid, accounts = job.return_value()
        assert accounts == 1
        pids.add(pid)
    assert len(pids) == (3 if forks else 1)  # a work horse per job, or every job in the one worker process


def job_process_id() -> tuple[int, int]:
    return os.getpid(), Account.objects.count()
