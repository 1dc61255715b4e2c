"""Workers SIGKILLed at random moments while they send one campaign, as an operator would break it: 3,000
recipients, two workers, each killed again and again (their supervisor starts them again, and the sweeper
or the surviving sender resumes), at whatever the sender was doing (building, claiming, on the SMTP wire,
writing its journal, recording).

The bound (README: the crash rule): per kill, at most one message per SMTP connection of the killed worker
ends `unknown`; every other message was delivered exactly once and is `sent`; nobody got two. The campaign's
stats, its task's progress, the messages' statuses and the daily analytics agree with what the SMTP server
received, exactly (scenarios.assert_sent_at_most_once). FAULTS_SEED repeats a run's moments."""

import os
import random
import signal
import time

import pytest

from tests.campaigns.workers import Server
from tests.faults.scenarios import assert_sent_at_most_once, audience, start_campaign, wait_campaign_sent
from tests.faults.services import wait_for

pytestmark = pytest.mark.slow
RECIPIENTS, KILLS, CONNECTIONS = 3000, 6, 2
SEND_ENV = {
    "CAMPAIGN_BATCH_SIZE": 200,
    "CAMPAIGN_SENDERS": 2,
    "SMTP_CONNECTIONS": CONNECTIONS,
    "IMPORT_CHUNK_SIZE": 1000,
}


def kill_worker(supervisor) -> bool:
    """SIGKILL the worker process under ``supervisor`` (a SimpleWorker: the sender runs in it), which starts it
    again a second later. Its scheduler process lives on, as RQ's does when its worker dies. False if no
    worker was running."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent == supervisor.pid:
                os.kill(int(name), signal.SIGKILL)
                return True
        except (FileNotFoundError, ProcessLookupError):
            continue
    return False


def test_workers_killed_at_random_moments_leave_one_unknown_per_connection_at_most(services):
    account = "kills@example.com"
    http = services.account(account)
    smtp = Server()
    seed = int(os.environ.get("FAULTS_SEED", time.time_ns()))
    pace = random.Random(seed)
    try:
        workers = [services.start_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port, **SEND_ENV) for _ in range(2)]
        list_id, emails = audience(services, http, account, RECIPIENTS)
        campaign_id = start_campaign(http, account, list_id)
        kills = 0
        for round_number in range(KILLS):
            seen = len(smtp.recorder.deliveries)
            wait_for(
                lambda seen=seen: len(smtp.recorder.deliveries) >= min(seen + 150, RECIPIENTS - 300),
                "the senders to be sending",
                logs=lambda kills=kills: (
                    f"{len(smtp.recorder.deliveries)} delivered, {kills} kills\n"
                    f"{services.postgres.rows('SELECT status, count(*) FROM campaigns_message GROUP BY 1')}\n"
                    f"{services.postgres.rows('SELECT id, status, heartbeat_at, now() FROM tasks_task')}\n"
                    + services.logs()
                ),
            )
            time.sleep(pace.uniform(0, 0.25))  # any moment of a batch
            if kill_worker(workers[round_number % 2]):
                kills += 1
        wait_campaign_sent(services, campaign_id, timeout=120)

        print(f"FAULTS_SEED={seed}")  # in the report of a failure
        statuses = assert_sent_at_most_once(
            services,
            http,
            account,
            campaign_id,
            emails,
            smtp.recorder.per_recipient(),
            unknown_bound=kills * CONNECTIONS,
        )
        print(f"FAULTS_SEED={seed}: {kills} kills, {len(statuses.get('unknown', ()))} unknown")
        assert (
            services.postgres.value("SELECT count(*) FROM campaigns_message WHERE smtp_response LIKE '%%journal%%'")
            == 0
        )
        stats = http.get(f"/accounts/{account}/campaigns/{campaign_id}")["stats"]
        assert stats["journalLost"] == 0, stats
    finally:
        smtp.stop()
