"""When a task ends, its representation is POSTed, signed, to the callback URL; private addresses are refused."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import django_rq
import pytest
from django.test import TestCase
from django.utils import timezone

from tasks.models import Task
from tasks.sweeper import recover_round
from tests.helpers import assert_problem
from tests.subscribers.builders import create_list
from tests.tasks.builders import (
    TaskPaths,
    action,
    csv_bytes,
    empty_queues,
    get_task,
    json_body,
    post_import,
    post_multipart,
    run_jobs,
    submit,
    task_row,
    upload,
)

ROWS = [["email"], ["a@example.com"], ["b@example.com"], ["bad"]]
REFUSED = "/errors/400.41-callback-refused"


class Hook:
    """A local HTTP server that answers with the given statuses in turn (the last one repeats)."""

    def __init__(self, statuses):
        self.statuses, self.requests = list(statuses), []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = hook.statuses[min(len(hook.requests), len(hook.statuses)) - 1]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/import?token=abc"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def callbacks(settings, queues):
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = True
    settings.CALLBACK_BACKOFF_SECONDS = 0
    settings.CALLBACK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def list_id(api):
    return create_list(api, "Target")


def assert_signed(request, secret: str) -> dict:
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Signature"] == expected
    assert request["headers"]["Content-Type"].startswith("application/json")
    return json.loads(request["body"])


def test_callback_is_retried_until_delivered_and_signed(api, owner, list_id, callbacks):
    with Hook([500, 500, 200]) as hook:
        task_id = submit(api, list_id, json_body(ROWS, callback=hook.url), "application/json")
        run_jobs()
    assert len(hook.requests) == 3
    assert all(r["path"] == "/hooks/import?token=abc" for r in hook.requests)
    assert len({r["body"] for r in hook.requests}) == 1  # every attempt sends the same signed body
    sent = assert_signed(hook.requests[-1], owner.account.signing_secret)
    assert (sent["taskId"], sent["status"]) == (task_id, "done")
    assert sent["result"]["new"] == 2 and sent["result"]["invalid"] == 1 and sent["errorsCount"] == 1
    assert sent == get_task(api, task_id)  # the task representation, as the API shows it
    task = task_row(task_id)
    assert (task.callback_status, task.callback_attempts, task.callback_error) == ("delivered", 3, "")


def test_a_wrong_secret_does_not_verify(api, owner, list_id, callbacks):
    with Hook([200]) as hook:
        submit(api, list_id, json_body(ROWS, callback=hook.url), "application/json")
        run_jobs()
    body = hook.requests[0]["body"]
    wrong = "sha256=" + hmac.new(b"another secret", body, hashlib.sha256).hexdigest()
    assert hook.requests[0]["headers"]["X-Signature"] != wrong
    assert_signed(hook.requests[0], owner.account.signing_secret)


def test_callback_that_always_fails_is_marked_failed_after_backing_off(api, list_id, callbacks, monkeypatch):
    callbacks.CALLBACK_BACKOFF_SECONDS = 1
    attempts = callbacks.CALLBACK_ATTEMPTS
    assert attempts >= 3
    waits = []
    monkeypatch.setattr("tasks.callbacks.time", type("Clock", (), {"sleep": staticmethod(waits.append)}))
    with Hook([503]) as hook:
        task_id = submit(api, list_id, csv_bytes(ROWS), "text/csv", query=f"callback={hook.url}")
        run_jobs()
    assert len(hook.requests) == attempts
    assert waits == [2**n for n in range(attempts - 1)]  # 1, 2, 4… seconds between attempts
    task = task_row(task_id)
    assert task.status == "done"
    assert (task.callback_status, task.callback_attempts) == ("failed", attempts)
    assert "503" in task.callback_error


def test_callback_when_the_task_ends_in_error(api, owner, list_id, callbacks):
    with Hook([200]) as hook:
        task_id = submit(api, list_id, json_body(ROWS, callback=hook.url), "application/json")
        api.delete(TaskPaths(api.owner).list(list_id))
        run_jobs()
    sent = assert_signed(hook.requests[0], owner.account.signing_secret)
    assert (sent["taskId"], sent["status"]) == (task_id, "error") and sent["reason"]
    assert task_row(task_id).callback_status == "delivered"


def test_unreachable_callback_is_marked_failed_and_the_task_still_done(api, list_id, callbacks):
    with Hook([200]) as hook:
        url = hook.url
    callbacks.CALLBACK_ATTEMPTS = 2
    task_id = submit(api, list_id, csv_bytes(ROWS), "text/csv", query=f"callback={url}")
    run_jobs()
    task = task_row(task_id)
    assert (task.status, task.callback_status, task.callback_attempts) == ("done", "failed", 2)
    assert task.callback_error


def test_callback_in_a_form_part_and_on_cancel(api, owner, list_id, callbacks):
    with Hook([200]) as hook:
        response = post_multipart(
            api, list_id, {"file": upload("a.csv", csv_bytes(ROWS), "text/csv"), "callback": hook.url}
        )
        task_id = int(response["Location"].rsplit("/", 1)[1])
        action(api, task_id, "cancel")
        run_jobs()
    assert len(hook.requests) == 1
    sent = assert_signed(hook.requests[0], owner.account.signing_secret)
    assert (sent["taskId"], sent["status"]) == (task_id, "canceled")
    assert task_row(task_id).callback_status == "delivered"


def test_no_callback_no_request(api, list_id, callbacks):
    with Hook([200]) as hook:
        task_id = submit(api, list_id, csv_bytes(ROWS), "text/csv")
        run_jobs()
    assert hook.requests == [] and task_row(task_id).callback_status == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://10.0.0.1/x",
        "http://192.168.1.20/x",
        "http://172.16.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[fe80::1]/x",
        "http://0.0.0.0/x",
        "http://localhost:8000/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://2130706433/x",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http:///x",
    ],
)
def test_private_or_non_http_callback_is_refused_at_submission(api, list_id, settings, url):
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False
    for response in (
        post_import(api, list_id, json_body(ROWS, callback=url), "application/json"),
        post_import(api, list_id, csv_bytes(ROWS), "text/csv", query=f"callback={url}"),
        post_multipart(api, list_id, {"file": upload("a.csv", csv_bytes(ROWS), "text/csv"), "callback": url}),
    ):
        body = assert_problem(response, 400, REFUSED, 41)
        assert body["detail"]
    assert Task.objects.count() == 0


def test_callback_is_checked_again_at_delivery(api, list_id, callbacks):
    with Hook([200]) as hook:
        task_id = submit(api, list_id, json_body(ROWS, callback=hook.url), "application/json")
        callbacks.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False  # the address became forbidden before delivery
        run_jobs()
    assert hook.requests == []
    task = task_row(task_id)
    assert task.status == "done"
    assert (task.callback_status, task.callback_attempts) == ("failed", 1)  # refused: no point retrying
    assert "refused" in task.callback_error


def test_callback_jobs_run_on_their_own_queue(api, list_id, callbacks):
    """A slow receiver holds a callbacks worker, never one that imports or sends."""
    with Hook([200]) as hook:
        task_id = submit(api, list_id, csv_bytes(ROWS), "text/csv", query=f"callback={hook.url}")
        run_jobs("imports")
        assert task_row(task_id).status == "done"
        run_jobs("default", "sending")
        assert task_row(task_id).callback_status == "pending" and hook.requests == []
        run_jobs("callbacks")
    assert len(hook.requests) == 1 and task_row(task_id).callback_status == "delivered"
    sent = json.loads(hook.requests[0]["body"])
    assert TaskPaths(api.owner).task(task_id) in {link["href"] for link in sent["_links"]}


def test_a_callback_whose_job_was_lost_is_queued_again_by_the_sweeper(api, list_id, callbacks):
    """Redis away when the task ended (or lost the job since): the callback stayed pending for ever."""
    callbacks.TASK_STALE_AFTER_SECONDS = 60
    with Hook([200]) as hook:
        task_id = submit(api, list_id, csv_bytes(ROWS), "text/csv", query=f"callback={hook.url}")
        run_jobs("imports")
        assert task_row(task_id).callback_status == "pending"
        empty_queues()  # the callback's job is gone, as after a Redis restart that lost it
        recover_round()
        assert django_rq.get_queue("callbacks").count == 0  # a callback pending for less: left alone
        Task.objects.filter(pk=task_id).update(finished_at=timezone.now() - timedelta(minutes=5))
        with TestCase.captureOnCommitCallbacks(execute=True):
            recover_round()
        run_jobs("callbacks")
    assert len(hook.requests) == 1 and task_row(task_id).callback_status == "delivered"
