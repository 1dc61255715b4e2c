"""Redis crashes and comes back empty (it keeps nothing on disk, as the machine's does): every queued
job, every scheduled job and the sweeper's own schedule are gone. Jobs already running only need
PostgreSQL and finish; what was lost is found by the stale-task sweeper, which the workers arm again
on their next heartbeat (tasks/worker.py): a queued task without a job is queued again, a task whose
scheduled resumption was lost goes stale and is requeued. Nobody calls `start`."""

import pytest

from tests.campaigns.test_smtp_outcomes import Replies
from tests.faults.scenarios import (
    RECIPIENTS,
    assert_imported_once,
    assert_resumed_sending,
    audience,
    begin_import,
    campaign_senders,
    create_list,
    get_task,
    path_id,
    start_campaign,
    wait_delivered,
    wait_mid_import,
    wait_task_done,
)
from tests.faults.services import wait_for

pytestmark = pytest.mark.slow
DOWN = 2.0


def test_an_import_survives_a_redis_crash_and_the_one_queued_behind_it_is_queued_again(services):
    account = "import-redis@example.com"
    # begin_import starts one worker: the second import waits in Redis behind the first
    http, list_id, task_id, expected = begin_import(services, account)
    behind_list = create_list(http, account, "Behind")
    behind = path_id(
        http.post(
            f"/accounts/{account}/lists/{behind_list}/subscribers/import",
            {"items": [{"emailAddress": f"b{i}@example.com"} for i in range(300)]},
            expect=202,
        )["__location"]
    )
    wait_mid_import(services, task_id)
    assert get_task(http, account, behind)["status"] == "queued"
    services.redis.restart(down=DOWN)  # the second import's job is gone
    wait_task_done(services, task_id)
    wait_task_done(services, behind)
    assert f"requeued queued tasks whose jobs were lost [{behind}]" in services.logs()
    assert_imported_once(services, http, account, list_id, task_id, expected)
    assert get_task(http, account, behind)["result"]["new"] == 300
    assert (
        services.postgres.value("SELECT count(*) FROM subscribers_membership WHERE list_id = %s", [behind_list]) == 300
    )


RETRIED = 20  # recipients whose first RCPT gets a 4xx: their retry waits in Redis as a scheduled job


@pytest.mark.parametrize("moment", [RECIPIENTS // 4, RECIPIENTS // 2])
def test_a_campaign_survives_redis_crashes_while_sending_and_while_its_retries_wait(services, moment):
    """The first crash empties the batches' send journals under the senders: each stops its batch before any
    more data (what it had sent is recorded, the rest goes back to the queue), so nothing is `unknown`."""
    account = f"send-redis-{moment}@example.com"
    http = services.account(account)
    # a retry 15 s away (> 5 s) frees the worker: a sender is scheduled for then
    with campaign_senders(services, SEND_RETRY_BACKOFF_SECONDS=15) as smtp:
        list_id, emails = audience(services, http, account, RECIPIENTS)
        retried = emails[-RETRIED:]
        smtp.recorder.reply = Replies({address: ["451 4.7.1 Try again later"] for address in retried})
        campaign_id = start_campaign(http, account, list_id)
        wait_delivered(services, smtp, moment)
        services.redis.restart(down=DOWN)  # mid-batches: the senders only need PostgreSQL, they go on

        db = services.postgres
        waiting = (
            "SELECT t.heartbeat_at > now() AND NOT EXISTS (SELECT 1 FROM campaigns_message m WHERE "
            "m.campaign_id = c.id AND (m.status = 'sending' OR m.status = 'queued' AND m.next_attempt_at "
            "IS NULL)) FROM tasks_task t JOIN campaigns_campaign c ON c.task_id = t.id WHERE c.id = %s"
        )
        wait_for(
            lambda: db.value(waiting, [campaign_id]),
            "every sender to leave a scheduled job for the retries",
            logs=services.logs,
        )
        assert len(smtp.recorder.deliveries) == RECIPIENTS - RETRIED
        services.redis.restart(down=DOWN)  # the scheduled senders are gone
        statuses = assert_resumed_sending(services, http, account, campaign_id, emails, smtp, unknown_bound=0)
        assert set(retried) <= statuses["sent"] and all(smtp.recorder.reply.asked[a] == 2 for a in retried)
