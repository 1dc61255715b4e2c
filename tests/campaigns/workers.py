"""Real sending: `manage.py rqworker` subprocesses against SMTP servers on loopback, and the checks after.

The workers use the test database and the tests' Redis (the tests commit their data:
``django_db(transaction=True)``); each gets EMAIL_HOST/EMAIL_PORT of an SMTP server running in this
process, so every delivery a worker makes is recorded here. Servers can slow each message down, and
hold one delivery (recorded, its 250 not yet answered) so a test can kill the worker at that instant.
"""

import asyncio
import hashlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import django_rq
import pytest
import rq
from aiosmtpd.controller import Controller
from django.db import connection

from campaigns.models import Campaign, Message
from subscribers.counters import counters_recount
from subscribers.models import Membership, Subscriber
from tasks.models import Task
from tests.campaigns.smtp import Recorder, free_port
from tests.helpers import assert_hypermedia, wait_for

REPO = Path(__file__).resolve().parents[2]
QUEUES = ("sending", "default")


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass
class SlowRecorder(Recorder):
    """Records like Recorder; ``delay`` seconds per message; holds its ``hold_at``-th delivery unanswered."""

    delay: float = 0.0
    hold_at: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = await super().handle_DATA(server, session, envelope)
        if self.hold_at is not None and len(self.deliveries) == self.hold_at:
            self.held.set()  # delivered: the sender waits for the reply that says so
            while not self.released.is_set():
                await asyncio.sleep(0.01)
        return answer


class Server:
    def __init__(self, **options):
        self.recorder = SlowRecorder(**options)
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, decode_data=False)
        self.controller.start()

    def stop(self):
        self.recorder.released.set()
        self.controller.stop()


@pytest.fixture
def smtp_servers(settings):
    """smtp_servers(**options) → a new SMTP server; the first is the one this process sends to."""
    servers = []
    smtp_log = logging.getLogger("mail.log")  # aiosmtpd logs every command: costly, and noise
    level = smtp_log.level
    smtp_log.setLevel(logging.WARNING)

    def start(**options) -> Server:
        server = Server(**options)
        if not servers:
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
            settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
            settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
    smtp_log.setLevel(level)


def deliveries(*servers: Server) -> Counter:
    """Deliveries per recipient, over every server."""
    total = Counter()
    for server in servers:
        total += server.recorder.per_recipient()
    return total


# --- Workers -------------------------------------------------------------------------------------


def worker_env(smtp_port: int, **overrides) -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("EMAIL_", "CAMPAIGN_", "SEND_", "TASK_"))
    }
    env.update(
        {
            "DATABASE_URL": url,
            "REDIS_URL": os.environ["REDIS_URL"],
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "TASK_STALE_AFTER_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update({name: str(value) for name, value in overrides.items()})
    return env


class Workers:
    """rqworker subprocesses on the sending and default queues, with RQ's scheduler; each in its own
    process group (the worker and its scheduler). All are ended when the block exits. Each writes to its log
    file through its own copy of the descriptor: this process closes its copy once the worker is started."""

    def __init__(self, log_dir: Path):
        self.log_dir, self.started = log_dir, []

    def start(self, smtp_port: int, **env):
        with open(self.log_dir / f"worker{len(self.started) + 1}.log", "wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "rqworker",
                    *QUEUES,
                    "--with-scheduler",
                    "--worker-class",
                    "rq.SimpleWorker",
                ],
                cwd=REPO,
                env=worker_env(smtp_port, **env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def wait_ready(self, count: int | None = None) -> None:
        """Until ``count`` workers (all started and alive, by default) are registered in Redis."""
        redis = django_rq.get_queue("default").connection
        count = count if count is not None else sum(1 for process in self.started if process.poll() is None)
        wait_for(lambda: rq.Worker.count(connection=redis) >= count, f"{count} workers to start", self)

    def log(self, number: int) -> str:
        return (self.log_dir / f"worker{number}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:]
            for path in sorted(self.log_dir.glob("*.log"))
        )

    def kill(self, process) -> None:
        """SIGKILL the worker process itself (the job dies with it; its scheduler process lives on)."""
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def end_group(self, *processes) -> None:
        """SIGTERM the groups (a scheduler releases its lock), SIGKILL what is left after 5 s."""
        for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            alive = [process for process in processes if self._signal(process, sig)]
            deadline = time.monotonic() + grace
            while alive and time.monotonic() < deadline:
                time.sleep(0.05)
                alive = [process for process in alive if self._signal(process, 0)]
            if not alive:
                return

    @staticmethod
    def _signal(process, sig) -> bool:
        """Send ``sig`` to the process's group; False when the group is gone."""
        process.poll()  # reap the leader
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return False
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.end_group(*self.started)
        for process in self.started:
            process.wait(timeout=10)


@pytest.fixture
def fresh_redis(settings):
    """No job, scheduled job or scheduler lock of an earlier test (the Redis database is the tests' own)."""
    settings.TASK_STALE_AFTER_SECONDS = 2  # this process judges staleness and schedules the sweeper too

    def clean():
        for name in QUEUES:
            queue = django_rq.get_queue(name)
            queue.empty()
            for job_id in queue.scheduled_job_registry.get_job_ids():
                queue.scheduled_job_registry.remove(job_id, delete_job=True)
            queue.connection.delete(f"rq:scheduler-lock:{name}")
        django_rq.get_queue("default").connection.delete("schedule-once:tasks-requeue-stale")

    clean()
    yield
    clean()


# --- Data ----------------------------------------------------------------------------------------


def add_subscribers(account, list_ids: list[int], emails: list[str], status: str = "active") -> list[int]:
    """Subscribers in bulk (as an import would leave them), members of ``list_ids``; counters recounted."""
    rows = Subscriber.objects.bulk_create(
        [
            Subscriber(
                account=account, email=address, email_md5=hashlib.md5(address.encode()).hexdigest(), status=status
            )
            for address in emails
        ]
    )
    Membership.objects.bulk_create(
        [Membership(list_id=list_id, subscriber=row) for row in rows for list_id in list_ids]
    )
    counters_recount(account.pk)
    return [row.pk for row in rows]


def addresses(prefix: str, count: int, start: int = 0) -> list[str]:
    return [f"{prefix}{i}@example.com" for i in range(start, start + count)]


CONTENT = {
    "subject": "News for {{ emailAddress }}",
    "fromName": "Shop",
    "fromEmail": "news@shop.example.com",
    "html": '<html><body><p>Hello</p><a href="https://shop.example.com/sale">Sale</a></body></html>',
    "text": "Hello",
}


def campaign_body(name: str, list_ids: list[int], **members) -> dict:
    return {"name": name, **CONTENT, "lists": list_ids, **members}


def create_campaign(api, name: str, list_ids: list[int], **members) -> str:
    """POST the campaign on the account's surface; its URL."""
    response = api.post(f"/accounts/{api.owner.account.name}/campaigns", campaign_body(name, list_ids, **members))
    assert_hypermedia(response, 201, "message")
    return response["Location"]


def campaign_id(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1])


def act(api, location: str, name: str, status: int = 200):
    response = api.post(f"{location}/{name}")
    if status == 200:
        assert_hypermedia(response, 200, "message")
    return response


def get_campaign(api, location: str) -> dict:
    return assert_hypermedia(api.get(location), 200, "campaign")


ACTION_RELS = {"/rels/start-campaign": "start", "/rels/pause-campaign": "pause", "/rels/cancel-campaign": "cancel"}


def action_names(body: dict) -> list[str]:
    """The campaign's action links, by name, in order."""
    return [ACTION_RELS[token] for item in body["_links"] for token in item["rel"].split() if token in ACTION_RELS]


def statuses(campaign_pk: int) -> dict[str, list[str]]:
    """Message status → recipient addresses."""
    found: dict[str, list[str]] = {}
    for address, status in Message.objects.filter(campaign_id=campaign_pk).values_list("to_email", "status"):
        found.setdefault(status, []).append(address)
    return found


def campaign_status(campaign_pk: int) -> str:
    return Campaign.objects.values_list("status", flat=True).get(pk=campaign_pk)


def sending_rows(campaign_pk: int) -> int:
    return Message.objects.filter(campaign_id=campaign_pk, status="sending").count()


def assert_accounts_add_up(
    api, location: str, *, recipients: int, sent: int, skipped: int = 0, unknown: int = 0
) -> dict:
    """The campaign is sent; its stats and its task's progress say what the Message rows say."""
    body = get_campaign(api, location)
    assert body["status"] == "sent", body
    pk = body["campaignId"]
    by_status = Counter(Message.objects.filter(campaign_id=pk).values_list("status", flat=True))
    assert by_status == Counter({"sent": sent, "skipped": skipped, "unknown": unknown}) - Counter(), by_status
    stats = body["stats"]
    assert (stats["recipients"], stats["sent"], stats["skipped"], stats["unknown"]) == (
        recipients,
        sent,
        skipped,
        unknown,
    ), stats
    assert stats["hardBounces"] == stats["softBounces"] == stats["failed"] == stats["canceled"] == 0, stats
    task = assert_hypermedia(api.get(f"/accounts/{api.owner.account.name}/tasks/{body['taskId']}"), 200, "task")
    assert task["status"] == "done", task
    assert task["progress"] == {
        "total": recipients,
        "processed": recipients,
        "succeeded": sent,
        "failed": recipients - sent,
        "percent": 100.0,
    }, task["progress"]
    assert Task.objects.get(pk=body["taskId"]).status == "done"
    return body
