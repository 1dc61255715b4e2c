"""A campaign's preview and test send in a real browser: a staff member previews a draft as a chosen subscriber
(by address), sends a test from the campaign's page, reads each address's outcome, and the test arrives at the
loopback SMTP server with the subscriber's merge values; no campaign message is written."""

import pytest

from api.redis_client import redis_client
from campaigns.models import Message
from campaigns.testsend import send_window
from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.campaigns.builders import audience, create_campaign
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HTML = (
    "<html><body><h2>Spring sale</h2><p>Hi {{ firstName | friend }}, everything is 40% off until Sunday.</p>"
    '<p><a href="https://shop.example.com/spring">See the sale</a></p></body></html>'
)


def test_preview_a_draft_as_a_chosen_subscriber_and_send_a_test(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,  # noqa: F811
    smtp_server,  # noqa: F811
):
    redis_client().delete(send_window(api.owner.account.pk))
    list_id, _ = audience(api, 2, fields=lambda i: {"firstName": ["Ann", "Bob"][i]})
    campaign_id = create_campaign(api, [list_id], html=HTML)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign_id}/change/")
    preview = page.frame_locator("iframe.campaign-preview")
    assert preview.locator("p").first.inner_text().startswith("Hi Ann,")  # the sample: the first recipient

    page.fill("input[name=preview]", "p1@example.com")
    submit(page, "campaign-preview-form")
    page.wait_for_url("**/change/?preview=p1%40example.com")
    assert preview.locator("p").first.inner_text().startswith("Hi Bob,")
    assert "Subject: Hello Bob" in page.inner_text(".field-preview")

    page.fill("input[name=preview]", "nobody@example.com")
    submit(page, "campaign-preview-form")
    assert "no subscriber nobody@example.com" in page.inner_text(".field-preview .errornote")
    page.fill("input[name=preview]", "p1@example.com")
    submit(page, "campaign-preview-form")

    page.fill("input[name=emails]", "qa@example.com, not-an-address")
    submit(page, "campaign-test-form")
    assert "Test not sent: 'not-an-address' is not a valid email address" in page.inner_text(".messagelist")
    assert not smtp_server.deliveries

    page.fill("input[name=emails]", "qa@example.com, boss@example.com")
    submit(page, "campaign-test-form")
    shown = page.inner_text(".messagelist")
    assert '"[Test] Hello Bob": test sent to 2 of 2 addresses.' in shown, shown
    assert "Sent: qa@example.com (250 Message accepted)" in shown and "Sent: boss@example.com (250" in shown
    assert "Subject: Hello Bob" in page.inner_text(".field-preview")  # still previewing the same subscriber
    received = smtp_server.to("qa@example.com")[0].parsed()
    assert received["Subject"] == "[Test] Hello Bob"
    assert "Hi Bob, everything is 40% off" in received.get_body(("html",)).get_content()
    assert not Message.objects.filter(campaign_id=campaign_id).exists()

    page.set_viewport_size({"width": 1280, "height": 1500})
    screenshot(page, "backoffice-campaign-test")


def submit(page, form: str) -> None:
    """Submit ``form`` and wait for the page it leads to (the next one may look like the last: the same URL). The
    form is submitted as its button would (``requestSubmit``): a click on a button below the preview's iframe could
    land while the frame's content still moved the page, and then nothing was sent."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(f"button[form={form}]").evaluate("button => button.form.requestSubmit(button)")
