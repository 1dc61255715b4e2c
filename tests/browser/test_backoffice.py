"""The back office in a real browser: a staff member logs in and finds, on the admin index, the dashboard of an
account: its subscribers by status, its lists, the last 30 days of sends and opens as a chart; and the account
chooser switches accounts."""

import pytest
from django.test import Client

from campaigns.models import Message
from campaigns.tokens import make_token
from tests.browser.conftest import screenshot
from tests.campaigns.builders import sent_campaign
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.subscribers.builders import create_list, md5, subscribed, unsubscribe
from tests.tasks.builders import queues  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def insecure_cookies(settings):
    """The live server speaks plain HTTP: the admin's session cookie must travel over it."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard")


def test_the_dashboard_shows_an_accounts_audience_lists_and_last_30_days(
    live_server,
    page,
    admin_user,
    api,
    other,
    insecure_cookies,
    smtp_server,  # noqa: F811
    queues,  # noqa: F811
):
    campaign_id, _, _ = sent_campaign(api, 4)
    weekly = create_list(api, "Weekly")
    subscribed(api, weekly, "late@example.com")
    unsubscribe(api, md5("late@example.com"))
    opened = Message.objects.filter(campaign_id=campaign_id).order_by("id")[:2]
    for message in opened:
        assert Client().get(f"/t/o/{make_token(message.pk)}").status_code == 200

    log_in(page, live_server.url)
    page.select_option("#dashboard-account", str(api.owner.account.pk))
    page.click("#dashboard button[type=submit]")
    page.wait_for_selector("#dashboard svg.chart")
    board = page.inner_text("#dashboard")
    assert "Active\t4" in board and "Unsubscribed By Admin\t1" in board, board
    assert "News\t4" in board, board  # the list and its active members
    chart = page.inner_html("#dashboard svg.chart")
    assert "Sent (4)" in chart and "Opens (2)" in chart, chart
    figures = page.inner_text(".dashboard-figures")
    assert "delivered\t4\t100.0 %" in figures and "opened (unique)\t2\t50.0 %" in figures, figures
    screenshot(page, "backoffice-dashboard")

    page.select_option("#dashboard-days", "7")
    page.click("#dashboard button[type=submit]")
    page.wait_for_selector("#dashboard svg.chart")
    assert "The last 7 days" in page.inner_text("#dashboard") and "Sent (4)" in page.inner_html("svg.chart")

    page.select_option("#dashboard-account", str(other.account.pk))
    page.click("#dashboard button[type=submit]")
    page.wait_for_selector("#dashboard svg.chart")
    assert "News" not in page.inner_text("#dashboard .dashboard-grid")


def test_a_campaigns_page_shows_its_rates_timeline_links_and_a_preview(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,
    smtp_server,  # noqa: F811
    queues,  # noqa: F811
):
    html = '<p>Hi {{ firstName | friend }}</p><a href="https://shop.example.com/spring">Spring</a>'
    campaign_id, _, _ = sent_campaign(api, 3, fields=lambda i: {"firstName": f"Ann{i}"}, html=html)
    messages = list(Message.objects.filter(campaign_id=campaign_id).order_by("id"))
    assert Client().get(f"/t/o/{make_token(messages[0].pk)}").status_code == 200
    link = Message.objects.get(pk=messages[1].pk)
    assert Client().get(f"/t/c/{make_token(link.pk)}/0").status_code in (302, 303)

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign_id}/change/")
    rates = page.inner_text(".campaign-rates")
    assert "delivered\t3\t100.0 %" in rates and "opened (unique)\t1\t33.3 %" in rates, rates
    assert "clicked (unique)\t1\t33.3 %" in rates, rates
    assert "Opens (1)" in page.inner_html("svg.chart") and "Clicks (1)" in page.inner_html("svg.chart")
    assert "https://shop.example.com/spring" in page.inner_text(".field-top_links")
    frame = page.frame_locator("iframe.campaign-preview")
    assert frame.locator("p").inner_text() == "Hi Ann0"  # the first recipient's merge values
    assert page.locator('meta[http-equiv="refresh"]').count() == 0  # sent: nothing moves any more
    screenshot(page, "backoffice-campaign")
