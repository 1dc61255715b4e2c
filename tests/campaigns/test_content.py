"""What recipients receive: merge tags, tracked links, preheader and pixel, the MIME structure and headers, read
back from a real SMTP server with Python's email package."""

import itertools
import re
from email.utils import parsedate_to_datetime

import pytest

from campaigns.models import CampaignLink
from campaigns.tokens import make_token, make_tokens, read_message_id_header
from tests.campaigns.builders import (
    BASE_URL,
    FROM,
    act,
    audience,
    campaign_row,
    create_campaign,
    message_to,
    send,
    start,
)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import create_list, subscribe

PIXEL_HTML = '<img src="{base}/t/o/{token}" width="1" height="1" alt="" style="display:none">'


@pytest.fixture
def mail(api, smtp_server, settings):  # noqa: F811
    """Send a campaign to the given subscribers (email → fields); returns email → (parsed message, raw bytes,
    token) and the campaign id."""
    settings.PUBLIC_BASE_URL = BASE_URL
    numbers = itertools.count()

    def deliver(recipients: dict, **campaign):
        list_id = create_list(api, f"News {next(numbers)}")
        for address, fields in recipients.items():
            response = subscribe(api, list_id, address, fields=fields or None)
            assert_hypermedia(response, 201 if response.status_code == 201 else 200, "message")
        campaign_id = create_campaign(api, [list_id], **campaign)
        start(api, campaign_id)
        send()
        assert campaign_row(campaign_id).status == "sent"
        received = {}
        for address in recipients:
            (delivery,) = smtp_server.to(address)
            token = make_token(message_to(campaign_id, address).pk)
            received[address] = (delivery.parsed(), delivery.data, token)
        return campaign_id, received

    return deliver


def decoded(part) -> str | None:
    """A text part's content with LF line ends, without the line end that closes the part."""
    if part is None:
        return None
    content = part.get_content().replace("\r\n", "\n")
    return content.removesuffix("\n")


def parts(message) -> tuple[str | None, str | None]:
    return decoded(message.get_body(("plain",))), decoded(message.get_body(("html",)))


def header_block(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


# --- Merge tags ----------------------------------------------------------------------------------


def test_merge_tags_fallbacks_missing_values_and_case(mail):
    _campaign_id, got = mail(
        {"ann@example.com": {"firstName": "Ann", "lastName": "Lee"}, "bob@example.com": {}},
        subject="Hi {{ FIRSTNAME | friend }}",
        text="Hello {{ firstname|'dear reader' }} [{{ LastName }}]\nMail: {{ EMAILADDRESS }}\n"
        "Leave: {{unsubscribeurl}}",
        html='<p>{{ firstName | "you" }} {{ lastName | }}</p>',
    )
    ann, _, ann_token = got["ann@example.com"]
    bob, _, bob_token = got["bob@example.com"]
    assert (ann["Subject"], bob["Subject"]) == ("Hi Ann", "Hi friend")
    ann_text, ann_html = parts(ann)
    bob_text, bob_html = parts(bob)
    assert ann_text == (f"Hello Ann [Lee]\nMail: ann@example.com\nLeave: {BASE_URL}/u/{ann_token}")
    assert bob_text == (f"Hello dear reader []\nMail: bob@example.com\nLeave: {BASE_URL}/u/{bob_token}")
    assert "<p>Ann Lee</p>" in ann_html and "<p>you </p>" in bob_html
    assert ann["List-Unsubscribe"] == f"<{BASE_URL}/u/{ann_token}>"


def test_values_are_escaped_in_html_only(mail):
    nasty = '<b>Tom & "Jerry"</b>'
    _, got = mail(
        {"tom@example.com": {"firstName": nasty}},
        subject="For {{ firstName }}",
        text="Text: {{ firstName }}",
        html="<p>Html: {{ firstName }}</p>",
    )
    message, _, _ = got["tom@example.com"]
    text, html = parts(message)
    assert message["Subject"] == f"For {nasty}"
    assert text == f"Text: {nasty}"
    assert "<p>Html: &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p>" in html
    assert "<b>" not in html


def test_a_field_value_cannot_inject_headers(mail):
    evil = "Bob\r\nBcc: victim@example.net\r\n\r\nbody"
    _, got = mail({"bob@example.com": {"firstName": evil}}, subject="Hi {{ firstName }}!", text="x")
    message, raw, _ = got["bob@example.com"]
    assert message["Subject"] == "Hi Bob Bcc: victim@example.net body!"
    assert message["Bcc"] is None
    head = header_block(raw)
    assert b"\nBcc:" not in head and head.count(b"Subject:") == 1
    assert message.defects == [] and parts(message)[0] == "x"


def test_values_fill_the_subject_and_non_ascii_is_encoded(mail):
    _, got = mail(
        {"zoe@example.com": {"firstName": "Zoë"}},
        fromName="Café Ünïcode",
        subject="Grüße,   {{ firstName }} — 10 % off",
        text="Für dich, {{ firstName }} ✓",
    )
    message, raw, _ = got["zoe@example.com"]
    assert message["Subject"] == "Grüße, Zoë — 10 % off"
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Café Ünïcode", FROM)
    assert header_block(raw).isascii()  # encoded words: any server can carry the headers
    assert parts(message)[0] == "Für dich, Zoë ✓"
    assert message.get_body(("plain",)).get_content_charset() == "utf-8"


# --- Links, preheader, pixel ---------------------------------------------------------------------

HTML_WITH_LINKS = """<html><body>
<a href="https://shop.example.com/a?x=1&amp;y=2">A</a>
<A class="btn" HREF='http://shop.example.com/b'>B</A>
<a href="https://shop.example.com/a?x=1&amp;y=2">A again</a>
<a href="mailto:help@shop.example.com">mail us</a> <a href="#top">top</a> <a href="/relative">rel</a>
<a href="ftp://files.example.com/x">ftp</a> <img src="https://shop.example.com/logo.png" alt="">
</body></html>"""


def test_links_are_numbered_once_and_rewritten_per_recipient(mail, api):
    campaign_id, got = mail({"a@example.com": {}, "b@example.com": {}}, html=HTML_WITH_LINKS, text="")
    stored = list(CampaignLink.objects.filter(campaign_id=campaign_id).values_list("position", "url"))
    assert stored == [(0, "https://shop.example.com/a?x=1&y=2"), (1, "http://shop.example.com/b")]
    tokens = set()
    for address in ("a@example.com", "b@example.com"):
        message, _, token = got[address]
        tokens.add(token)
        _, html = parts(message)
        hrefs = re.findall(r"""(?i)href=["']([^"']*)["']""", html)
        assert hrefs == [
            f"{BASE_URL}/t/c/{token}/0",
            f"{BASE_URL}/t/c/{token}/1",
            f"{BASE_URL}/t/c/{token}/0",
            "mailto:help@shop.example.com",
            "#top",
            "/relative",
            "ftp://files.example.com/x",
        ]
        assert '<img src="https://shop.example.com/logo.png" alt="">' in html
        assert "shop.example.com/a" not in html and "shop.example.com/b" not in html
    assert len(tokens) == 2


def test_links_are_rewritten_once_across_pause_and_resume(api, smtp_server, settings):  # noqa: F811
    list_id, emails = audience(api, 2)
    campaign_id = create_campaign(api, [list_id], html=HTML_WITH_LINKS)
    start(api, campaign_id)
    assert_hypermedia(act(api, campaign_id, "pause"), 200)
    assert_hypermedia(act(api, campaign_id, "start"), 200)
    send()
    assert CampaignLink.objects.filter(campaign_id=campaign_id).count() == 2
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)


def test_preheader_follows_body_and_pixel_precedes_its_end(mail):
    _, got = mail(
        {"a@example.com": {}},
        preheader="Sale <now> & more",
        text="",
        html='<html><head><title>T</title></head><BODY class="x">\n<p>Body</p>\n</BODY></html>',
    )
    message, _, token = got["a@example.com"]
    _, html = parts(message)
    hidden = '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">Sale &lt;now&gt; &amp; more</div>'
    pixel = PIXEL_HTML.format(base=BASE_URL, token=token)
    assert html == f'<html><head><title>T</title></head><BODY class="x">{hidden}\n<p>Body</p>\n{pixel}</BODY></html>'


def test_preheader_merge_tags_are_filled_and_escaped(mail):
    _, got = mail(
        {"ann@example.com": {"firstName": "<Ann>"}, "bob@example.com": {}},
        text="",
        preheader='Hi {{ firstName | "you" }} & <more>',
        html="<body><p>B</p></body>",
    )
    for address, name in (("ann@example.com", "&lt;Ann&gt;"), ("bob@example.com", "you")):
        _, html = parts(got[address][0])
        assert f">Hi {name} &amp; &lt;more&gt;</div><p>B</p>" in html, html


def test_fragment_without_body_gets_preheader_first_and_pixel_last(mail):
    _, got = mail({"a@example.com": {}}, preheader="Peek", html="<p>Just a fragment</p>", text="")
    message, _, token = got["a@example.com"]
    _, html = parts(message)
    assert html.startswith(
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">Peek</div><p>Just a fragment</p>'
    )
    assert html.endswith(PIXEL_HTML.format(base=BASE_URL, token=token))
    assert html.count("/t/o/") == 1


# --- MIME and headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,expected",
    [
        ({"html": "<p>H</p>", "text": "T"}, ["multipart/alternative", "text/plain", "text/html"]),
        # Without text, a text part is written from the HTML (campaigns/plaintext.py).
        ({"html": "<p>H</p>", "text": ""}, ["multipart/alternative", "text/plain", "text/html"]),
        ({"html": "", "text": "T"}, ["text/plain"]),
    ],
)
def test_mime_structure(mail, content, expected):
    _, got = mail({"a@example.com": {}}, **content)
    message, raw, _ = got["a@example.com"]
    assert [part.get_content_type() for part in message.walk()] == expected
    assert message.defects == [] and all(part.defects == [] for part in message.walk())
    for part in message.walk():
        if not part.is_multipart():
            assert part["Content-Transfer-Encoding"] == "quoted-printable"
            assert part.get_content_charset() == "utf-8"
    text, html = parts(message)
    assert text == ("T" if content["text"] else "H" if content["html"] else None)
    assert (html is not None and html.startswith("<p>H</p>")) == bool(content["html"])
    assert (b"/t/o/" in raw) == bool(content["html"])  # no pixel without HTML
    assert message["MIME-Version"] == "1.0"


def test_headers_of_each_message(mail):
    campaign_id, got = mail(
        {"a@example.com": {}, "b@example.com": {}},
        fromName="Shop",
        replyTo="help@shop.example.com",
        subject="News",
        text="T",
    )
    ids = set()
    for address, (message, _raw, token) in got.items():
        assert message["From"] == f"Shop <{FROM}>"
        assert message["Reply-To"] == "help@shop.example.com"
        assert message["To"] == address
        assert message["Subject"] == "News"
        # The Message-ID has a token of its own (it opens no link), of the same message
        assert message["Message-ID"] == f"<{make_tokens(message_to(campaign_id, address).pk)[1]}@shop.example.com>"
        assert token not in message["Message-ID"]
        assert read_message_id_header(message["Message-ID"]) == message_to(campaign_id, address).pk
        assert message["List-Unsubscribe"] == f"<{BASE_URL}/u/{token}>"
        assert message["List-Unsubscribe"].startswith("<https://")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
        for name in ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"):
            assert len(message.get_all(name)) == 1, name
        ids.add(message["Message-ID"])
    assert len(ids) == 2


def test_lines_starting_with_a_dot_arrive_intact(mail):
    text = ".hidden\n..two\n.\nmiddle\n. spaced\nend"
    html = "<pre>\n.dot in html\n.\n</pre>"
    _, got = mail({"a@example.com": {}}, text=text, html=html)
    message, _, _ = got["a@example.com"]
    plain, markup = parts(message)
    assert plain == text
    assert ".dot in html\n.\n</pre>" in markup


LONG_NON_ASCII = {"subject": "Ünïcödé " * 20 + "{{ firstName }}", "fromName": "Ä " * 60}


def test_long_non_ascii_headers_round_trip(mail):
    _, got = mail({"a@example.com": {"firstName": "Zoë"}}, text="T", **LONG_NON_ASCII)
    message, raw, _ = got["a@example.com"]
    assert message["Subject"] == "Ünïcödé " * 20 + "Zoë"
    # The spaces are inside the encoded words, as RFC 2047 wants (whitespace between words is dropped); Python's
    # parser keeps the folding whitespace of a display name as well, hence the normalizing.
    assert " ".join(message["From"].addresses[0].display_name.split()) == " ".join(["Ä"] * 60)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


@pytest.mark.parametrize(
    "content",
    [
        {"html": "<p>" + "one long line of minified HTML " * 10 + "</p>", "text": "x" * 200},
        {**LONG_NON_ASCII, "text": "T"},
    ],
    ids=["single-line-parts", "long-non-ascii-headers"],
)
def test_only_crlf_line_ends(mail, content):
    """SMTP wants CRLF; a bare LF gets the message refused by many servers (SMTP smuggling defences). Both cases
    once came out with bare LFs: b2a_qp soft-breaks a part without line ends with '=\\n', and Header.encode()
    folds with '\\n' by default."""
    _, got = mail({"a@example.com": {"firstName": "Zoë"}}, **content)
    _, raw, _ = got["a@example.com"]
    assert b"\n" not in raw.replace(b"\r\n", b"")
