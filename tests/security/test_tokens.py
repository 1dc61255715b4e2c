"""Tracking and unsubscribe tokens cannot be forged, and a tracked link cannot redirect anywhere else.

tests/campaigns/test_tracking.py checks each endpoint's behaviour; this file is the tamper matrix over
all three, plus the links a campaign never tracks. ``/t/o`` answers the transparent GIF whatever the
token (a mail client would otherwise draw a broken image), so there a forgery must record nothing.
"""

import re

from django.test import Client

from campaigns.models import Event, Message
from campaigns.public_views import PIXEL
from campaigns.tokens import make_token, make_tokens, read_message_id_header, read_token
from subscribers.models import Subscriber
from tests.campaigns.builders import audience, create_campaign, local, send, start
from tests.campaigns.test_tracking import SALE, forgeries
from tests.helpers import assert_problem


def _tampered(token: str) -> list[str]:
    """Every forgery of ``token``, and a well-signed token of a message that does not exist."""
    missing = (Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    return [*forgeries(token), make_token(missing)]


def _state():
    return (
        list(Event.objects.values_list("pk", flat=True)),
        list(Message.objects.order_by("pk").values_list("pk", "status", "opened_at", "clicked_at")),
        list(Subscriber.objects.order_by("pk").values_list("pk", "status", "last_open_at", "unsubscribed_at")),
    )


def test_a_tampered_token_gets_404_and_changes_nothing_on_every_endpoint(sent):
    _, got = sent
    client = Client(enforce_csrf_checks=True)
    before = _state()
    for token in _tampered(got["ann@example.com"].token):
        for method in ("get", "head"):
            response = getattr(client, method)(f"/t/c/{token}/0")
            assert response.status_code == 404 and not response.has_header("Location"), (method, token)
        assert_problem(client.get(f"/t/c/{token}/0"), 404, "/errors/404.1-not-found")
        assert client.get(f"/u/{token}").status_code == 404, token
        for body in ("List-Unsubscribe=One-Click", ""):
            response = client.post(f"/u/{token}", body, content_type="application/x-www-form-urlencoded")
            assert response.status_code == 404 and "unsubscribed" not in response.content.decode().lower(), token
        pixel = client.get(f"/t/o/{token}")
        assert (pixel.status_code, pixel["Content-Type"], pixel.content) == (200, "image/gif", PIXEL), token
    assert _state() == before


def test_a_tracked_link_redirects_only_to_its_campaigns_own_links(sent):
    _, got = sent
    ann = got["ann@example.com"]
    client = Client()
    targets = {client.get(path)["Location"] for path in ann.links}
    assert SALE in targets and len(targets) == 2
    base = ann.links[0].rsplit("/", 1)[0]
    tries = [f"{base}/{n}" for n in range(-2, 12)]
    tries += [
        f"{ann.links[0]}?{query}"
        for query in (
            "url=https://evil.example/",
            "next=//evil.example",
            "redirect=https%3A%2F%2Fevil.example",
            "u=javascript:alert(1)",
        )
    ]
    tries += [
        f"{base}/0/https://evil.example",
        f"{base}/%2F%2Fevil.example",
        f"{base}/1e3",
        f"{base}/0x1",
        f"{base}/%30",
        f"{base}/0%0d%0aLocation:%20https://evil.example",
        f"{base}/\u0660",
    ]
    for path in tries:
        response = client.get(path)
        if response.status_code == 302:
            assert response["Location"] in targets, (path, response["Location"])
        else:
            assert_problem(response, 404)
            assert not response.has_header("Location"), path


def test_links_that_are_not_http_are_never_tracked_so_never_redirected_to(api, smtp_server):
    list_id, (address,) = audience(api, 1, name="Odd links")
    html = (
        '<html><body><a href="javascript:alert(1)">j</a><a href="//evil.example/x">p</a>'
        '<a href="data:text/html,hi">d</a><a href="mailto:a@example.com">m</a>'
        '<a href="https://shop.example.com/ok">ok</a></body></html>'
    )
    campaign_id = create_campaign(api, [list_id], name="Odd", html=html)
    start(api, campaign_id)
    send()
    (delivery,) = smtp_server.to(address)
    body = delivery.parsed().get_body(("html",)).get_content()
    tracked = re.findall(r'href="([^"]+/t/c/[^"]+)"', body)
    assert len(tracked) == 1
    assert Client().get(local(tracked[0]))["Location"] == "https://shop.example.com/ok"
    for untouched in ('href="javascript:alert(1)"', 'href="//evil.example/x"', 'href="data:text/html,hi"'):
        assert untouched in body  # left as written: the server never redirects to them
    token = tracked[0].split("/t/c/")[1].split("/")[0]
    for position in range(1, 6):
        assert_problem(Client().get(f"/t/c/{token}/{position}"), 404)


def _message_id_token(header: str) -> str:
    return header.strip().strip("<>").partition("@")[0]


def test_a_message_id_is_no_link_token(sent):
    """Replies and forwards quote the Message-ID (In-Reply-To, References): it must not unsubscribe or track."""
    _, got = sent
    ann = got["ann@example.com"]
    token = _message_id_token(ann.message_id)
    assert token != ann.token
    client = Client()
    before = _state()
    assert client.get(f"/u/{token}").status_code == 404
    response = client.post(
        f"/u/{token}", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 404
    assert client.get(f"/t/c/{token}/0").status_code == 404
    assert client.get(f"/p/{token}").status_code == 404  # nor the preference page's
    client.get(f"/t/o/{token}")
    assert _state() == before
    assert Subscriber.objects.get(email="ann@example.com").status == "active"


def test_the_unsubscribe_pages_mask_the_address(sent):
    _, got = sent
    ann = got["ann@example.com"]
    client = Client()
    for response in (
        client.get(ann.unsubscribe),
        client.post(ann.unsubscribe, "", content_type="application/x-www-form-urlencoded"),
    ):
        page = response.content.decode()
        assert response.status_code == 200
        assert "ann@example.com" not in page and "a***@example.com" in page


def test_links_in_mail_already_sent_survive_a_change_of_secret_key(settings):
    """Issue 16 refuses keys under 50 characters: a deployment changing its key keeps the old one as a fallback,
    and every unsubscribe link in circulation keeps working."""
    settings.SECRET_KEY = "o" * 50
    links, message_id_token = make_tokens(4242)
    settings.SECRET_KEY = "n" * 60
    assert read_token(links) is None  # a change of key alone breaks them
    settings.SECRET_KEY_FALLBACKS = ["o" * 50]
    assert read_token(links) == 4242
    assert read_message_id_header(f"<{message_id_token}@example.com>") == 4242
    assert read_token(make_token(4242)) == 4242  # new tokens are signed with the new key
    settings.SECRET_KEY_FALLBACKS = []
    assert read_token(make_token(4242)) == 4242
