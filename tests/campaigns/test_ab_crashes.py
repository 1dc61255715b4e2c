"""Exactly once across an A/B campaign's variants when senders die: real `manage.py rqworker` processes
(tests/campaigns/workers.py), one SIGKILLed in the middle of a batch of the test share and one in the middle of
a batch of the rest (after the winner), each replaced by a new worker whose sweeper resumes the campaign. Every
recipient receives one message, of the variant its row carries; only the message on the wire when a sender
died is `unknown`."""

from collections import Counter

import pytest

from campaigns.models import Message
from tests.campaigns.workers import (
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
    wait_for,
)
from tests.subscribers.builders import create_list

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
BATCH, COUNT = 20, 300
AB = {
    "testShare": 40,  # 120 tested, 40 per variant; 180 held for the winner
    "waitMinutes": 0,
    "variants": [{"subject": "Subject A"}, {"subject": "Subject B"}, {"subject": "Subject C"}],
}


@pytest.mark.parametrize("hold_at", [BATCH + BATCH // 2, 140 + BATCH // 2], ids=["in-the-test", "in-the-rest"])
def test_a_sender_killed_mid_batch_never_sends_anyone_a_second_variant(
    api, owner, smtp_servers, fresh_redis, settings, tmp_path, hold_at
):
    settings.CAMPAIGN_SENDERS = 1
    server = smtp_servers(hold_at=hold_at)
    list_id = create_list(api, "News")
    emails = addresses("v", COUNT)
    add_subscribers(owner.account, [list_id], emails)
    location = create_campaign(api, "A/B", [list_id], abTest=AB)
    pk = campaign_id(location)
    with Workers(tmp_path) as workers:
        first = workers.start(server.port, CAMPAIGN_BATCH_SIZE=BATCH, CAMPAIGN_SENDERS=1)
        workers.wait_ready(1)
        act(api, location, "start")
        wait_for(server.recorder.held.is_set, "the sender to be in the middle of a batch", workers)
        workers.kill(first)
        server.recorder.released.set()
        assert campaign_status(pk) == "sending"
        workers.start(server.port, CAMPAIGN_BATCH_SIZE=BATCH, CAMPAIGN_SENDERS=1)  # nobody calls start
        wait_for(lambda: campaign_status(pk) == "sent", "the sweeper to resume the campaign", workers, timeout=60)

    counts = deliveries(server)
    assert counts == dict.fromkeys(emails, 1), counts.most_common(3)
    on_the_wire = server.recorder.deliveries[hold_at - 1].rcpt_to
    rows = {m.to_email: m for m in Message.objects.filter(campaign_id=pk)}
    assert [email for email, m in rows.items() if m.status == "unknown"] == [on_the_wire]
    # Each recipient received the variant its row carries.
    received = {d.rcpt_to: d.parsed()["Subject"] for d in server.recorder.deliveries}
    assert all(received[email] == f"Subject {'ABC'[m.variant]}" for email, m in rows.items())
    body = assert_accounts_add_up(api, location, recipients=COUNT, sent=COUNT - 1, unknown=1)
    ab = body["abTest"]
    assert (ab["winner"], ab["testRecipients"], ab["heldRecipients"]) == ("A", 120, 180)
    by_variant = Counter(m.variant for m in rows.values())
    assert by_variant == {0: 40 + 180, 1: 40, 2: 40}
    stats = {v["variant"]: v["stats"] for v in get_campaign(api, location)["abTest"]["variants"]}
    assert sum(s["recipients"] for s in stats.values()) == COUNT
    assert sum(s["sent"] + s["unknown"] for s in stats.values()) == COUNT
