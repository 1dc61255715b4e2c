"""PostgreSQL crashes (`pg_ctl stop -m immediate`) and comes back a few seconds later, mid-import and
mid-campaign. The workers' jobs fail while it is down; their tasks stop beating, and the stale-task
sweeper (RQ's scheduler in the same workers) requeues them once the database answers again: they
resume from their checkpoints without anybody calling `start`."""

import pytest

from tests.faults.scenarios import (
    RECIPIENTS,
    assert_imported_once,
    assert_resumed_sending,
    audience,
    begin_import,
    campaign_senders,
    start_campaign,
    wait_delivered,
    wait_mid_import,
    wait_task_done,
)

pytestmark = pytest.mark.slow
DOWN = 3.0  # seconds: longer than TASK_STALE_AFTER_SECONDS (2), so the sweeper also runs into the outage


def test_an_import_survives_a_postgresql_crash_and_resumes_by_itself(services):
    account = "import-pg@example.com"
    http, list_id, task_id, expected = begin_import(services, account)
    wait_mid_import(services, task_id)
    services.postgres.restart(down=DOWN)
    wait_task_done(services, task_id)
    assert f"requeued stale tasks [{task_id}]" in services.logs()
    assert_imported_once(services, http, account, list_id, task_id, expected)


@pytest.mark.parametrize("moment", [RECIPIENTS // 4, RECIPIENTS // 2])
def test_a_campaign_survives_a_postgresql_crash_and_nobody_gets_two(services, moment):
    """The senders live through it: each batch whose record failed is recovered from its send journal, which
    had every outcome before the record was tried, so no message is left `unknown`."""
    account = f"send-pg-{moment}@example.com"
    http = services.account(account)
    with campaign_senders(services) as smtp:
        list_id, emails = audience(services, http, account, RECIPIENTS)
        campaign_id = start_campaign(http, account, list_id)
        wait_delivered(services, smtp, moment)
        services.postgres.restart(down=DOWN)
        statuses = assert_resumed_sending(services, http, account, campaign_id, emails, smtp, unknown_bound=0)
        assert len(statuses["sent"]) == RECIPIENTS
