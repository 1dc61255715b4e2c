"""PostgreSQL crashes (`pg_ctl stop -m immediate`) and comes back a few seconds later, mid-import and
mid-campaign. The workers' jobs fail while it is down; their tasks stop beating, and the stale-task
sweeper (RQ's scheduler in the same workers) requeues them once the database answers again: they
resume from their checkpoints without anybody calling `start`."""

import pytest

from tests.campaigns.workers import Server, deliveries
from tests.faults.scenarios import (
    BATCH,
    IMPORT_ENV,
    RECIPIENTS,
    SEND_ENV,
    SENDERS,
    assert_imported_once,
    assert_sent_at_most_once,
    audience,
    start_campaign,
    start_import,
    wait_campaign_sent,
    wait_mid_import,
    wait_task_done,
)
from tests.faults.services import wait_for

pytestmark = pytest.mark.slow
DOWN = 3.0  # seconds: longer than TASK_STALE_AFTER_SECONDS (2), so the sweeper also runs into the outage


def test_an_import_survives_a_postgresql_crash_and_resumes_by_itself(services):
    account = "import-pg@example.com"
    http = services.account(account)
    services.start_worker(**IMPORT_ENV)
    list_id, task_id, expected = start_import(services, http, account)
    wait_mid_import(services, task_id)
    services.postgres.restart(down=DOWN)
    wait_task_done(services, task_id)
    assert f"requeued stale tasks [{task_id}]" in services.logs()
    assert_imported_once(services, http, account, list_id, task_id, expected)


def test_a_campaign_survives_a_postgresql_crash_and_nobody_gets_two(services):
    account = "send-pg@example.com"
    http = services.account(account)
    smtp = Server()
    try:
        for _ in range(SENDERS):
            services.start_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port, **SEND_ENV)
        list_id, emails = audience(services, http, account, RECIPIENTS)
        campaign_id = start_campaign(http, account, list_id)
        wait_for(lambda: len(smtp.recorder.deliveries) >= RECIPIENTS // 4, "a quarter sent", logs=services.logs)
        services.postgres.restart(down=DOWN)
        wait_campaign_sent(services, campaign_id)
        assert "requeued stale tasks" in services.logs()
        assert_sent_at_most_once(
            services, http, account, campaign_id, emails, deliveries(smtp), unknown_bound=SENDERS * BATCH
        )
    finally:
        smtp.stop()
