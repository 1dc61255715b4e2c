"""The preference page as a subscriber uses it: the footer link of a campaign received at the loopback SMTP
server opens it in a real browser, with their lists ticked; they change lists, unsubscribe from everything and
subscribe again, on a desktop and on a phone's width."""

import re

import pytest

from subscribers.models import Status, Subscriber
from tests.browser.conftest import screenshot
from tests.campaigns.builders import create_campaign, send, start
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.preferences.builders import HTML, TEXT, make_list, memberships
from tests.subscribers.builders import subscribed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_subscriber_changes_lists_unsubscribes_and_comes_back(live_server, browser, api, settings, smtp_server):  # noqa: F811
    settings.PUBLIC_BASE_URL = live_server.url
    weekly = make_list(
        api, "weekly-2026", public=True, publicName="Weekly news", publicDescription="Our best stories, every Friday"
    )
    offers = make_list(api, "Offers", public=True, publicDescription="Sales and discount codes, a few times a month")
    make_list(api, "events", public=True, publicName="Events near you")
    internal = make_list(api, "Imported VIPs")
    subscribed(api, weekly, "jane.doe@example.com", fields={"firstName": "Jane"})
    subscribed(api, internal, "jane.doe@example.com", status=200)
    campaign_id = create_campaign(api, [weekly], name="Spring", fromName="Example Shop", html=HTML, text=TEXT)
    start(api, campaign_id)
    send()
    html = smtp_server.to("jane.doe@example.com")[0].parsed().get_body(("html",)).get_content()
    url = re.search(r'href="([^"]+/p/[^"]+)">Manage your preferences', html).group(1)
    assert url.startswith(f"{live_server.url}/p/")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    assert page.inner_text("h1") == "Choose your emails"
    assert "Emails from Example Shop to j***@e***.com" in page.inner_text(".who")
    # By the name subscribers read.
    assert page.locator(".lists .name").all_inner_texts() == ["Events near you", "Offers", "Weekly news"]
    assert "Imported VIPs" not in page.content()
    assert page.is_checked(f"input[value='{weekly}']") and not page.is_checked(f"input[value='{offers}']")
    screenshot(page, "preference-center")

    page.uncheck(f"input[value='{weekly}']")
    page.check(f"input[value='{offers}']")
    with page.expect_navigation():
        page.get_by_role("button", name="Save preferences").click()
    assert page.inner_text(".notice") == "Your preferences are saved."
    assert page.is_checked(f"input[value='{offers}']") and not page.is_checked(f"input[value='{weekly}']")
    assert memberships("jane.doe@example.com") == {offers, internal}

    with page.expect_navigation():
        page.get_by_role("button", name="Unsubscribe from all").click()
    assert page.inner_text(".notice") == "You are unsubscribed from all emails."
    assert page.inner_text("h1") == "You are unsubscribed"
    assert Subscriber.objects.get(email="jane.doe@example.com").status == Status.UNSUBSCRIBED_BY_USER
    screenshot(page, "preference-center-unsubscribed")

    page.check(f"input[value='{weekly}']")
    with page.expect_navigation():
        page.get_by_role("button", name="Subscribe again").click()
    assert page.inner_text(".notice") == "Welcome back: you are subscribed again."
    assert Subscriber.objects.get(email="jane.doe@example.com").status == Status.ACTIVE
    assert memberships("jane.doe@example.com") == {weekly, offers, internal}
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = phone.new_page()
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    screenshot(page, "preference-center-mobile", full_page=True)
    phone.close()
