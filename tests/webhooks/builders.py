"""Shared helpers for the webhooks tests: a receiver on loopback, webhooks made through the API, the webhooks
queue run in this process (and the retries RQ's scheduler would move), reading the log back."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import django_rq
import pytest
from django.test import TestCase
from django.utils import timezone
from standardwebhooks import Webhook

from tests.helpers import assert_hypermedia
from tests.tasks.builders import empty_queues, run_jobs
from webhooks.models import Delivery, Event

V1 = "/api/v1/webhooks"
QUEUE = "webhooks"


class Receiver:
    """An HTTP server on loopback that answers the given statuses in turn (the last one repeats) and keeps every
    request: path, headers (lowercased names) and the body's bytes."""

    def __init__(self, statuses=(200,)):
        self.statuses, self.requests = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append({"path": self.path, "headers": headers, "body": body})
                status = receiver.statuses[min(len(receiver.requests), len(receiver.statuses)) - 1]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/email?source=test"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def types(self) -> list[str]:
        return [event["type"] for event in self.events()]


def verified(request: dict, secret: str) -> dict:
    """The body, verified with the standardwebhooks library (raises WebhookVerificationError otherwise)."""
    return Webhook(secret).verify(request["body"], request["headers"])


@pytest.fixture
def hooks(settings):
    """Loopback receivers allowed, short attempts, and the webhooks queue empty before and after."""
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    empty_queues()  # the webhooks queue too, and its drain's marker
    yield settings
    empty_queues()


def webhooks_path(api) -> str:
    return f"/accounts/{api.owner.name}/webhooks"


def create_webhook(api, url: str, types, **extra) -> tuple[int, str]:
    """(webhook id, secret), through the Blueprint surface."""
    body = {"url": url, "eventTypes": list(types), **extra}
    created = assert_hypermedia(api.post(webhooks_path(api), body), 201, "webhook-secret")
    return created["webhookId"], created["secret"]


def deliver() -> None:
    """The webhooks queue until it is empty: the outbox drained, each delivery attempted once (retries wait in RQ's
    scheduled registry, see ``due_retries``)."""
    run_jobs(QUEUE)


def acting(call):
    """``call()`` with its on-commit callbacks run (the drain asked for), then the webhooks queue run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = call()
    deliver()
    return result


def due_retries() -> int:
    """What RQ's scheduler does when the time comes, the time moved instead: pending deliveries are due now and
    their scheduled jobs go to the queue. How many jobs moved."""
    Delivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    queue = django_rq.get_queue(QUEUE)
    registry = queue.scheduled_job_registry
    moved = 0
    for job_id in registry.get_job_ids():
        job = queue.fetch_job(job_id)
        registry.remove(job)
        queue.enqueue_job(job)
        moved += 1
    return moved


def log(api, webhook_id: int, **query) -> dict:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return assert_hypermedia(
        api.get(f"{webhooks_path(api)}/{webhook_id}/deliveries{suffix}"), 200, "webhook-deliveries"
    )


def outbox_types() -> list[str]:
    return list(Event.objects.order_by("id").values_list("type", flat=True))
