"""Sending through an email service provider's API (EMAIL_PROVIDER) with anymail's test backend: campaigns and
single emails, the provider's message id stored, the message as the provider gets it."""

import pytest
from django.core import mail
from django.test import TestCase

from campaigns.content import compile_campaign
from campaigns.mime import MessageBuilder
from campaigns.models import Message
from campaigns.provider import METADATA_KEY, email_of
from campaigns.tokens import make_token, read_message_id_header
from tests.campaigns.builders import (
    audience,
    create_campaign,
    messages_of,
    nonzero,
    send,
    sent_campaign,
    stats_of,
)
from tests.helpers import assert_hypermedia


@pytest.fixture
def provider(settings):
    settings.EMAIL_PROVIDER = "test"
    settings.EMAIL_HOST = None
    mail.outbox = []
    return mail.outbox


def test_a_campaign_goes_through_the_provider_and_each_message_keeps_its_id(api, provider):
    campaign_id, _, emails = sent_campaign(api, 3)
    assert sorted(message.to[0] for message in provider) == sorted(emails)
    rows = messages_of(campaign_id)
    assert {row.status for row in rows.values()} == {"sent"}
    assert sorted(row.provider_id for row in rows.values()) == ["0", "1", "2"]
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 3, "sent": 3}
    sent = {message.to[0]: message for message in provider}
    for email, row in rows.items():
        message = sent[email]
        assert str(provider.index(message)) == row.provider_id
        assert read_message_id_header(message.metadata[METADATA_KEY]) == row.pk
        assert f"/t/o/{make_token(row.pk)}" in message.alternatives[0].content
        assert message.extra_headers["List-Unsubscribe"].endswith(f"/u/{make_token(row.pk)}>")
        assert message.anymail_test_params["track_opens"] is False
        assert "DKIM-Signature" not in message.extra_headers


def test_a_single_email_goes_through_the_provider_and_keeps_its_id(api, provider):
    body = {
        "to": "ann@example.com",
        "subject": "Order {{ order }}",
        "html": "<p>Hi</p>",
        "text": "Hi",
        "fromName": "Shop",
        "fromEmail": "shop@example.com",
        "values": {"order": 42},
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        email_id = assert_hypermedia(api.post("/api/v1/emails/send", body), 202, "email")["emailId"]
    send()
    [message] = provider
    row = Message.objects.get(pk=email_id)
    assert (row.status, row.provider_id, row.smtp_response) == ("sent", "0", "accepted by Test")
    assert (message.subject, message.from_email, message.to) == (
        "Order 42",
        "Shop <shop@example.com>",
        ["ann@example.com"],
    )
    assert read_message_id_header(message.metadata[METADATA_KEY]) == email_id
    detail = assert_hypermedia(api.get(f"/api/v1/emails/{email_id}"), 200, "email")
    assert detail["status"] == "sent" and detail["sentAt"]


def test_a_test_send_goes_through_the_provider_too(api, provider):
    list_id, _ = audience(api, 1)
    campaign_id = create_campaign(api, [list_id])
    response = api.post(f"/api/v1/campaigns/{campaign_id}/test", {"emails": ["qa@example.com"]})
    body = assert_hypermedia(response, 200)
    assert [(result["emailAddress"], result["outcome"]) for result in body["results"]] == [("qa@example.com", "sent")]
    [message] = provider
    assert message.subject.startswith("[Test] ") and message.to == ["qa@example.com"]
    assert Message.objects.count() == 0  # a test send writes no message


def test_the_message_a_provider_gets_is_the_smtp_message_decoded():
    compiled = compile_campaign(
        subject="Ünïcode news for {{ firstName }}: " + "long " * 30,
        html_part="<p>Hi {{ firstName }}</p>\n.a line starting with a dot\n" + "<p>x</p>" * 50,
        text_part="Hi {{ firstName }}\n.dotted\nZoë",
        preheader="",
        fields={"firstname": "firstName"},
    )
    builder = MessageBuilder(
        compiled=compiled,
        from_name='Zoë\'s "Shop", Ltd',
        from_email="news@shop.example.com",
        reply_to="help@shop.example.com",
        base_url="https://mail.example.com",
        extra_headers={"X-Campaign": "Spring sale ✿"},
    )
    data = builder.build(7, "ann@example.com", {"firstName": "Ann"})
    message = email_of(data, "ann@example.com")
    assert message.subject == "Ünïcode news for Ann: " + ("long " * 30).strip()
    assert message.from_email == '"Zoë\'s \\"Shop\\", Ltd" <news@shop.example.com>'
    assert message.reply_to == ["help@shop.example.com"] and message.to == ["ann@example.com"]
    assert message.body == "Hi Ann\n.dotted\nZoë"
    [(html, kind)] = message.alternatives
    assert kind == "text/html" and html.startswith("<p>Hi Ann</p>\n.a line starting with a dot\n")
    assert f"/t/o/{make_token(7)}" in html
    assert message.extra_headers["X-Campaign"] == "Spring sale ✿"
    assert set(message.extra_headers) == {"X-Campaign", "List-Unsubscribe", "List-Unsubscribe-Post"}
    assert read_message_id_header(message.metadata[METADATA_KEY]) == 7
    html_only = MessageBuilder(
        compiled=compile_campaign(subject="S", html_part="<p>Only</p>", text_part="", preheader="", fields={}),
        from_name="",
        from_email="news@shop.example.com",
        reply_to="",
        base_url="https://mail.example.com",
    )
    message = email_of(html_only.build(8, "bob@example.com", {}), "bob@example.com")
    assert (message.content_subtype, message.from_email, message.reply_to) == ("html", "news@shop.example.com", [])
    assert message.body.startswith("<p>Only</p>")
