"""The double opt-in link in a real browser: the email's link shows a page with a button (the GET confirms
nothing), the button confirms, the same link again says it was used, and a changed link gets its own page."""

import re

import pytest

from subscribers.models import Membership
from tests.browser.conftest import screenshot
from tests.campaigns.builders import local, send
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.subscribers.builders import Paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_confirming_a_subscription_in_the_browser(live_server, page, api, smtp_server):  # noqa: F811
    response = api.post(Paths(api.owner).lists, {"name": "Weekly letters", "doubleOptIn": True})
    list_id = int(response["Location"].rsplit("/", 1)[1])
    assert api.post(Paths(api.owner).list_subscribers(list_id), {"emailAddress": "ann@example.com"}).status_code == 201
    send()
    [delivery] = smtp_server.to("ann@example.com")
    text = delivery.parsed().get_body(("plain",)).get_content()
    link = live_server.url + local(re.search(r"https?://\S+/c/\S+", text).group(0))

    page.goto(link)
    assert page.inner_text("h1") == "Confirm your subscription"
    assert "a***@example.com" in page.inner_text("body") and "Weekly letters" in page.inner_text("body")
    screenshot(page, "double-opt-in-confirm")
    assert not Membership.objects.filter(list_id=list_id).exists()

    page.click("button[type=submit]")
    page.wait_for_selector("text=You are subscribed")
    screenshot(page, "double-opt-in-confirmed")
    assert Membership.objects.filter(list_id=list_id).count() == 1

    used = page.goto(link)
    assert used.status == 410 and page.inner_text("h1") == "Already confirmed"
    assert page.query_selector("button") is None
    screenshot(page, "double-opt-in-used")

    forged = page.goto(link[:-4] + "abcd")
    assert forged.status == 400 and page.inner_text("h1") == "This link is not valid"
    screenshot(page, "double-opt-in-invalid")
