"""A campaign with a template, received by a real SMTP server on loopback: the HTML in the layout's slot, the
layout's <style> rules inlined (a style attribute on the element, @media kept in a <style> block), merge tags
filled in and links tracked through the inlining, a text part written from the HTML. Editing the template once
the campaign started changes nothing it sends; a draft's preview and test send show the current version."""

import re
from email import policy
from email.parser import BytesParser

import pytest
from django.test import Client
from django.utils import timezone

from campaigns import recording
from campaigns.journal import UNJOURNALED_CLAIM
from campaigns.sending import Sender, _write_recipients
from campaigns.transport import transport_open
from tasks.services import task_join
from tests.campaigns.builders import (
    BASE_URL,
    audience,
    campaign_row,
    create_campaign,
    local,
    post,
    send,
    start,
)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia
from tests.templates.builders import LAYOUT, TEXT_LAYOUT, create_template, template_body, templates_path

pytestmark = pytest.mark.django_db
CONTENT = (
    '<h1>Spring sale</h1><p class="greeting">Hello {{ firstName | "Tom & Jerry" }}</p>'
    '<p>See <a href="https://shop.example.com/spring?who={{ emailAddress }}">the collection</a>.</p>'
    "<ul><li>Linen shirts</li><li>Canvas shoes</li></ul>"
)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PUBLIC_BASE_URL = BASE_URL


def bodies(raw: bytes) -> tuple[str, str]:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def campaign_with_template(api, count: int, fields=None, **template) -> tuple[int, int, list[str]]:
    template_id = create_template(api, **template)
    list_id, emails = audience(api, count, fields=fields or (lambda i: {"firstName": f"Ann{i}" if i else ""}))
    campaign_id = create_campaign(api, [list_id], html=CONTENT, text="", templateId=template_id)
    return template_id, campaign_id, emails


def test_the_received_message_has_the_layout_inlined_styles_merge_tags_tracked_links_and_a_text_part(
    api,
    smtp_server,  # noqa: F811
):
    _template_id, campaign_id, emails = campaign_with_template(api, 2)
    start(api, campaign_id)
    send()
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)
    text, html = bodies(smtp_server.to(emails[0])[0].data)
    # The layout around the content, its rules inlined on the elements they match, @media kept.
    assert '<p class="greeting" style="color: #c00;font-weight: bold;">Hello Tom &amp; Jerry</p>' in html, html
    assert re.search(r"<style>\s*@media \(max-width: 600px\)", html), html
    assert ".greeting { color" not in html
    assert '<div class="frame"><h1>Spring sale</h1>' in html
    # Tracked links (the content's and the layout's unsubscribe URL) survived the inlining.
    tracked = re.findall(r'<a href="([^"]+)" style="color: #06c;">', html)
    assert len(tracked) == 2 and tracked[0].startswith(f"{BASE_URL}/t/c/") and tracked[1].startswith(f"{BASE_URL}/u/")
    redirect = Client().get(local(tracked[0]))
    assert (
        redirect.status_code == 302 and redirect["Location"] == "https://shop.example.com/spring?who=p0%40example.com"
    )
    assert f"Sent to {emails[0]}." in html
    _, other = bodies(smtp_server.to(emails[1])[0].data)
    assert '<p class="greeting" style="color: #c00;font-weight: bold;">Hello Ann1</p>' in other
    # The text part, written from the composed HTML: heading, paragraphs, links as text (url), list items.
    assert text.replace("\r\n", "\n") == (
        "Spring sale\n===========\n\nHello Tom & Jerry\n\n"
        f"See the collection (https://shop.example.com/spring?who={emails[0]}).\n\n"
        "- Linen shirts\n- Canvas shoes\n\n"
        f"Sent to {emails[0]}. Unsubscribe ({tracked[1]})\n"
    )


def test_a_text_layout_takes_the_text_written_from_the_content(api, smtp_server):  # noqa: F811
    _template_id, campaign_id, emails = campaign_with_template(api, 1, text=TEXT_LAYOUT)
    start(api, campaign_id)
    send()
    text, _html = bodies(smtp_server.to(emails[0])[0].data)
    assert text.replace("\r\n", "\n").startswith("Spring sale\n===========\n\nHello Tom & Jerry\n\nSee the")
    assert f"\n--\nSent to {emails[0]}. Unsubscribe: {BASE_URL}/u/" in text.replace("\r\n", "\n")


def _send_one_batch(campaign_id: int) -> None:
    """One sender joins, writes the recipients and sends one message, as a worker would."""
    campaign = campaign_row(campaign_id)
    task = task_join(task_id=campaign.task_id)
    _write_recipients(campaign, task)
    campaign.refresh_from_db()
    transport = transport_open()
    try:
        batch = recording.claim(campaign_id=campaign_id, task_id=task.pk, size=1, now=timezone.now())
        Sender(campaign, task)._send(batch, transport, UNJOURNALED_CLAIM)
    finally:
        transport.close()


def without_tokens(html: str) -> str:
    return re.sub(r"/(t/c|t/o|u)/[^\"/]+", r"/\1/TOKEN", html)


def test_editing_the_template_after_the_start_changes_nothing_sent(api, settings, smtp_server):  # noqa: F811
    settings.CAMPAIGN_BATCH_SIZE = 1
    # The same merge values for all, so that their copies can be compared.
    template_id, campaign_id, emails = campaign_with_template(api, 3, fields=lambda i: {"firstName": "Ann"})
    start(api, campaign_id)
    _send_one_batch(campaign_id)
    assert len(smtp_server.deliveries) == 1
    edited = template_body(html='<table class="new">{{ content }}</table><p>Edited footer</p>')
    assert_hypermedia(api.put(f"{templates_path(api)}/{template_id}", edited), 200, "message")
    preview = assert_hypermedia(api.get(f"/api/v1/campaigns/{campaign_id}/preview"), 200, "campaign-preview")
    assert "Edited footer" not in preview["html"] and '<div class="frame">' in preview["html"]
    send()
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)
    sent = {without_tokens(bodies(d.data)[1].replace(d.rcpt_to, "ADDRESS")) for d in smtp_server.deliveries}
    assert len(sent) == 1, sent
    assert "Edited footer" not in sent.pop()


def test_a_drafts_preview_and_test_send_show_the_templates_current_version_and_the_text(
    api,
    smtp_server,  # noqa: F811
):
    template_id, campaign_id, _emails = campaign_with_template(api, 1)
    path = f"/accounts/{api.owner.name}/campaigns/{campaign_id}"
    preview = assert_hypermedia(api.get(f"{path}/preview"), 200, "campaign-preview")
    assert '<p class="greeting" style="color: #c00;font-weight: bold;">Hello Tom &amp; Jerry</p>' in preview["html"]
    assert preview["text"].startswith("Spring sale\n===========\n")
    edited = template_body(html="<main>{{ content }}</main><p>Version 2</p>")
    assert_hypermedia(api.put(f"{templates_path(api)}/{template_id}", edited), 200, "message")
    preview = assert_hypermedia(api.get(f"{path}/preview"), 200, "campaign-preview")
    assert preview["html"].startswith("<main><h1>Spring sale</h1>") and "Version 2" in preview["text"]
    tested = post(api, f"{path}/test", {"emails": ["qa@example.com"]})
    assert_hypermedia(tested, 200, "campaign-test-result")
    text, html = bodies(smtp_server.to("qa@example.com")[0].data)
    assert "<main><h1>Spring sale</h1>" in html and "Version 2" in html
    assert text.replace("\r\n", "\n").startswith("Spring sale\n===========\n") and "Version 2" in text
    assert LAYOUT not in html
