"""Exactly once through a provider, with real processes: an rqworker sending a campaign through anymail's Postmark
backend to a Postmark API on loopback is SIGKILLed while one call is in flight (the API took it and holds its
answer). A new worker's sweeper resumes the campaign: the send journal says the calls before it were accepted (their
Postmark MessageIDs kept from the journal), the one in flight is `unknown`, never called again, and the rest go
once each."""

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
    fresh_redis,  # noqa: F401 (a fixture)
    statuses,
    wait_for,
)
from tests.providers.api import TOKEN, ProviderApi
from tests.subscribers.builders import create_list

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postmark_api():
    api = ProviderApi()
    yield api
    api.stop()


def test_a_sender_killed_in_a_call_leaves_that_message_unknown_and_sends_the_others_once(
    api,
    owner,
    postmark_api,
    fresh_redis,  # noqa: F811
    settings,
    tmp_path,
):
    settings.CAMPAIGN_SENDERS = 1
    list_id = create_list(api, "News")
    emails = addresses("r", 30)
    add_subscribers(owner.account, [list_id], emails)
    location = create_campaign(api, "News", [list_id])
    pk = campaign_id(location)
    postmark_api.behaviour.answer["r5@example.com"] = "hold"  # taken, its answer held: the worker dies then
    env = {
        "EMAIL_HOST": "",  # (and its EMAIL_PORT unused)
        "EMAIL_PROVIDER": "postmark",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": TOKEN,
        "ANYMAIL_POSTMARK_API_URL": postmark_api.url,
        "EMAIL_PROVIDER_CONNECTIONS": 1,
        "EMAIL_TIMEOUT": 30,
        "CAMPAIGN_BATCH_SIZE": 10,
        "CAMPAIGN_SENDERS": 1,
    }
    with Workers(tmp_path) as workers:
        first = workers.start(25, **env)
        workers.wait_ready(1)
        act(api, location, "start")
        wait_for(postmark_api.behaviour.held.is_set, "the worker to be in the middle of a call", workers)
        workers.kill(first)
        postmark_api.behaviour.released.set()
        assert statuses(pk)["sending"] == emails[:10]

        workers.start(25, **env)  # nobody calls start: its sweeper resumes the campaign
        wait_for(lambda: campaign_status(pk) == "sent", "the new worker to finish the campaign", workers)

    assert postmark_api.behaviour.per_recipient() == dict.fromkeys(emails, 1)
    assert statuses(pk)["unknown"] == ["r5@example.com"]
    accepted = postmark_api.behaviour.accepted()
    rows = {row.to_email: row for row in Message.objects.filter(campaign_id=pk)}
    assert {email: rows[email].provider_id for email in emails if email != "r5@example.com"} == {
        email: accepted[email] for email in emails if email != "r5@example.com"
    }
    assert rows["r5@example.com"].provider_id == ""  # its answer never arrived
    assert_accounts_add_up(api, location, recipients=30, sent=29, unknown=1)
