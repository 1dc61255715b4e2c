"""Exactly once, with real processes: each (campaign, subscriber) gets at most one message, ever.

Real `manage.py rqworker` subprocesses send to SMTP servers on loopback that record every delivery
(tests/campaigns/workers.py): across pause and resume, with three workers sending one campaign at
once, and after workers are SIGKILLed mid-batch and the campaign resumed by the sweeper or by
`start`: of a killed sender's batch only the message on the wire ends `unknown`. Nobody in the
target lists when sending begins is left out; whoever stops being active before their turn is
skipped.
"""

import time

import django_rq
import pytest

from campaigns.models import Message
from subscribers.models import Subscriber
from tasks.models import Task
from tests.campaigns.workers import (
    Workers,
    act,
    action_names,
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
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import create_list, md5, set_status, subscribed, unsubscribe
from tests.tasks.builders import BurstWorker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
BATCH = 20


def campaign_to(api, owner, count: int, prefix: str = "r") -> tuple[str, list[str]]:
    """A campaign to ``count`` new subscribers of one list: its URL and the addresses."""
    list_id = create_list(api, "News")
    emails = addresses(prefix, count)
    add_subscribers(owner.account, [list_id], emails)
    return create_campaign(api, "News", [list_id]), emails


def send_batches(api, location: str, server, workers: Workers, batches: int) -> None:
    """One worker sending BATCH messages at a time to ``server``: the campaign started, until ``batches``
    batches are delivered."""
    workers.start(server.port, CAMPAIGN_BATCH_SIZE=BATCH, CAMPAIGN_BATCH_DELAY_MS=50)
    workers.wait_ready()
    act(api, location, "start")
    wait_for(lambda: len(server.recorder.deliveries) >= batches * BATCH, "a few batches", workers)


def test_pause_stops_after_the_batch_in_flight_and_start_resumes(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    settings.CAMPAIGN_SENDERS = 1
    server = smtp_servers()
    location, emails = campaign_to(api, owner, 600)
    pk = campaign_id(location)
    with Workers(tmp_path) as workers:
        send_batches(api, location, server, workers, 3)

        act(api, location, "pause")
        at_pause = len(server.recorder.deliveries)
        body = get_campaign(api, location)
        assert body["status"] == "paused" and action_names(body) == ["start", "cancel"], body
        wait_for(lambda: sending_rows(pk) == 0, "the batch in flight to be recorded", workers)
        stopped = len(server.recorder.deliveries)
        assert stopped - at_pause <= BATCH, (at_pause, stopped)  # at most the batch in flight
        time.sleep(1.0)  # ten batches' time: a sender still going would have sent more by now
        assert len(server.recorder.deliveries) == stopped < len(emails)
        assert {status: len(rows) for status, rows in statuses(pk).items()} == {
            "sent": stopped,
            "queued": len(emails) - stopped,
        }
        task = Task.objects.get(pk=body["taskId"])
        assert (task.status, task.processed, task.succeeded) == ("paused", stopped, stopped)

        act(api, location, "start")  # resumes: the same task, the queued rows
        wait_for(lambda: campaign_status(pk) == "sent", "the campaign to be sent", workers, timeout=40)
    assert deliveries(server) == dict.fromkeys(emails, 1)
    assert_accounts_add_up(api, location, recipients=600, sent=600)


def test_three_workers_send_one_campaign_together_and_each_recipient_gets_one_message(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    settings.CAMPAIGN_SENDERS = 3  # the start below (in this process) queues three senders
    servers = [smtp_servers() for _ in range(3)]  # one per worker: what each worker delivered is known
    location, emails = campaign_to(api, owner, 600)
    pk = campaign_id(location)
    with Workers(tmp_path) as workers:
        for server in servers:
            workers.start(server.port, CAMPAIGN_BATCH_SIZE=10, CAMPAIGN_BATCH_DELAY_MS=30)
        workers.wait_ready(3)
        act(api, location, "start")
        wait_for(lambda: campaign_status(pk) == "sent", "the campaign to be sent", workers)
    shares = [len(server.recorder.deliveries) for server in servers]
    assert sum(shares) == 600 and min(shares) >= 3 * 10, shares  # every worker sent a fair part of it
    assert deliveries(*servers) == dict.fromkeys(emails, 1)
    assert Message.objects.filter(campaign_id=pk, status__in=("queued", "sending")).count() == 0
    assert_accounts_add_up(api, location, recipients=600, sent=600)


# --- SIGKILL mid-batch ----------------------------------------------------------------------------

HOLD_A, HOLD_B = 2 * BATCH + BATCH // 2, BATCH + BATCH // 2  # mid-batch: ten delivered, ten not yet sent


def kill_two_senders_mid_batch(api, owner, smtp_servers, settings, workers: Workers):
    """Two workers send a campaign of 600; each is SIGKILLed in the middle of a batch (its SMTP server
    holds the reply to the batch's 10th message, so the instant is exact): the URL, the addresses, the servers."""
    settings.CAMPAIGN_SENDERS, settings.CAMPAIGN_BATCH_SIZE = 2, BATCH
    server_a, server_b = smtp_servers(hold_at=HOLD_A), smtp_servers(hold_at=HOLD_B)
    location, emails = campaign_to(api, owner, 600)
    pk = campaign_id(location)
    senders = [
        workers.start(server.port, CAMPAIGN_BATCH_SIZE=BATCH, CAMPAIGN_SENDERS=2) for server in (server_a, server_b)
    ]
    workers.wait_ready(2)
    act(api, location, "start")
    wait_for(
        lambda: server_a.recorder.held.is_set() and server_b.recorder.held.is_set(),
        "both senders to be in the middle of a batch",
        workers,
    )
    for process in senders:
        workers.kill(process)
    server_a.recorder.released.set()
    server_b.recorder.released.set()

    # A recorded two batches, B one; each died holding one more (10 delivered, 10 not yet sent).
    assert {status: len(rows) for status, rows in statuses(pk).items()} == {
        "sent": 3 * BATCH,
        "sending": 2 * BATCH,
        "queued": 600 - 5 * BATCH,
    }
    assert len(server_a.recorder.deliveries) + len(server_b.recorder.deliveries) == HOLD_A + HOLD_B
    task = Task.objects.get(campaign__pk=pk)
    assert (task.status, task.processed) == ("in-progress", 3 * BATCH)
    assert campaign_status(pk) == "sending"
    return location, emails, (server_a, server_b)


def assert_once_at_most(api, location, emails, servers) -> None:
    """Nobody got two; of each killed sender's batch only the message on the wire (delivered, its 250 held)
    is `unknown`: its journal says the others were accepted (`sent`) or never started (sent after the
    recovery). Everyone got exactly one; the campaign is sent and every counter adds up."""
    pk = campaign_id(location)
    counts = deliveries(*servers)
    assert not [address for address, count in counts.items() if count > 1], counts.most_common(3)
    on_the_wire = {
        server.recorder.deliveries[hold - 1].rcpt_to for server, hold in zip(servers, (HOLD_A, HOLD_B), strict=True)
    }
    assert set(statuses(pk)["unknown"]) == on_the_wire  # one per killed sender's connection
    assert counts == dict.fromkeys(emails, 1)
    assert_accounts_add_up(api, location, recipients=600, sent=600 - 2, unknown=2)


def test_killed_senders_are_replaced_by_a_new_worker_whose_sweeper_requeues_the_campaign(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    with Workers(tmp_path) as workers:
        location, emails, servers = kill_two_senders_mid_batch(api, owner, smtp_servers, settings, workers)
        task_id = get_campaign(api, location)["taskId"]
        workers.start(servers[0].port, CAMPAIGN_BATCH_SIZE=BATCH, CAMPAIGN_SENDERS=2)  # nobody calls start
        wait_for(
            lambda: campaign_status(campaign_id(location)) == "sent", "the sweeper to resume the campaign", workers
        )
        assert f"requeued stale tasks [{task_id}]" in workers.log(3), workers.logs()
    assert_once_at_most(api, location, emails, servers)


def test_killed_senders_campaign_is_started_again_once_its_heartbeat_is_stale(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    with Workers(tmp_path) as workers:
        location, emails, servers = kill_two_senders_mid_batch(api, owner, smtp_servers, settings, workers)
        v1 = f"/api/v1/campaigns/{campaign_id(location)}"
        # While the heartbeat is fresh the senders may be alive: start is refused.
        if "start" not in action_names(assert_hypermedia(api.get(v1), 200, "campaign")):
            assert_problem(api.post(f"{v1}/start"), 409, "/errors/409.7-campaign-action-not-allowed")
        workers.end_group(*workers.started)  # the scheduler too: no sweeper
        wait_for(
            lambda: "start" in action_names(assert_hypermedia(api.get(v1), 200, "campaign")),
            "a stale heartbeat",
            workers,
            timeout=10,
        )
        assert get_campaign(api, location)["status"] == "sending"
        assert_hypermedia(api.post(f"{v1}/start"), 200, "message")
        assert Task.objects.get(campaign__pk=campaign_id(location)).status == "queued"
        queue = django_rq.get_queue("sending")
        BurstWorker([queue], connection=queue.connection).work(burst=True)  # this process, to servers[0]
    assert_once_at_most(api, location, emails, servers)


# --- Nobody left out, nobody sent to who left ------------------------------------------------------


def test_everyone_in_the_lists_gets_it_once_and_who_leaves_before_their_turn_is_skipped(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path
):
    settings.CAMPAIGN_SENDERS = 1
    server = smtp_servers()
    account = owner.account
    first, second, other = create_list(api, "First"), create_list(api, "Second"), create_list(api, "Other")
    add_subscribers(account, [first], addresses("s", 200))
    add_subscribers(account, [first, second], addresses("s", 100, start=200))  # in both lists: one message
    add_subscribers(account, [second], addresses("s", 100, start=300))
    add_subscribers(account, [other], addresses("t", 30))  # not a target list
    add_subscribers(account, [first], addresses("gone", 5), status="unsubscribed-by-user")
    add_subscribers(account, [second], addresses("bounced", 5), status="hard-bounce")
    recipients = set(addresses("s", 400))
    location = create_campaign(api, "Everyone", [first, second])
    pk = campaign_id(location)

    with Workers(tmp_path) as workers:
        send_batches(api, location, server, workers, 2)
        act(api, location, "pause")  # to change subscribers between batches, deterministically
        wait_for(lambda: sending_rows(pk) == 0, "the batch in flight to be recorded", workers)
        assert set(Message.objects.filter(campaign_id=pk).values_list("to_email", flat=True)) == recipients

        waiting = list(
            Message.objects.filter(campaign_id=pk, status="queued")
            .order_by("-id")
            .values_list("to_email", flat=True)[:12]
        )
        for address in waiting[:6]:
            unsubscribe(api, md5(address))
        for address in waiting[6:]:
            set_status(account, md5(address), "hard-bounce")
        already = Message.objects.filter(campaign_id=pk, status="sent").values_list("to_email", flat=True)[0]
        unsubscribe(api, md5(already))  # too late for this one: it stays sent
        subscribed(api, first, "late@example.com")  # joined after sending began: not a recipient

        act(api, location, "start")
        wait_for(lambda: campaign_status(pk) == "sent", "the campaign to be sent", workers, timeout=40)

    assert deliveries(server) == dict.fromkeys(recipients - set(waiting), 1)
    assert sorted(statuses(pk)["skipped"]) == sorted(waiting)
    assert Message.objects.get(campaign_id=pk, to_email=already).status == "sent"
    assert Subscriber.objects.get(account=account, email=already).status == "unsubscribed-by-admin"
    assert_accounts_add_up(api, location, recipients=400, sent=400 - 12, skipped=12)
