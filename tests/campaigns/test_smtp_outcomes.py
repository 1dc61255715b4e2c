"""What the SMTP server answers decides each message's fate: 250 sent, 5xx hard bounce, 4xx retried with backoff
then soft bounce, an unreachable server retried then failed; and subscribers who left before their turn are
skipped. Against the aiosmtpd recorder on loopback."""

import threading
from collections import Counter
from datetime import timedelta

import django_rq
import pytest
from django.utils import timezone

from campaigns import recording
from campaigns.journal import UNJOURNALED_CLAIM
from campaigns.models import Event, Message
from campaigns.sending import Sender, _write_recipients
from campaigns.transport import transport_open
from tasks.models import Task
from tasks.services import task_join
from tests.campaigns.builders import (
    audience,
    campaign_row,
    create_campaign,
    get_campaign,
    messages_of,
    nonzero,
    send,
    start,
    subscriber,
)
from tests.campaigns.smtp import SmtpServer, free_port, smtp_server  # noqa: F401 (a fixture)
from tests.subscribers.builders import list_quantities, md5, set_status, unsubscribe


class Replies(dict):
    """The recorder's RCPT answers, scripted: ``address → [answer, …]`` is used up one RCPT at a time (then the
    address is accepted); every RCPT is counted, refused or not."""

    def __init__(self, script: dict[str, list[str]]):
        super().__init__()
        self.script = {address: list(answers) for address, answers in script.items()}
        self.asked = Counter()
        self.lock = threading.Lock()

    def get(self, address, default=None):
        with self.lock:
            self.asked[address] += 1
            answers = self.script.get(address)
            return answers.pop(0) if answers else default


@pytest.fixture
def retry_now(settings):
    settings.SEND_RETRY_BACKOFF_SECONDS = 0
    settings.SEND_MAX_ATTEMPTS = 3
    settings.SOFT_BOUNCE_THRESHOLD = 3


def campaign_to(api, count: int, **overrides) -> tuple[int, int, list[str]]:
    list_id, emails = audience(api, count)
    return create_campaign(api, [list_id], **overrides), list_id, emails


def run(api, campaign_id) -> dict:
    start(api, campaign_id)
    send()
    return get_campaign(api, campaign_id)


def assert_nothing_in_flight(campaign_id) -> None:
    assert not Message.objects.filter(campaign_id=campaign_id, status__in=("queued", "sending")).exists()


# --- Hard bounces --------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_5xx_is_a_hard_bounce_and_never_retried(api, owner, smtp_server, retry_now, stage):  # noqa: F811
    campaign_id, list_id, emails = campaign_to(api, 3)
    bad = emails[1]
    if stage == "rcpt":
        smtp_server.reply = Replies({bad: ["550 5.1.1 No such user"] * 5})
    else:
        smtp_server.data_reply[bad] = "554 5.7.1 Rejected as spam"
    body = run(api, campaign_id)
    assert body["status"] == "sent"
    assert nonzero(body["stats"]) == {"recipients": 3, "sent": 2, "hardBounces": 1}
    message = messages_of(campaign_id)[bad]
    expected = (550, "5.1.1 No such user") if stage == "rcpt" else (554, "5.7.1 Rejected as spam")
    assert (message.status, message.attempts, message.smtp_code, message.smtp_response) == ("hard-bounce", 1, *expected)
    if stage == "rcpt":
        assert smtp_server.reply.asked[bad] == 1  # not retried
    assert [(e.type, e.detail) for e in Event.objects.filter(message=message)] == [
        ("hard-bounce", f"{expected[0]} {expected[1]}")
    ]
    assert subscriber(owner, bad).status == "hard-bounce"
    assert list_quantities(api)[list_id] == 2
    assert smtp_server.per_recipient() == {emails[0]: 1, emails[2]: 1}
    task = Task.objects.get(pk=body["taskId"])
    assert (task.status, task.processed, task.succeeded, task.failed) == ("done", 3, 2, 1)

    # Suppressed: the next campaign to the list leaves the address out.
    smtp_server.data_reply.clear()
    again = create_campaign(api, [list_id], name="Again")
    assert nonzero(run(api, again)["stats"]) == {"recipients": 2, "sent": 2}
    assert bad not in messages_of(again)


# --- Soft bounces and retries --------------------------------------------------------------------


def test_4xx_is_retried_and_delivered_once_accepted(api, owner, smtp_server, retry_now):  # noqa: F811
    campaign_id, _, emails = campaign_to(api, 3)
    slow = emails[0]
    smtp_server.reply = Replies({slow: ["451 4.3.0 Try again later", "452 4.2.2 Mailbox full"]})
    body = run(api, campaign_id)
    assert body["status"] == "sent"
    assert nonzero(body["stats"]) == {"recipients": 3, "sent": 3}
    message = messages_of(campaign_id)[slow]
    assert (message.status, message.attempts, message.smtp_code) == ("sent", 3, 250)
    assert message.sent_at is not None and message.next_attempt_at is None
    assert smtp_server.reply.asked[slow] == 3
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)
    row = subscriber(owner, slow)
    assert (row.status, row.soft_bounces) == ("active", 0)
    assert not Event.objects.exists()


def test_4xx_after_every_attempt_is_a_soft_bounce(api, owner, smtp_server, retry_now):  # noqa: F811
    campaign_id, list_id, emails = campaign_to(api, 2)
    full = emails[1]
    smtp_server.reply = Replies({full: ["452 4.2.2 Mailbox full"] * 10})
    body = run(api, campaign_id)
    assert body["status"] == "sent"
    assert nonzero(body["stats"]) == {"recipients": 2, "sent": 1, "softBounces": 1}
    message = messages_of(campaign_id)[full]
    assert (message.status, message.attempts, message.smtp_code, message.smtp_response) == (
        "soft-bounce",
        3,
        452,
        "4.2.2 Mailbox full",
    )
    assert smtp_server.reply.asked[full] == 3
    assert [(e.type, e.detail) for e in Event.objects.filter(message=message)] == [
        ("soft-bounce", "452 4.2.2 Mailbox full")
    ]
    row = subscriber(owner, full)
    assert (row.status, row.soft_bounces) == ("active", 1)  # one soft bounce is below the threshold
    assert list_quantities(api)[list_id] == 2
    task = Task.objects.get(pk=body["taskId"])
    assert (task.processed, task.succeeded, task.failed) == (2, 1, 1)


def test_data_4xx_is_retried_too(api, smtp_server, retry_now, settings):  # noqa: F811
    settings.SEND_MAX_ATTEMPTS = 2
    campaign_id, _, emails = campaign_to(api, 1)
    smtp_server.data_reply[emails[0]] = "421 4.3.2 System not accepting network messages"
    body = run(api, campaign_id)
    message = messages_of(campaign_id)[emails[0]]
    assert (message.status, message.attempts, message.smtp_code) == ("soft-bounce", 2, 421)
    assert nonzero(body["stats"]) == {"recipients": 1, "softBounces": 1}
    assert_nothing_in_flight(campaign_id)


def test_soft_bounce_threshold_makes_the_subscriber_soft_bounce(api, owner, smtp_server, settings):  # noqa: F811
    settings.SEND_MAX_ATTEMPTS, settings.SOFT_BOUNCE_THRESHOLD = 1, 2
    list_id, emails = audience(api, 2)
    full = emails[0]
    smtp_server.reply = Replies({full: ["452 4.2.2 Mailbox full"] * 10})
    first = create_campaign(api, [list_id], name="First")
    run(api, first)
    assert (subscriber(owner, full).status, subscriber(owner, full).soft_bounces) == ("active", 1)
    second = create_campaign(api, [list_id], name="Second")
    assert nonzero(run(api, second)["stats"]) == {"recipients": 2, "sent": 1, "softBounces": 1}
    row = subscriber(owner, full)
    assert (row.status, row.soft_bounces) == ("soft-bounce", 2)
    assert list_quantities(api)[list_id] == 1
    third = create_campaign(api, [list_id], name="Third")
    assert nonzero(run(api, third)["stats"]) == {"recipients": 1, "sent": 1}
    assert smtp_server.reply.asked[full] == 2
    assert smtp_server.per_recipient() == {emails[1]: 3}


def move_scheduled_jobs() -> list:
    """What RQ's scheduler does when the time comes: the scheduled sender jobs go to their queue now."""
    queue = django_rq.get_queue("sending")
    registry = queue.scheduled_job_registry
    moved = []
    for job_id in registry.get_job_ids():
        moved.append(registry.get_scheduled_time(job_id))
        job = queue.fetch_job(job_id)
        registry.remove(job)
        queue.enqueue_job(job)
    return moved


def test_a_long_backoff_frees_the_worker_and_doubles(api, smtp_server, settings):  # noqa: F811
    settings.SEND_RETRY_BACKOFF_SECONDS, settings.SEND_MAX_ATTEMPTS = 60, 3
    campaign_id, _, emails = campaign_to(api, 2)
    slow = emails[0]
    smtp_server.reply = Replies({slow: ["451 4.3.0 Try again later"] * 2})

    body = run(api, campaign_id)  # the sender returns instead of waiting a minute
    assert body["status"] == "sending"
    message = messages_of(campaign_id)[slow]
    assert (message.status, message.attempts) == ("queued", 1)
    delay = (message.next_attempt_at - timezone.now()).total_seconds()
    assert 30 < delay <= 60  # SEND_RETRY_BACKOFF_SECONDS × 2^(1-1)
    task = Task.objects.get(pk=body["taskId"])
    assert task.status == "in-progress" and task.heartbeat_at >= message.next_attempt_at - timedelta(seconds=1)
    assert smtp_server.per_recipient() == {emails[1]: 1}

    # A minute later (the clock is moved by moving the due time), the scheduled sender retries.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    scheduled = move_scheduled_jobs()  # each sender that found only a far retry left one for then
    assert len(scheduled) == settings.CAMPAIGN_SENDERS
    assert all(abs((when - message.next_attempt_at).total_seconds()) < 2 for when in scheduled)
    send()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 2)
    assert 90 < (message.next_attempt_at - timezone.now()).total_seconds() <= 120  # 60 × 2^(2-1)

    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    move_scheduled_jobs()
    send()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)
    assert get_campaign(api, campaign_id)["status"] == "sent"
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)


# --- Skipped at their turn -----------------------------------------------------------------------


def test_subscribers_who_left_before_their_turn_are_skipped(api, owner, smtp_server, settings):  # noqa: F811
    settings.CAMPAIGN_BATCH_SIZE = 1
    campaign_id, _list_id, emails = campaign_to(api, 5)
    start(api, campaign_id)
    campaign = campaign_row(campaign_id)
    # A sender joins, writes the recipients and sends one batch (one message)...
    task = task_join(task_id=campaign.task_id)
    _write_recipients(campaign, task)
    campaign.refresh_from_db()
    sender = Sender(campaign, task)
    transport = transport_open()
    try:
        sender._send(
            recording.claim(campaign_id=campaign_id, task_id=task.pk, size=1, now=timezone.now()),
            transport,
            UNJOURNALED_CLAIM,
        )
    finally:
        transport.close()
    assert smtp_server.per_recipient() == {emails[0]: 1}
    # ...then, before their turn, one unsubscribes, one hard-bounces elsewhere, one soft-bounces.
    unsubscribe(api, md5(emails[2]))
    set_status(owner.account, md5(emails[3]), "hard-bounce")
    set_status(owner.account, md5(emails[4]), "soft-bounce")
    send()  # the senders queued at start finish the campaign
    body = get_campaign(api, campaign_id)
    assert body["status"] == "sent"
    assert nonzero(body["stats"]) == {"recipients": 5, "sent": 2, "skipped": 3}
    assert smtp_server.per_recipient() == {emails[0]: 1, emails[1]: 1}
    statuses = {email: (m.status, m.attempts) for email, m in messages_of(campaign_id).items()}
    assert statuses == {
        emails[0]: ("sent", 1),
        emails[1]: ("sent", 1),
        emails[2]: ("skipped", 0),
        emails[3]: ("skipped", 0),
        emails[4]: ("skipped", 0),
    }
    task.refresh_from_db()
    assert (task.status, task.total, task.processed, task.succeeded, task.failed) == ("done", 5, 5, 2, 3)


# --- The server cannot be reached ----------------------------------------------------------------


def test_an_unreachable_server_charges_nobody_and_the_campaign_resumes_when_it_is_back(api, owner, settings, retry_now):
    port = free_port()  # nothing listens there yet
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SEND_FAULT_TIMEOUT_SECONDS = 1
    settings.TASK_STALE_AFTER_SECONDS = 2  # the sender waits at most 0.5 s between tries
    campaign_id, list_id, emails = campaign_to(api, 3)
    body = run(api, campaign_id)
    # The sender waited, then gave up: the task is in error, the campaign paused, every message still queued.
    assert body["status"] == "paused"
    task = Task.objects.get(pk=body["taskId"])
    assert task.status == "error" and "SMTP server has failed" in task.reason
    messages = messages_of(campaign_id).values()
    for message in messages:
        assert (message.status, message.attempts, message.sent_at) == ("queued", 0, None)
    # A batch stops at the first fault: that message keeps the reason, the others were not tried.
    assert any("refused" in message.smtp_response.lower() for message in messages)
    for email in emails:  # the server's fault, not theirs
        row = subscriber(owner, email)
        assert (row.status, row.soft_bounces) == ("active", 0)
    assert list_quantities(api)[list_id] == 3
    assert not Event.objects.exists()
    server = SmtpServer(port).start()  # the server is back: start resumes
    try:
        body = run(api, campaign_id)
    finally:
        server.stop()
    assert body["status"] == "sent" and nonzero(body["stats"]) == {"recipients": 3, "sent": 3}
    assert sorted(server.recorder.per_recipient().values()) == [1, 1, 1]
    assert_nothing_in_flight(campaign_id)
    task.refresh_from_db()
    assert (task.status, task.processed, task.succeeded, task.failed) == ("done", 3, 3, 0)
