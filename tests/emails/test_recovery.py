"""Single emails survive their worker and their job: with real rqworker processes and an SMTP server on
loopback, a worker SIGKILLed while the message is on the wire (its data sent, the reply held) leaves the
email `unknown` (maybe delivered, never sent twice), and an email whose job was lost from Redis is sent by
the sweeper, once. (What the send journal makes of the other moments: tests/campaigns/test_journal.py.)"""

import django_rq
import pytest
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone

from analytics.models import DailyStat
from campaigns.journal import Journals, email_claim
from campaigns.messages import single_message_claim, single_message_record
from campaigns.models import Message
from campaigns.outcomes import RETRY, decide
from campaigns.replies import Outcome
from tasks.sweeper import recover_round
from tests.campaigns.builders import send
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
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
        wait_for(lambda: "recovered: unknown 1" in workers.log(2), "the sweeper's log line", workers)
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


# --- What the send journal tells the sweeper (in this process: the worker's steps, then its death) -------------


def post_send(api, body) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return assert_hypermedia(api.post(SEND, body), 202, "email")["emailId"]


def claimed_and_dead(api, moment: str) -> Message:
    """A single email claimed by a worker that died at ``moment``: "claimed" (nothing sent), "on the wire"
    (its data going out, no reply read) or "answered" (250 read and journaled, not yet recorded)."""
    email_id = post_send(
        api, {"to": "ann@example.com", "subject": "Receipt", "text": "Thanks", "fromEmail": "s@example.com"}
    )
    django_rq.get_queue("sending").empty()  # the dead worker had taken its job
    claimed_at = timezone.now()
    journals = Journals()
    send_journal = journals.open(email_claim(email_id, claimed_at))
    message = single_message_claim(email_id, now=claimed_at)
    send_journal.bind([email_id])
    if moment == "on the wire":
        send_journal.announce([0], [None])
        assert send_journal.confirm()
    elif moment == "answered":
        send_journal.announce([0], [None])
        send_journal.settle([Outcome("sent", 250, "2.0.0 Ok: queued as 1")])
    journals.close()
    return message


@pytest.mark.parametrize(
    "moment,status,delivered",
    [("claimed", "sent", 1), ("on the wire", "unknown", 0), ("answered", "sent", 0)],
)
def test_the_sweeper_makes_of_a_dead_workers_email_what_its_journal_says(
    api,
    smtp_server,  # noqa: F811
    settings,
    fresh_redis,
    moment,
    status,
    delivered,
):
    settings.TASK_STALE_AFTER_SECONDS = 0
    message = claimed_and_dead(api, moment)
    recover_round()
    send()  # the requeued job, if any
    message.refresh_from_db()
    assert message.status == status
    assert smtp_server.per_recipient().get("ann@example.com", 0) == delivered  # the server's record, not ours
    sent = DailyStat.objects.filter(account_id=message.account_id, metric="sent").aggregate(n=Sum("count"))["n"]
    assert (sent or 0) == (status == "sent")  # counted once, by whoever recorded it


def test_a_late_record_after_the_sweepers_does_not_count_twice(api, smtp_server, settings, fresh_redis):  # noqa: F811
    settings.TASK_STALE_AFTER_SECONDS = 0
    message = claimed_and_dead(api, "on the wire")
    recover_round()  # unknown
    now = timezone.now()
    late = decide(Outcome("sent", 250, "ok"), attempts=1, now=now, on_fault=RETRY)
    assert single_message_record(message=message, decision=late, now=now) is False
    message.refresh_from_db()
    assert message.status == "unknown"
    assert not DailyStat.objects.filter(account_id=message.account_id, metric="sent").exists()
