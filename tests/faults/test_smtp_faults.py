"""A misbehaving SMTP server, end to end with real workers: 4xx then success, 4xx for ever, 5xx, a
connection dropped after the data, a reply that never comes within EMAIL_TIMEOUT. Each message ends as
documented (sent after its retry, soft-bounce after SEND_MAX_ATTEMPTS, hard-bounce, unknown when the data
may have arrived), nothing stays `sending` or `queued`, nobody gets two, and the campaign is sent.
(What each answer means one by one is in tests/campaigns/test_smtp_outcomes.py and test_transport.py.)"""

import asyncio
from collections import Counter

import pytest

from tests.campaigns.test_smtp_outcomes import Replies
from tests.campaigns.workers import Server, SlowRecorder
from tests.faults.scenarios import (
    assert_analytics_agree,
    audience,
    get_task,
    message_statuses,
    start_campaign,
    wait_campaign_sent,
)

pytestmark = pytest.mark.slow
STALL = 3.0  # seconds the server sits on a message's final reply: longer than EMAIL_TIMEOUT (1)


class Misbehaving(SlowRecorder):
    """Drops the connection instead of answering the data of ``dropped``; answers the data of ``stalled``
    only after STALL seconds (it was received: the sender cannot know)."""

    dropped: frozenset = frozenset()
    stalled: frozenset = frozenset()

    async def handle_DATA(self, server, session, envelope):
        recipients = {address.lower() for address in envelope.rcpt_tos}
        if recipients & self.dropped:
            server.transport.abort()
            await asyncio.sleep(0)
            return "421 never sent"
        if recipients & self.stalled:
            answer = await super().handle_DATA(server, session, envelope)
            await asyncio.sleep(STALL)
            return answer
        return await super().handle_DATA(server, session, envelope)


def test_a_failing_smtp_server_leaves_every_message_settled_and_nobody_gets_two(services):
    account = "smtp-faults@example.com"
    http = services.account(account)
    smtp = Server()
    recorder = Misbehaving()
    smtp.controller.handler = recorder  # before any connection: every session uses this one
    smtp.recorder = recorder
    try:
        for _ in range(2):
            services.start_worker(
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=smtp.port,
                EMAIL_TIMEOUT=1,
                CAMPAIGN_BATCH_SIZE=20,
                CAMPAIGN_SENDERS=2,
                SEND_RETRY_BACKOFF_SECONDS=1,
                SEND_MAX_ATTEMPTS=3,
            )
        list_id, emails = audience(services, http, account, 300, prefix="m")
        soft_once, soft_always, hard = emails[10:20], emails[100:102], emails[200:205]
        dropped, stalled = emails[150], emails[250]
        recorder.reply = Replies(
            {
                **{a: ["451 4.7.1 Try again later"] for a in soft_once},
                **{a: ["452 4.2.2 Mailbox full"] * 5 for a in soft_always},
                **{a: ["550 5.1.1 No such user"] for a in hard},
            }
        )
        recorder.dropped, recorder.stalled = frozenset([dropped]), frozenset([stalled])
        campaign_id = start_campaign(http, account, list_id)
        wait_campaign_sent(services, campaign_id)

        statuses = message_statuses(services, campaign_id)
        expected_sent = set(emails) - set(soft_always) - set(hard) - {dropped, stalled}
        assert statuses == {
            "sent": expected_sent,
            "soft-bounce": set(soft_always),
            "hard-bounce": set(hard),
            "unknown": {dropped, stalled},
        }, {status: len(rows) for status, rows in statuses.items()}
        delivered = recorder.per_recipient()
        assert delivered == Counter(dict.fromkeys(expected_sent | {stalled}, 1))  # nobody got two
        assert all(recorder.reply.asked[a] == 2 for a in soft_once)  # retried once, then accepted
        assert all(recorder.reply.asked[a] == 3 for a in soft_always)  # SEND_MAX_ATTEMPTS, then soft-bounce
        assert all(recorder.reply.asked[a] == 1 for a in hard)  # never retried
        db = services.postgres
        assert db.value(
            "SELECT count(*) FROM subscribers_subscriber WHERE email = ANY(%s) AND status = 'hard-bounce'", [hard]
        ) == len(hard)
        body = http.get(f"/accounts/{account}/campaigns/{campaign_id}")
        stats = body["stats"]
        assert (stats["sent"], stats["softBounces"], stats["hardBounces"], stats["unknown"]) == (
            len(expected_sent),
            2,
            5,
            2,
        ), stats
        assert_analytics_agree(services, campaign_id, statuses)
        task = get_task(http, account, body["taskId"])
        assert task["status"] == "done" and task["progress"]["processed"] == 300, task
    finally:
        smtp.stop()
