"""The public side of a sent message: the open pixel, tracked links, unsubscribe (page, form, RFC 8058 one-click),
signed tokens, and the bounce webhook. URLs and Message-IDs are read from the messages the SMTP server received."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.test import Client

from campaigns.models import Event, Message
from campaigns.public_views import PIXEL
from campaigns.tokens import make_token, read_message_id_header, read_token
from tests.campaigns.builders import (
    BASE_URL,
    audience,
    campaign_row,
    create_campaign,
    events_of,
    local,
    message_to,
    nonzero,
    send,
    start,
    stats_of,
    subscriber,
)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import items_count, list_quantities, subscribed

HTML = """<html><body><p>Hi {{ firstName | friend }}</p>
<a href="https://shop.example.com/sale?x=1&amp;y=2">Sale</a>
<a href="https://shop.example.com/p?who={{ emailAddress }}&amp;n={{firstName|friend}}">Profile</a>
</body></html>"""
SALE = "https://shop.example.com/sale?x=1&y=2"
SECRET = "s3cret-webhook-key"


@dataclass
class Received:
    """One recipient's message as delivered, and the tracking URLs in it (paths for the test client)."""

    email: str
    message: Message
    token: str
    message_id: str
    pixel: str
    links: list[str]
    unsubscribe: str


@pytest.fixture
def sent(api, smtp_server, settings):  # noqa: F811
    """A campaign with two links sent to ann (firstName "Zoë & Co") and bob (no fields)."""
    settings.PUBLIC_BASE_URL = BASE_URL
    list_id, _ = audience(api, 0)
    subscribed(api, list_id, "ann@example.com", fields={"firstName": "Zoë & Co"})
    subscribed(api, list_id, "bob@example.com")
    campaign_id = create_campaign(api, [list_id], name="Spring", html=HTML)
    start(api, campaign_id)
    send()
    received = {}
    for address in ("ann@example.com", "bob@example.com"):
        (delivery,) = smtp_server.to(address)
        parsed = delivery.parsed()
        html = parsed.get_body(("html",)).get_content()
        pixel = re.search(r'<img src="([^"]+/t/o/[^"]+)"', html).group(1)
        links = re.findall(r'href="([^"]+/t/c/[^"]+)"', html)
        unsubscribe = parsed["List-Unsubscribe"].strip("<>")
        message = message_to(campaign_id, address)
        assert all(url.startswith(BASE_URL) for url in (pixel, *links, unsubscribe))
        received[address] = Received(
            address,
            message,
            make_token(message.pk),
            parsed["Message-ID"],
            local(pixel),
            [local(url) for url in links],
            local(unsubscribe),
        )
    return campaign_id, received


def forgeries(token: str) -> list[str]:
    """The token with one character of its id, or of its signature, changed; and other garbage."""
    head, signature = token.split(".")
    flip = {**dict.fromkeys("123456789abcdefghijklmnopqrstuvwxyz", "0"), "0": "1"}
    other_sig = {**dict.fromkeys("BCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", "A"), "A": "B"}
    return [
        f"{head[:-1]}{flip[head[-1]]}.{signature}",
        f"{head}.{signature[:-1]}{other_sig[signature[-1]]}",
        f"{head}.{other_sig[signature[0]]}{signature[1:]}",
        f"{head}.",
        head,
        "garbage",
        f"{head}.{signature}x",
        f"-{head}.{signature}",
        "%00." + signature,
    ]


# --- Open pixel ----------------------------------------------------------------------------------


def test_open_pixel_records_each_open(api, owner, sent):
    campaign_id, got = sent
    ann, bob = got["ann@example.com"], got["bob@example.com"]
    never_open = f"/accounts/{owner.name}/subscribers?status=never-open"
    assert items_count(api, never_open) == 2
    client = Client()

    response = client.get(ann.pixel)
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content == PIXEL and response.content.startswith(b"GIF89a")
    assert "no-store" in response["Cache-Control"]
    assert events_of(ann.message) == [("open", None)]
    message = Message.objects.get(pk=ann.message.pk)
    assert message.opened_at is not None
    assert subscriber(owner, ann.email).last_open_at == message.opened_at
    assert items_count(api, never_open) == 1
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 2, "opens": 1, "uniqueOpens": 1}

    client.get(ann.pixel)
    client.get(bob.pixel)
    assert events_of(ann.message) == [("open", None), ("open", None)]
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 2, "opens": 3, "uniqueOpens": 2}
    assert items_count(api, never_open) == 0
    assert Message.objects.get(pk=ann.message.pk).opened_at == message.opened_at  # the first open stays
    assert subscriber(owner, ann.email).last_open_at > message.opened_at  # the latest open

    head = client.head(bob.pixel)
    assert head.status_code == 200 and head["Content-Type"] == "image/gif"
    assert Event.objects.filter(type="open").count() == 3  # a HEAD is no open


def test_a_forged_pixel_still_gets_the_image_and_records_nothing(api, owner, sent):
    campaign_id, got = sent
    ann = got["ann@example.com"]
    for token in forgeries(ann.token):
        response = Client().get(f"/t/o/{token}")
        assert (response.status_code, response["Content-Type"], response.content) == (200, "image/gif", PIXEL), token
    assert not Event.objects.exists()
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 2}
    assert subscriber(owner, ann.email).last_open_at is None
    assert Message.objects.filter(opened_at__isnull=False).count() == 0


# --- Clicks --------------------------------------------------------------------------------------


def test_click_redirects_to_the_campaign_link_and_records_it(api, sent):
    campaign_id, got = sent
    ann = got["ann@example.com"]
    assert [path.rsplit("/", 1)[1] for path in ann.links] == ["0", "1"]
    client = Client()
    response = client.get(ann.links[0])
    assert response.status_code == 302 and response["Location"] == SALE
    assert "no-store" in response["Cache-Control"]
    client.get(ann.links[0])
    assert events_of(ann.message) == [("click", SALE), ("click", SALE)]
    assert all(event.at is not None for event in Event.objects.filter(message=ann.message))
    head = client.head(ann.links[0])  # link checkers ask with HEAD: they get the target, no click is counted
    assert head.status_code == 302 and head["Location"] == SALE
    assert len(events_of(ann.message)) == 2
    assert Message.objects.get(pk=ann.message.pk).clicked_at is not None
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 2, "clicks": 2, "uniqueClicks": 1}


def test_merge_tags_in_a_link_are_filled_and_url_encoded(sent):
    _, got = sent
    ann, bob = got["ann@example.com"], got["bob@example.com"]
    profile = "https://shop.example.com/p"
    assert Client().get(ann.links[1])["Location"] == f"{profile}?who=ann%40example.com&n=Zo%C3%AB%20%26%20Co"
    assert Client().get(bob.links[1])["Location"] == f"{profile}?who=bob%40example.com&n=friend"
    # The event keeps the link as written, not one recipient's values.
    assert events_of(ann.message) == [("click", f"{profile}?who={{{{ emailAddress }}}}&n={{{{firstName|friend}}}}")]


def test_no_open_redirect(api, sent):
    campaign_id, got = sent
    ann = got["ann@example.com"]
    client = Client()
    # Another campaign with more links: its positions are not this message's.
    list_id, _ = audience(api, 1, name="Other", prefix="o")
    other = create_campaign(
        api,
        [list_id],
        name="Other",
        html='<a href="https://a.example">a</a><a href="https://b.example">b</a><a href="https://evil.example/">c</a>',
    )
    start(api, other)
    assert campaign_row(other).links.count() == 3
    for path in (f"/t/c/{ann.token}/2", f"/t/c/{ann.token}/99999"):
        assert_problem(client.get(path), 404, "/errors/404.1-not-found", 1)
    for token in forgeries(ann.token):
        assert_problem(client.get(f"/t/c/{token}/0"), 404, "/errors/404.1-not-found", 1)
    assert client.get(f"{ann.links[0]}?url=https://evil.example/&next=//evil.example")["Location"] == SALE
    for path in (f"/t/c/{ann.token}/https://evil.example", f"/t/c/{ann.token}/-1", f"/t/c/{ann.token}//evil.example"):
        assert_problem(client.get(path), 404)
    assert not Event.objects.filter(type="click").exclude(url=SALE).exists()
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 2, "clicks": 1, "uniqueClicks": 1}


# --- Unsubscribe ---------------------------------------------------------------------------------


def test_unsubscribe_page_asks_and_changes_nothing(owner, sent):
    _, got = sent
    ann = got["ann@example.com"]
    response = Client().get(ann.unsubscribe)
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "a***@example.com" in page and '<form method="post">' in page  # masked: the link may be forwarded
    assert "no-store" in response["Cache-Control"] and "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert subscriber(owner, ann.email).status == "active"
    assert not Event.objects.exists()
    for token in forgeries(ann.token):
        assert Client().get(f"/u/{token}").status_code == 404


@pytest.mark.parametrize("how", ["form", "one-click"])
def test_unsubscribe_post_is_recorded_once(api, owner, sent, how):
    campaign_id, got = sent
    ann = got["ann@example.com"]
    list_id = campaign_row(campaign_id).lists.get().pk
    assert list_quantities(api)[list_id] == 2

    def post():
        client = Client(enforce_csrf_checks=True)  # a mail provider's POST carries no CSRF token
        if how == "one-click":
            return client.post(
                ann.unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
            )
        return client.post(ann.unsubscribe, {})

    for _ in range(2):
        response = post()
        assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
        assert "a***@example.com" in response.content.decode()
    row = subscriber(owner, ann.email)
    assert row.status == "unsubscribed-by-user"
    assert "Spring" in row.unsubscribe_reason
    assert events_of(ann.message) == [("unsubscribe", None)]
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 2, "unsubscribes": 1}
    assert list_quantities(api)[list_id] == 1
    assert subscriber(owner, "bob@example.com").status == "active"


def test_forged_unsubscribe_post_changes_nothing(api, owner, sent):
    _campaign_id, got = sent
    ann = got["ann@example.com"]
    for token in forgeries(ann.token):
        response = Client().post(
            f"/u/{token}", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 404, token
    assert subscriber(owner, ann.email).status == "active"
    assert not Event.objects.exists()


# --- Tokens --------------------------------------------------------------------------------------


def test_tokens_cannot_be_forged_or_enumerated(sent, settings):
    _, got = sent
    ann, bob = got["ann@example.com"], got["bob@example.com"]
    assert read_token(ann.token) == ann.message.pk
    assert read_message_id_header(ann.message_id) == ann.message.pk
    assert ann.message_id.endswith("@shop.example.com>")
    for token in forgeries(ann.token):
        assert read_token(token) is None, token
    # The next id with a valid token's signature is no token: ids cannot be walked.
    _head, signature = ann.token.split(".")
    neighbour = make_token(ann.message.pk + 1).split(".")[0]
    assert read_token(f"{neighbour}.{signature}") is None
    assert bob.token.split(".")[1] != signature
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40  # the signature is the server's: another key reads none
    assert read_token(ann.token) is None


# --- Bounce webhook ------------------------------------------------------------------------------

WEBHOOK = "/api/v1/webhooks/bounces"


def report(body, secret=SECRET, **headers):
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    import json

    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(WEBHOOK, data, content_type="application/json", **headers)


@pytest.fixture
def webhook_on(settings):
    settings.BOUNCE_WEBHOOK_SECRET = SECRET


def outcomes(response) -> list[str]:
    body = assert_hypermedia(response, 200, "bounce-report-result")
    assert body["recorded"] == sum(1 for r in body["results"] if r["outcome"] == "recorded")
    return [r["outcome"] for r in body["results"]]


def test_webhook_is_off_without_a_secret(sent, settings):
    _, got = sent
    settings.BOUNCE_WEBHOOK_SECRET = ""
    assert_problem(
        report({"type": "hard-bounce", "messageId": got["ann@example.com"].message_id}),
        404,
        "/errors/404.1-not-found",
        1,
    )
    assert Message.objects.get(pk=got["ann@example.com"].message.pk).status == "sent"


def test_webhook_refuses_a_wrong_or_missing_secret(sent, webhook_on):
    _, got = sent
    body = {"type": "hard-bounce", "messageId": got["ann@example.com"].message_id}
    for secret in ("wrong", SECRET + "x", "", None):
        response = report(body, secret=secret)
        assert_problem(response, 401, "/errors/401.3-invalid-webhook-secret", 3)
        assert response["WWW-Authenticate"].startswith("Bearer")
    response = Client().post(WEBHOOK, body, content_type="application/json", HTTP_AUTHORIZATION=f"Basic {SECRET}")
    assert_problem(response, 401, "/errors/401.3-invalid-webhook-secret", 3)
    assert not Event.objects.exists()


def test_hard_bounce_report(api, owner, sent, webhook_on):
    campaign_id, got = sent
    ann = got["ann@example.com"]
    at = "2030-01-02T03:04:05+00:00"
    body = {"type": "hard-bounce", "messageId": ann.message_id, "detail": "550 5.1.1 mailbox gone", "occurredAt": at}
    response = report(body)
    assert outcomes(response) == ["recorded"]
    assert response.json()["results"] == [{"messageId": ann.message_id, "outcome": "recorded"}]
    message = Message.objects.get(pk=ann.message.pk)
    assert (message.status, message.smtp_response) == ("hard-bounce", "550 5.1.1 mailbox gone")
    assert subscriber(owner, ann.email).status == "hard-bounce"
    event = Event.objects.get(message=message)
    assert (event.type, event.detail, event.at) == (
        "hard-bounce",
        "550 5.1.1 mailbox gone",
        datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 1, "hardBounces": 1}
    assert outcomes(report(body)) == ["already-recorded"]
    assert outcomes(report({**body, "type": "soft-bounce"})) == ["already-recorded"]
    assert Event.objects.count() == 1


def test_soft_bounce_report(api, owner, sent, webhook_on):
    campaign_id, got = sent
    ann = got["ann@example.com"]
    assert outcomes(report({"type": "soft-bounce", "messageId": ann.message_id})) == ["recorded"]
    assert Message.objects.get(pk=ann.message.pk).status == "soft-bounce"
    row = subscriber(owner, ann.email)
    assert (row.status, row.soft_bounces) == ("active", 1)  # below SOFT_BOUNCE_THRESHOLD
    assert events_of(ann.message) == [("soft-bounce", None)]
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 1, "softBounces": 1}
    assert outcomes(report({"type": "soft-bounce", "messageId": ann.message_id})) == ["already-recorded"]
    assert subscriber(owner, ann.email).soft_bounces == 1


def test_complaint_report_unsubscribes(api, owner, sent, webhook_on):
    campaign_id, got = sent
    bob = got["bob@example.com"]
    assert outcomes(report({"type": "complaint", "messageId": bob.message_id, "detail": "abuse"})) == ["recorded"]
    assert subscriber(owner, bob.email).status == "unsubscribed-by-user"
    assert Message.objects.get(pk=bob.message.pk).status == "sent"  # it was delivered
    assert [(e.type, e.detail) for e in Event.objects.filter(message=bob.message)] == [("complaint", "abuse")]
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 2, "complaints": 1}
    assert outcomes(report({"type": "complaint", "messageId": bob.message_id})) == ["already-recorded"]
    assert Event.objects.count() == 1


def test_reports_in_an_array_with_unknown_messages(api, owner, sent, webhook_on):
    campaign_id, got = sent
    ann, bob = got["ann@example.com"], got["bob@example.com"]
    forged = f"<{forgeries(ann.token)[1]}@shop.example.com>"
    body = [
        {"type": "hard-bounce", "messageId": ann.message_id},
        {"type": "complaint", "messageId": "<nothing@example.com>"},
        {"type": "soft-bounce", "messageId": forged},
        {"type": "complaint", "messageId": bob.message_id},
        {"type": "hard-bounce", "messageId": ann.message_id.strip("<>")},
    ]
    response = report(body)
    assert outcomes(response) == ["recorded", "unknown-message", "unknown-message", "recorded", "already-recorded"]
    assert [r["messageId"] for r in response.json()["results"]] == [r["messageId"] for r in body]
    assert response.json()["recorded"] == 2
    assert (subscriber(owner, ann.email).status, subscriber(owner, bob.email).status) == (
        "hard-bounce",
        "unsubscribed-by-user",
    )
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 2, "sent": 1, "hardBounces": 1, "complaints": 1}


@pytest.mark.parametrize(
    "body,status,field",
    [
        ({"type": "bounce", "messageId": "<x@y>"}, 400, "type"),
        ({"type": "hard-bounce"}, 400, "messageId"),
        ({"type": "hard-bounce", "messageId": "<x@y>", "occurredAt": "yesterday"}, 400, "occurredAt"),
        ([], 400, None),
        ("[1, 2]", 400, None),
        ('"hard-bounce"', 400, None),
        ("{not json", 400, None),
    ],
)
def test_bad_webhook_bodies_are_400_problems(sent, webhook_on, body, status, field):
    body_out = assert_problem(report(body), status)
    if field:
        assert field in [e["field"] for e in body_out["errors"]], body_out
    assert not Event.objects.exists()
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
