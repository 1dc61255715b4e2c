"""A webhook in the back office, in a real browser: a staff member adds one for an account (its secret shown once,
after the save), an event reaches a receiver on loopback signed with that secret, the recent deliveries show the
attempt, and the secret is rotated with the button."""

import re

import pytest
from django.test import TestCase

from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.subscribers.builders import create_list, subscribed
from tests.webhooks.builders import Receiver, deliver, hooks, verified  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


def test_a_webhook_is_added_delivers_and_its_secret_rotated(
    live_server,
    page,
    admin_user,
    api,
    owner,
    hooks,  # noqa: F811
    insecure_cookies,  # noqa: F811
):
    hooks.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False
    news = create_list(api, "News")
    with Receiver([200]) as receiver:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/webhooks/endpoint/add/")
        page.select_option("#id_account", str(owner.account.pk))
        page.fill("#id_url", "http://10.1.2.3/hooks")
        page.check("input[value='subscriber.created']")
        page.click("input[name=_save]")
        assert "its host resolves to a non-public address" in page.inner_text(".errorlist")  # the API's words

        hooks.CALLBACK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on loopback
        page.fill("#id_url", receiver.url)
        page.fill("#id_description", "CRM sync")
        page.check("input[value='subscriber.unsubscribed']")
        page.click("input[name=_save]")
        message = page.inner_text(".messagelist")
        secret = SECRET.search(message).group(0)
        assert "not shown again" in message

        with TestCase.captureOnCommitCallbacks(execute=True):
            subscribed(api, news, "ann@example.com")
        deliver()
        [request] = receiver.requests
        assert verified(request, secret)["data"]["emailAddress"] == "ann@example.com"

        page.reload()
        assert SECRET.search(page.content()) is None  # shown once: not on the page again
        row = page.locator("table.webhook-deliveries tbody tr").first
        assert "subscriber.created" in row.inner_text() and "delivered" in row.inner_text()
        assert "200 in" in row.inner_text()
        page.locator(".field-recent").scroll_into_view_if_needed()
        screenshot(page, "backoffice-webhook")

        page.click("input[name=_rotate]")
        rotated = SECRET.search(page.inner_text(".messagelist")).group(0)
        assert rotated != secret
        screenshot(page, "backoffice-webhook-rotated")
