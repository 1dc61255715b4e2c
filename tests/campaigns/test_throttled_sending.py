"""Sending limits and several SMTP servers, end to end: real `manage.py rqworker` subprocesses sending campaigns
to SMTP servers on loopback (aiosmtpd) that note when each message arrives.

Two workers sharing an account's limit never put more in a second's window than the limit (at the server's
clock); a campaign under a limit only waits, and a pause during its wait is answered; weights spread the
batches over two servers; a server refusing connections is set aside and the other carries every message,
each exactly once."""

import json
import time
from bisect import bisect_left
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account
from api.redis_client import redis_client
from campaigns.models import Message
from tasks.models import Task
from tests.campaigns.smtp import free_port
from tests.campaigns.workers import (
    SlowRecorder,
    Workers,
    act,
    add_subscribers,
    addresses,
    assert_accounts_add_up,
    campaign_id,
    campaign_status,
    create_campaign,
    deliveries,
    get_campaign,
    sending_rows,
    statuses,
    wait_for,
)
from tests.subscribers.builders import create_list

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class TimedRecorder(SlowRecorder):
    """Notes the time (time.monotonic()) each message is accepted."""

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250"):
            self.times.append(time.monotonic())
        return answer


@pytest.fixture(autouse=True)
def no_limits_left():
    """No sliding log or set-aside server of an earlier test (account ids come back across runs)."""

    def clean():
        client = redis_client()
        keys = [*client.scan_iter("emailapi:rate:*"), *client.scan_iter("emailapi:smtp-aside:*")]
        if keys:
            client.delete(*keys)

    clean()
    yield
    clean()


def timed_server(smtp_servers):
    server = smtp_servers()
    server.recorder.__class__ = TimedRecorder
    server.recorder.times = []
    return server


def campaign_to(api, owner, count: int) -> tuple[str, list[str]]:
    list_id = create_list(api, "News")
    emails = addresses("r", count)
    add_subscribers(owner.account, [list_id], emails)
    return create_campaign(api, "News", [list_id]), emails


def limit_account(account, *, per_second=None, per_hour=None) -> None:
    Account.objects.filter(pk=account.pk).update(send_rate_per_second=per_second, send_rate_per_hour=per_hour)


def busiest_second(times: list[float]) -> int:
    """The most messages in any window of one second."""
    return max(bisect_left(times, at + 1.0) - i for i, at in enumerate(times))


def test_two_workers_sharing_an_accounts_limit_never_exceed_it_and_each_recipient_gets_one(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    settings.CAMPAIGN_SENDERS = 2
    server = timed_server(smtp_servers)
    limit_account(owner.account, per_second=20)
    location, emails = campaign_to(api, owner, 120)
    with Workers(tmp_path) as workers:
        for _ in range(2):
            workers.start(server.port)
        workers.wait_ready(2)
        act(api, location, "start")
        wait_for(lambda: campaign_status(campaign_id(location)) == "sent", "the campaign to be sent", workers)
    times = sorted(server.recorder.times)
    # A grant's messages leave just after it: a window at the server may hold one grant (2) more than the limit.
    assert busiest_second(times) <= 20 + 2, busiest_second(times)
    rate = (len(times) - 20) / (times[-1] - times[0])  # the first second's 20 go at once
    assert 18 <= rate <= 21, rate
    assert deliveries(server) == dict.fromkeys(emails, 1)
    assert_accounts_add_up(api, location, recipients=120, sent=120)


def test_a_pause_while_the_hours_limit_holds_the_campaign_is_answered_and_start_sends_the_rest_once(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    settings.CAMPAIGN_SENDERS = 1
    server = smtp_servers()
    limit_account(owner.account, per_hour=5)
    location, emails = campaign_to(api, owner, 15)
    pk = campaign_id(location)
    with Workers(tmp_path) as workers:
        workers.start(server.port)
        workers.wait_ready()
        act(api, location, "start")
        task_id = get_campaign(api, location)["taskId"]
        # Five sent, then the sender hands over to one scheduled for when the hour's first slot frees.
        wait_for(
            lambda: (
                (Task.objects.get(pk=task_id).heartbeat_at or timezone.now()) > timezone.now() + timedelta(minutes=50)
            ),
            "the sender to wait for the hour's limit",
            workers,
        )
        assert len(server.recorder.deliveries) == 5
        assert {status: len(rows) for status, rows in statuses(pk).items()} == {"sent": 5, "queued": 10}
        act(api, location, "pause")
        assert get_campaign(api, location)["status"] == "paused"
        assert sending_rows(pk) == 0

        limit_account(owner.account, per_hour=0)  # no limit now: start sends the rest at once
        act(api, location, "start")
        wait_for(lambda: campaign_status(pk) == "sent", "the campaign to be sent", workers)
    assert deliveries(server) == dict.fromkeys(emails, 1)
    assert_accounts_add_up(api, location, recipients=15, sent=15)


def test_a_pause_during_a_short_wait_stops_the_sender_at_once(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    settings.CAMPAIGN_SENDERS = 1
    server = smtp_servers()
    limit_account(owner.account, per_second=2)
    location, emails = campaign_to(api, owner, 30)
    pk = campaign_id(location)
    with Workers(tmp_path) as workers:
        workers.start(server.port)
        workers.wait_ready()
        act(api, location, "start")
        wait_for(lambda: len(server.recorder.deliveries) >= 3, "a few messages", workers)
        act(api, location, "pause")
        wait_for(lambda: sending_rows(pk) == 0, "the message in flight to be recorded", workers)
        stopped = len(server.recorder.deliveries)
        time.sleep(1.5)  # three messages' time under the limit: a sender still going would have sent more
        assert len(server.recorder.deliveries) == stopped < 30
        assert Message.objects.filter(campaign_id=pk, status="queued").count() == 30 - stopped
        limit_account(owner.account)
        act(api, location, "start")
        wait_for(lambda: campaign_status(pk) == "sent", "the campaign to be sent", workers)
    assert deliveries(server) == dict.fromkeys(emails, 1)
    assert_accounts_add_up(api, location, recipients=30, sent=30)


def transports(*servers) -> str:
    return json.dumps(
        [{"host": "127.0.0.1", "port": port, "weight": weight, "name": name} for name, port, weight in servers]
    )


def test_weights_spread_the_batches_over_two_servers(api, owner, smtp_servers, fresh_redis, settings, tmp_path):
    settings.CAMPAIGN_SENDERS = 2
    heavy, light = smtp_servers(), smtp_servers()
    location, emails = campaign_to(api, owner, 400)
    config = transports(("heavy", heavy.port, 3), ("light", light.port, 1))
    with Workers(tmp_path) as workers:
        for _ in range(2):
            workers.start(heavy.port, EMAIL_HOST="", EMAIL_TRANSPORTS=config, CAMPAIGN_BATCH_SIZE=10)
        workers.wait_ready(2)
        act(api, location, "start")
        wait_for(lambda: campaign_status(campaign_id(location)) == "sent", "the campaign to be sent", workers)
    shares = len(heavy.recorder.deliveries), len(light.recorder.deliveries)
    assert abs(shares[0] - 300) <= 30 and sum(shares) == 400, shares  # within a batch or so per sender
    assert deliveries(heavy, light) == dict.fromkeys(emails, 1)
    assert_accounts_add_up(api, location, recipients=400, sent=400)


def test_a_server_refusing_connections_is_set_aside_and_the_other_carries_every_message_once(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    settings.CAMPAIGN_SENDERS = 2
    alive = smtp_servers()
    closed = free_port()  # nothing listens there
    location, emails = campaign_to(api, owner, 100)
    config = transports(("down", closed, 3), ("up", alive.port, 1))  # the closed one is chosen first
    with Workers(tmp_path) as workers:
        for _ in range(2):
            workers.start(alive.port, EMAIL_HOST="", EMAIL_TRANSPORTS=config, CAMPAIGN_BATCH_SIZE=10)
        workers.wait_ready(2)
        started = time.monotonic()
        act(api, location, "start")
        wait_for(lambda: campaign_status(campaign_id(location)) == "sent", "the campaign to be sent", workers)
        elapsed = time.monotonic() - started
        assert redis_client().ttl("emailapi:smtp-aside:down") > 0  # set aside for every worker
        assert "SMTP server down faulted: set aside" in workers.logs()
    assert elapsed < 15, elapsed  # the others carried on: no fault backoff while a server was available
    assert deliveries(alive) == dict.fromkeys(emails, 1)
    assert_accounts_add_up(api, location, recipients=100, sent=100)
