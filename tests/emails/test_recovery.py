"""Single emails survive their worker and their job: with real rqworker processes and an SMTP server on
loopback, a worker SIGKILLed in the middle of a send leaves the email `unknown` (maybe delivered, never
sent twice), and an email whose job was lost from Redis is sent by the sweeper, once."""

import django_rq
import pytest

from campaigns.models import Message
from tests.campaigns.workers import Workers, deliveries, wait_for
from tests.helpers import assert_hypermedia

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SEND = "/api/v1/emails/send"


def send_one(api, to: str) -> int:
    body = {"to": to, "subject": "Receipt", "text": "Thanks", "fromEmail": "shop@example.com"}
    return assert_hypermedia(api.post(SEND, body), 202, "email")["emailId"]


def status_of(email_id: int) -> str:
    return Message.objects.get(pk=email_id).status


def test_an_email_whose_worker_dies_mid_send_becomes_unknown_and_is_never_sent_again(
    api, smtp_servers, fresh_redis, tmp_path
):
    server = smtp_servers(hold_at=1)  # records the message, then holds its 250 until released
    with Workers(tmp_path) as workers:
        first = workers.start(server.port)
        workers.wait_ready(1)
        email_id = send_one(api, "ann@example.com")
        wait_for(server.recorder.held.is_set, "the worker to be in the middle of the send", workers)
        workers.kill(first)
        server.recorder.released.set()
        assert status_of(email_id) == "sending"

        workers.start(server.port)  # nobody retries by hand: the sweeper does it
        wait_for(lambda: status_of(email_id) == "unknown", "the sweeper to give the email up", workers)
        wait_for(lambda: "1 in flight too long became unknown" in workers.log(2), "the sweeper's log line", workers)
    assert deliveries(server) == {"ann@example.com": 1}
    detail = assert_hypermedia(api.get(f"/api/v1/emails/{email_id}"), 200, "email")
    assert detail["status"] == "unknown"


def test_an_email_whose_job_was_lost_is_sent_once_by_the_sweeper(api, smtp_servers, fresh_redis, tmp_path):
    server = smtp_servers()
    email_id = send_one(api, "bob@example.com")
    sending = django_rq.get_queue("sending")
    assert sending.count == 1
    sending.empty()  # the job is gone (a Redis restart without persistence); the row says queued
    with Workers(tmp_path) as workers:
        workers.start(server.port)
        wait_for(lambda: status_of(email_id) == "sent", "the sweeper to send the email", workers)
        wait_for(lambda: "1 requeued" in workers.log(1), "the sweeper's log line", workers)
    assert deliveries(server) == {"bob@example.com": 1}
