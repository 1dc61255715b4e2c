"""What a provider's answers make of the messages, with anymail's real Postmark backend over HTTP to a Postmark API
on loopback (tests/providers/api.py): accepted (its MessageID kept), refused, suppressed, busy (not taken: tried
again), and the answers that are lost (a timeout, a dropped connection): `unknown`, never sent again."""

import pytest
from django.test import TestCase

from campaigns.journal import _outcome_entry, _parsed
from campaigns.models import Message
from campaigns.replies import Outcome
from emails.jobs import deliver_single_email
from tests.campaigns.builders import audience, create_campaign, messages_of, nonzero, send, start, stats_of, subscriber
from tests.helpers import assert_hypermedia
from tests.providers.api import postmark  # noqa: F401 (a fixture)

SEND = "/api/v1/emails/send"


@pytest.fixture(autouse=True)
def _short_waits(settings):
    settings.TASK_STALE_AFTER_SECONDS = 2  # the sender's wait after a fault or a lost answer: half a second


def send_email(api, to: str) -> int:
    body = {"to": to, "subject": "Receipt", "text": "Thanks", "fromEmail": "shop@example.com"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post(SEND, body)
    return assert_hypermedia(response, 202, "email")["emailId"]


def test_a_campaign_through_postmark_each_answer_making_its_message(api, owner, postmark):  # noqa: F811
    list_id, emails = audience(api, 6)
    postmark.behaviour.answer.update(
        {
            "p1@example.com": "inactive",
            "p2@example.com": "invalid",
            "p3@example.com": "busy-once",
            "p4@example.com": "hang",
            "p5@example.com": "drop",
        }
    )
    campaign_id = create_campaign(api, [list_id])
    start(api, campaign_id)
    send()

    rows = messages_of(campaign_id)
    assert {email: row.status for email, row in rows.items()} == {
        "p0@example.com": "sent",
        "p1@example.com": "hard-bounce",  # Postmark will not send to it: a bounce, the subscriber's too
        "p2@example.com": "failed",  # the request refused (422)
        "p3@example.com": "sent",  # 503: not taken, so sent again after the wait
        "p4@example.com": "unknown",  # no answer in time: maybe taken, never sent again
        "p5@example.com": "unknown",  # the connection dropped once the request was sent
    }
    accepted = postmark.behaviour.accepted()
    assert {email: row.provider_id for email, row in rows.items() if row.provider_id} == {
        "p0@example.com": accepted["p0@example.com"],
        "p3@example.com": accepted["p3@example.com"],
    }
    calls = dict.fromkeys(emails, 1) | {"p3@example.com": 2}
    assert postmark.behaviour.per_recipient() == calls
    assert "HTTP 422" in rows["p2@example.com"].smtp_response
    assert subscriber(owner, "p1@example.com").status == "hard-bounce"
    assert nonzero(stats_of(api, campaign_id)) == {
        "recipients": 6,
        "sent": 2,
        "hardBounces": 1,
        "failed": 1,
        "unknown": 2,
    }

    send()  # nothing is left to send, and nothing is sent again
    assert postmark.behaviour.per_recipient() == calls


def test_a_single_email_whose_answer_is_lost_is_unknown_and_never_sent_again(api, postmark):  # noqa: F811
    postmark.behaviour.answer["ann@example.com"] = "hang"
    email_id = send_email(api, "ann@example.com")
    send()
    assert Message.objects.get(pk=email_id).status == "unknown"
    deliver_single_email(email_id)  # a duplicate job: the message is no longer queued, nothing goes
    assert postmark.behaviour.per_recipient() == {"ann@example.com": 1}
    detail = assert_hypermedia(api.get(f"/api/v1/emails/{email_id}"), 200, "email")
    assert detail["status"] == "unknown"


def test_a_single_email_the_provider_cannot_be_reached_for_is_tried_again_later(
    api,
    postmark,  # noqa: F811
    settings,
):
    postmark.stop()  # the port closed: the connection is refused, nothing was sent
    email_id = send_email(api, "bob@example.com")
    send()
    message = Message.objects.get(pk=email_id)
    assert (message.status, message.attempts, message.provider_id) == ("queued", 1, "")
    assert message.next_attempt_at is not None and "could not be reached" in message.smtp_response


def test_a_single_email_postmark_accepts_keeps_its_message_id(api, postmark):  # noqa: F811
    email_id = send_email(api, "cy@example.com")
    send()
    message = Message.objects.get(pk=email_id)
    assert (message.status, message.provider_id) == ("sent", postmark.behaviour.accepted()["cy@example.com"])
    [call] = postmark.behaviour.calls
    assert call.body["TrackOpens"] is False and call.body["Metadata"]["emailapi_message"]


def test_the_send_journal_keeps_a_providers_message_id_for_recovery():
    outcome = Outcome("sent", None, "accepted by Postmark", "<20180812211713.1.DF59@mg.example.org:x>")
    assert _parsed([b"open", b"s:7", _outcome_entry(7, outcome)]).outcome_of(7) == outcome
    smtp = Outcome("sent", 250, "2.0.0 Ok: queued as 12:34")
    assert _parsed([_outcome_entry(8, smtp)]).outcome_of(8) == smtp
