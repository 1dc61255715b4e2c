"""A template in the back office, in a real browser: a staff member writes a layout, sees the API's words when its
slot is doubled, then the layout around a sample content; a campaign that uses it previews composed, its
<style> rule inlined on the content's element."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.campaigns.builders import create_campaign
from tests.subscribers.builders import create_list, subscribed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAYOUT = """<!DOCTYPE html>
<html><head><style>
  body { background: #f4f4f4; margin: 0; }
  .frame { font-family: Helvetica, Arial, sans-serif; max-width: 560px; margin: 16px auto; padding: 16px 24px;
           background: #fff; border-top: 6px solid #c00; }
  h1 { color: #c00; font-size: 22px; }
  .footer { color: #777; font-size: 12px; }
  @media (max-width: 600px) { .frame { padding: 8px; } }
</style></head>
<body><div class="frame">{{ content }}
<p class="footer">Sent to {{ emailAddress }}. <a href="{{ unsubscribeUrl }}">Unsubscribe</a></p></div></body></html>"""


def test_a_template_is_written_checked_and_composes_a_campaigns_preview(
    live_server,
    page,
    admin_user,
    api,
    owner,
    insecure_cookies,  # noqa: F811
):
    news = create_list(api, "News")
    subscribed(api, news, "ann@example.com", fields={"firstName": "Ann"})

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/templates/template/add/")
    page.select_option("#id_account", str(owner.account.pk))
    page.fill("#id_name", "Newsletter")
    page.fill("#id_html", LAYOUT.replace("{{ content }}", "{{ content }}{{ content }}"))
    page.click("input[name=_continue]")
    assert "2 {{ content }} slots: write it exactly once" in page.inner_text(".errorlist")

    page.fill("#id_html", LAYOUT)
    page.click("input[name=_continue]")
    page.wait_for_selector(".field-preview iframe")
    frame = page.frame_locator(".field-preview iframe")
    assert "Its HTML goes here" in frame.locator(".frame").inner_text()
    page.locator(".field-used_by").scroll_into_view_if_needed()
    screenshot(page, "backoffice-template")

    template_id = int(page.url.rstrip("/").split("/")[-2])
    campaign_id = create_campaign(
        api, [news], templateId=template_id, html="<h1>Spring sale</h1><p>Hello {{ firstName | friend }}</p>", text=""
    )
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign_id}/change/")
    assert page.locator("#id_template option:checked").inner_text().endswith("Newsletter")
    heading = page.frame_locator("iframe.campaign-preview").locator("h1")
    assert heading.inner_text() == "Spring sale" and heading.get_attribute("style") == "color: #c00;font-size: 22px;"
    page.locator(".field-preview").scroll_into_view_if_needed()
    screenshot(page, "backoffice-campaign-template")
