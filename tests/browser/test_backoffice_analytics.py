"""The analytics pages in a real browser: from the dashboard to the account's analytics, switch the grouping and
the period, download the table as CSV, open a campaign's analytics and switch it to hours. The figures are the
API's (tests/backoffice compares every cell); here a person finds them."""

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from analytics.services import daily_add
from campaigns.models import Campaign, CampaignStatus, Message
from campaigns.tokens import make_token
from subscribers.models import Subscriber
from tests.analytics.builders import emails
from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.campaigns.builders import create_campaign, sent_campaign
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import backdate_subscribers
from tests.subscribers.builders import md5, unsubscribe
from tests.tasks.builders import queues  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINKS = (
    '<a href="https://shop.example.com/spring">Spring</a> <a href="https://shop.example.com/shoes">Shoes</a> '
    '<a href="https://shop.example.com/about">About</a>'
)

OPENED = (0.22, 0.1, 0.05, 0.03, 0.02, 0.01, 0.01, 0.005, 0.005)  # of a campaign's recipients, day after day


def history(api, account_id: int) -> None:
    """Four weeks of two earlier campaigns, so the charts have a shape; subscribers added over those weeks."""
    today = timezone.now().date()
    for name, first, size in (("Weekly digest", 27, 400), ("Autumn sale", 16, 900)):
        campaign_id = create_campaign(api, name=name)
        Campaign.objects.filter(pk=campaign_id).update(status=CampaignStatus.SENT)  # as its counters say
        for after, share in enumerate(OPENED):
            age = first - after
            day, fresh = today - timedelta(days=age), after == 0
            opens = int(size * share)
            daily_add(
                account_id,
                campaign_id,
                day,
                Counter(
                    {
                        "sent": size - 12 if fresh else 0,
                        "hardBounces": 7 if fresh else 0,
                        "softBounces": 5 if fresh else 0,
                        "opens": opens + opens // 3,
                        "uniqueOpens": opens,
                        "clicks": opens // 3 + 1,
                        "uniqueClicks": opens // 4,
                        "unsubscribes": 3 if fresh else age % 2,
                        "complaints": int(fresh),
                    }
                ),
            )
    for n, subscriber in enumerate(Subscriber.objects.filter(account_id=account_id).order_by("id")):
        backdate_subscribers(Subscriber.objects.filter(pk=subscriber.pk), timezone.now() - timedelta(days=3 * n))


def test_account_and_campaign_analytics_periods_grouping_and_csv(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,  # noqa: F811
    smtp_server,  # noqa: F811
    queues,  # noqa: F811
    tmp_path,
):
    campaign_id, _, emails_sent = sent_campaign(api, 8, html=LINKS)
    messages = list(Message.objects.filter(campaign_id=campaign_id).order_by("id"))
    for message in messages[:5]:
        assert Client().get(f"/t/o/{make_token(message.pk)}").status_code == 200
    for message, position in ((messages[0], 0), (messages[1], 0), (messages[1], 1), (messages[2], 0)):
        assert Client().get(f"/t/c/{make_token(message.pk)}/{position}").status_code in (302, 303)
    unsubscribe(api, md5(emails_sent[7]))
    account_id = api.owner.account.pk
    history(api, account_id)
    totals = emails(api)["totals"]  # the last 30 days, by day

    log_in(page, live_server.url)
    assert page.locator(".app-backoffice-analytics a", has_text="Account analytics").count() == 1  # the app list
    page.select_option("#dashboard-account", str(account_id))
    page.click("#dashboard button[type=submit]")
    page.click("#dashboard-analytics")
    page.wait_for_selector("#analytics-totals")
    assert page.inner_text('#analytics-totals [data-member="sent"]') == f"{totals['sent']:,}"
    assert page.inner_text('#analytics-totals [data-member="openRate"]') == f"{100 * totals['openRate']:.1f} %"
    assert page.locator("#analytics-periods tbody tr").count() == 30
    assert page.locator("#nav-sidebar a[aria-current=page]", has_text="Account analytics").count() == 1
    for label in ("Unique opens", "Open rate", "Subscribers added"):
        assert label in page.inner_html(".analytics-page #content"), label  # the charts' legends
    page.click("#toggle-nav-sidebar")  # the page's width for the screenshots (the admin remembers it)

    page.select_option("#analytics-group", "week")
    page.click("#analytics-choice button[type=submit]")
    page.wait_for_selector("#analytics-periods")
    assert page.inner_text("#analytics-periods thead th >> nth=0").lower() == "week"
    weeks = page.locator("#analytics-periods tbody tr").count()
    assert weeks in (5, 6), weeks
    assert page.inner_text('#analytics-totals [data-member="sent"]') == f"{totals['sent']:,}"  # same range
    screenshot(page, "backoffice-analytics", full_page=True)

    page.click(".analytics-presets a:has-text('Last 7 days')")
    page.wait_for_selector("#analytics-periods")
    today = timezone.now().date()
    assert page.input_value("#analytics-from") == str(today - timedelta(days=6))
    assert page.locator("#analytics-periods tbody tr").count() == 7
    week = emails(api, f"from={today - timedelta(days=6)}&to={today}")["totals"]
    assert page.inner_text('#analytics-totals [data-member="delivered"]') == f"{week['delivered']:,}"

    with page.expect_download() as download:
        page.click(".analytics-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert len(rows) == 8 and rows[-1]["period"] == "total" and int(rows[-1]["sent"]) == week["sent"]

    page.click(f'#analytics-campaigns a[href$="/campaigns/{campaign_id}/"]')
    page.wait_for_selector("#campaign-totals")
    assert page.inner_text('#campaign-totals [data-member="uniqueOpens"]') == "5"
    assert page.inner_text('#campaign-totals [data-member="openRate"]') == "62.5 %"
    links = page.inner_text("#campaign-links")
    assert "https://shop.example.com/spring\t3\t3" in links and "https://shop.example.com/about\t0\t0" in links, links
    assert page.inner_text('#campaign-outcomes [data-stat="recipients"]') == "8"
    page.click("text=Per hour (opens and clicks)")
    page.wait_for_selector("#campaign-hours")
    assert page.inner_text('#campaign-hours [data-member="opens"]') == "5"
    assert "Opens (5)" in page.inner_html("svg.chart")
    screenshot(page, "backoffice-campaign-analytics", full_page=True)
