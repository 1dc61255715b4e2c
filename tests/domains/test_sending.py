"""Sender identity when sending: a from address on no verified domain is refused (unless the operator allows it),
and every message from a verified domain is DKIM-signed: the signature of each received message (campaign, single
email, test send) checks against the key the loopback DNS server publishes."""

import dkim
import pytest
from django.test import TestCase

from api.throttling import redis_client
from campaigns.testsend import send_window
from tests.campaigns.builders import (
    BASE_URL,
    CampaignPaths,
    act,
    audience,
    campaign_body,
    create_campaign,
    post,
    put,
    send,
    start,
    v1,
)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.domains.builders import V1, verified_domain
from tests.helpers import assert_hypermedia, assert_problem

NOT_VERIFIED = "/errors/400.50-sender-not-verified"


def _names_from_email(problem: dict) -> None:
    assert problem["type"] == NOT_VERIFIED and [e["field"] for e in problem["errors"]] == ["fromEmail"], problem


@pytest.fixture(autouse=True)
def _base_url_and_no_test_window(settings, owner):
    settings.PUBLIC_BASE_URL = BASE_URL
    client = redis_client()
    if client is not None:
        client.delete(send_window(owner.account.pk))


def verified(message: bytes, dns_server) -> bool:
    """dkimpy's verification against the published record, as a receiver does it."""
    return dkim.verify(message, dnsfunc=dns_server.lookup)


def test_campaigns_from_an_unverified_domain_are_refused_on_create_update_and_start(api, strict, dns_server):
    paths = CampaignPaths(api.owner)
    list_id, _ = audience(api, 1)
    _names_from_email(assert_problem(post(api, paths.campaigns, campaign_body([list_id])), 400))
    _names_from_email(assert_problem(post(api, v1(), campaign_body([list_id])), 400))
    verified_domain(api, dns_server, "example.com")  # a parent domain covers its subdomains (shop.example.com)
    campaign_id = create_campaign(api, [list_id])
    body = campaign_body([list_id], fromEmail="news@elsewhere.example")
    _names_from_email(assert_problem(put(api, paths.campaign(campaign_id), body), 400))
    # The domain is deleted once the campaign was written: starting it is refused.
    domain = assert_hypermedia(api.get(V1), 200, "domains-page")["items"][0]
    assert api.delete(f"{V1}/{domain['domainId']}").status_code == 204
    _names_from_email(assert_problem(act(api, campaign_id, "start"), 400))
    _names_from_email(assert_problem(act(api, campaign_id, "start", surface="v1"), 400))


def test_the_setting_lets_any_address_through_unsigned(api, settings, smtp_server):  # noqa: F811
    settings.ALLOW_UNVERIFIED_SENDERS = True
    list_id, emails = audience(api, 1)
    start(api, create_campaign(api, [list_id], fromEmail="news@anything.example"))
    send()
    [delivery] = smtp_server.to(emails[0])
    assert b"DKIM-Signature" not in delivery.data


def test_a_campaign_from_a_verified_domain_is_received_signed(api, strict, dns_server, smtp_server):  # noqa: F811
    verified_domain(api, dns_server, "shop.example.com")
    list_id, emails = audience(api, 3, fields=lambda i: {"firstName": f"Ann{i}"})
    # A line starting with "." is dot-stuffed for SMTP after signing: the receiver's copy still verifies.
    html = '<p>Hi {{ firstName }}</p>\n.a line that starts with a dot\n<a href="https://shop.example.com/x">x</a>'
    start(api, create_campaign(api, [list_id], html=html, replyTo="help@shop.example.com"))
    send()
    for email in emails:
        [delivery] = smtp_server.to(email)
        assert delivery.data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=shop.example.com;")
        assert verified(delivery.data, dns_server), delivery.data[:600]
        signed = dkim.DKIM(delivery.data)
        signed.verify(dnsfunc=dns_server.lookup)
        assert {b"from", b"to", b"subject", b"list-unsubscribe", b"list-unsubscribe-post"} <= set(
            signed.include_headers
        )
    # A changed byte of the body, or of a signed header, no longer verifies.
    data = smtp_server.to(emails[0])[0].data
    assert b"Hi=20Ann0" in data and b"To: p0@example.com" in data
    assert not verified(data.replace(b"Hi=20Ann0", b"Hi=20Eve0"), dns_server)
    assert not verified(data.replace(b"To: p0@example.com", b"To: p9@example.com"), dns_server)


def test_a_single_email_is_refused_or_signed(api, strict, dns_server, smtp_server):  # noqa: F811
    body = {"to": "ann@example.com", "subject": "Order 42", "text": "Your order.", "fromEmail": "shop@shop.example.com"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        _names_from_email(assert_problem(api.post("/api/v1/emails/send", body), 400))
    verified_domain(api, dns_server, "shop.example.com")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert_hypermedia(api.post("/api/v1/emails/send", body), 202, "email")
    send()
    [delivery] = smtp_server.to("ann@example.com")
    assert b"d=shop.example.com" in delivery.data[:300] and verified(delivery.data, dns_server)


def test_a_test_send_is_refused_or_signed(api, strict, dns_server, smtp_server, settings):  # noqa: F811
    settings.ALLOW_UNVERIFIED_SENDERS = True
    list_id, _ = audience(api, 1)
    campaign_id = create_campaign(api, [list_id])
    settings.ALLOW_UNVERIFIED_SENDERS = False
    path = CampaignPaths(api.owner).action(campaign_id, "test")
    _names_from_email(assert_problem(post(api, path, {"emails": ["qa@example.com"]}), 400))
    verified_domain(api, dns_server, "shop.example.com")
    assert_hypermedia(post(api, path, {"emails": ["qa@example.com"]}), 200)
    [delivery] = smtp_server.to("qa@example.com")
    assert verified(delivery.data, dns_server)
