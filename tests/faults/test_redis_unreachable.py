"""Redis unreachable (nothing listens) or hung (it accepts and never answers): every endpoint that writes or
touches Redis answers without a 5xx (a 503 would have to carry Retry-After), in well under a second a call,
and an import accepted meanwhile is run once Redis is back, by the sweeper a worker arms again.

The app's Redis (REDIS_URL and the RQ queues) is pointed at a closed port or a fake server; the cache
(CACHES) stays on the test Redis. Requests commit for real (transactional_db): an enqueue runs on commit,
inside the request, as in production.
"""

import hashlib
import socket
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_lib
from django.test import Client, TestCase
from django.utils import timezone

from accounts.services import api_key_revoke
from api.epoch_cache import CacheInvalidationError
from campaigns.models import Message
from campaigns.tokens import make_token
from tasks.models import Task, TaskStatus
from tasks.queue import SWEEPER_KEY, schedule_sweep
from tasks.sweeper import sweep_stale_tasks
from tests.factories import make_account
from tests.faults.services import PrivateRedis
from tests.helpers import ApiClient, wait_for
from tests.tasks.builders import run_jobs

SECRET = "bounce-secret"
BOUND_SECONDS = 2.0  # hung Redis: a whole request, however many Redis calls it makes


def _point_redis_at(settings, url: str) -> None:
    settings.REDIS_URL = url
    settings.RQ_QUEUES = {name: {**queue, "URL": url} for name, queue in settings.RQ_QUEUES.items()}


def _md5(email: str) -> str:
    return hashlib.md5(email.encode()).hexdigest()


class Calls:
    """Each answer, checked against the rule: no 5xx but a 503 with Retry-After; each call timed."""

    def __init__(self, api: ApiClient, bound: float | None = None):
        self.api, self.bound, self.seen = api, bound, []

    def __call__(self, method: str, path: str, data=None, client=None, **headers):
        started = time.monotonic()
        if client is not None:
            response = getattr(client, method.lower())(path, **headers)
        else:
            response = self.api.request(method, path, data, **headers)
        elapsed = time.monotonic() - started
        self.seen.append((method, path, response.status_code, round(elapsed, 3)))
        assert response.status_code < 500 or (response.status_code == 503 and response.get("Retry-After")), (
            method,
            path,
            response.status_code,
            response.content[:500],
        )
        if self.bound is not None:
            assert elapsed < self.bound, (method, path, elapsed)
        return response


def _location_id(response) -> int:
    return int(response["Location"].rstrip("/").rsplit("/", 1)[1])


def _every_endpoint(call: Calls, owner, settings) -> int:
    """Every endpoint that enqueues or touches Redis; returns the id of the import task it submitted."""
    a = f"/accounts/{owner.name}"
    settings.BOUNCE_WEBHOOK_SECRET = SECRET
    list_id = _location_id(call("POST", f"{a}/lists", {"name": "News"}))
    call("PUT", f"{a}/lists/{list_id}", {"name": "News letter"})
    call("POST", f"{a}/fields", {"fieldName": "city", "type": "string"})
    call("PUT", f"{a}/fields/city", {"fieldName": "city", "type": "string"})
    call("POST", f"{a}/lists/{list_id}/subscribers", {"emailAddress": "ann@example.com"})
    ann = {"emailAddress": "ann@example.com", "belongsToLists": [list_id]}
    call(
        "PUT", f"{a}/subscribers/{_md5('ann@example.com')}", {**ann, "fields": [{"fieldName": "city", "value": "Oslo"}]}
    )
    call("POST", f"{a}/lists/{list_id}/subscribers", {"emailAddress": "bob@example.com"})
    call("POST", f"{a}/subscribers/{_md5('bob@example.com')}/unsubscribe", {})
    imported = call("POST", f"{a}/lists/{list_id}/subscribers/import", {"items": [{"emailAddress": "i@example.com"}]})
    assert imported.status_code == 202, imported.content
    task_id = _location_id(imported)
    other = _location_id(
        call("POST", f"{a}/lists/{list_id}/subscribers/import", {"items": [{"emailAddress": "j@example.com"}]})
    )
    for action in ("pause", "start", "stop"):
        call("POST", f"{a}/tasks/{other}/{action}", {})
    body = {
        "name": "Sale",
        "subject": "Hello",
        "fromName": "Shop",
        "fromEmail": "shop@example.com",
        "html": "<p>Hi</p>",
        "text": "Hi",
        "lists": [list_id],
    }
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    campaign = _location_id(call("POST", f"{a}/campaigns", body))
    call("PUT", f"{a}/campaigns/{campaign}", {**body, "scheduledAt": later})
    call("PUT", f"{a}/campaigns/{campaign}", body)
    for action in ("start", "pause", "cancel"):
        call("POST", f"{a}/campaigns/{campaign}/{action}", {})
    v1 = _location_id(call("POST", "/api/v1/campaigns", {**body, "name": "Later"}))
    call("PUT", f"/api/v1/campaigns/{v1}", {**body, "name": "Later", "scheduledAt": later})
    sent = call(
        "POST",
        "/api/v1/emails/send",
        {"to": "cat@example.com", "subject": "Hi", "html": "<p>Hi</p>", "fromEmail": "shop@example.com"},
        HTTP_IDEMPOTENCY_KEY="once",
    )
    assert sent.status_code == 202, sent.content
    call(
        "POST",
        "/api/v1/emails/send",
        {"to": "cat@example.com", "subject": "Hi", "html": "<p>Hi</p>", "fromEmail": "shop@example.com"},
        HTTP_IDEMPOTENCY_KEY="once",
    )
    call("POST", "/api/v1/contacts", {"emailAddress": "dan@example.com", "lists": [list_id]})
    call(
        "PUT",
        f"/api/v1/contacts/{_md5('dan@example.com')}",
        {"emailAddress": "dan@example.com", "belongsToLists": [], "fields": []},
    )
    call("DELETE", f"/api/v1/contacts/{_md5('dan@example.com')}")
    message_id = Message.objects.filter(account=owner.account).values_list("pk", flat=True).first()
    token = make_token(message_id)
    public = Client()
    call("GET", f"/t/o/{token}", client=public)
    call("GET", f"/t/c/{token}/0", client=public)
    call("GET", f"/u/{token}", client=public)
    call("POST", f"/u/{token}", client=public)
    call(
        "POST",
        "/api/v1/webhooks/bounces",
        {"type": "hard-bounce", "messageId": message_id},
        HTTP_AUTHORIZATION=f"Bearer {SECRET}",
    )
    call("DELETE", f"{a}/lists/{_location_id(call('POST', f'{a}/lists', {'name': 'Doomed'}))}")
    call("DELETE", f"{a}/fields/city")
    # A revocation that cannot reach every app server is refused and rolled back (issue 16): the key still works.
    with pytest.raises(CacheInvalidationError):
        api_key_revoke(api_key=owner.account.api_keys.get())
    call("GET", f"{a}/lists")
    return task_id


def test_with_redis_down_nothing_answers_5xx_and_an_import_runs_once_redis_is_back(transactional_db, settings):
    settings.TASK_STALE_AFTER_SECONDS = 0  # the sweeper looks at every queued task at once
    redis = PrivateRedis(Path(tempfile.mkdtemp(prefix="emailapi-redis-down-")))
    owner = make_account("down@example.com")  # before Redis goes: an account's creation invalidates the caches
    _point_redis_at(settings, redis.url())  # nothing listens on its port yet
    call = Calls(ApiClient(owner))
    task_id = _every_endpoint(call, owner, settings)
    assert Task.objects.get(pk=task_id).status == TaskStatus.QUEUED

    redis.start()
    try:
        back = redis_lib.Redis(port=redis.port)

        def heartbeat() -> bool:
            schedule_sweep()  # what each worker heartbeat does (tasks.worker): it arms the sweeper again
            return bool(back.exists(f"schedule-once:{SWEEPER_KEY}"))

        wait_for(heartbeat, "a worker heartbeat to arm the sweeper", timeout=10)
        with TestCase.captureOnCommitCallbacks(execute=True):
            sweep_stale_tasks()  # its round, as the scheduler would start it
        run_jobs("imports")
        assert Task.objects.get(pk=task_id).status == TaskStatus.DONE
    finally:
        redis.stop()


class HungRedis:
    """A loopback TCP server that accepts connections and never answers."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted, self.running = [], True
        threading.Thread(target=self._accept, daemon=True).start()
        # A client without a read timeout would wait for ever: closing lets such a test fail instead of hang.
        self.watchdog = threading.Timer(30, self.close)
        self.watchdog.daemon = True
        self.watchdog.start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.watchdog.cancel()
        self.running = False
        self.server.close()
        for conn in self.accepted:
            conn.close()


def test_with_redis_hung_every_request_answers_within_a_bound(transactional_db, settings):
    hung = HungRedis()
    try:
        owner = make_account("hung@example.com")  # before Redis hangs: an account's creation invalidates the caches
        _point_redis_at(settings, f"redis://127.0.0.1:{hung.port}/0")
        call = Calls(ApiClient(owner), bound=BOUND_SECONDS)
        task_id = _every_endpoint(call, owner, settings)
        assert Task.objects.get(pk=task_id).status == TaskStatus.QUEUED
        assert hung.accepted  # the app did try Redis
    finally:
        hung.close()
