"""The back office's analytics pages show the figures the API serves: every count and rate of the account's page
equals /api/v1/analytics/emails for the same range and grouping, every figure of a campaign's page its
/api/v1/analytics/campaigns/{id} and its campaign's stats; a page costs a fixed number of queries however many
campaigns it lists; staff only."""

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.representations import COUNTS, RATES
from analytics.services import daily_add, link_add
from campaigns.models import CampaignLink, Message
from campaigns.tokens import make_token
from tests.analytics.builders import campaign_path, emails
from tests.backoffice.pages import as_shown, expected, shown, tiles
from tests.campaigns.builders import create_campaign, get_campaign, sent_campaign
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import create_list, md5, subscribed, unsubscribe
from tests.tasks.builders import queues  # noqa: F401 (a fixture)

ANALYTICS = "/admin/analytics/"
JAN_31, FEB_1, FEB_2 = date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 2)  # Saturday, Sunday, Monday
MEMBERS = (*COUNTS, *RATES)


def seed(account_id: int, spring: int, summer: int) -> None:
    """Two campaigns and single emails over three days around a week and a month boundary."""
    daily_add(account_id, spring, JAN_31, Counter({"sent": 2, "hardBounces": 1, "opens": 3, "uniqueOpens": 2}))
    daily_add(account_id, spring, FEB_1, Counter({"sent": 1, "clicks": 2, "uniqueClicks": 1, "unsubscribes": 1}))
    daily_add(account_id, summer, FEB_2, Counter({"sent": 4, "softBounces": 1, "complaints": 1}))
    daily_add(account_id, 0, FEB_2, Counter({"sent": 1, "opens": 1, "uniqueOpens": 1}))


def page(admin_client, query: str) -> str:
    response = admin_client.get(f"{ANALYTICS}?{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("group_by", ["day", "week", "month"])
def test_every_figure_of_the_account_page_is_the_apis(api, owner, admin_client, group_by):
    spring, summer = create_campaign(api, name="Spring"), create_campaign(api, name="Summer")
    seed(owner.account.pk, spring, summer)
    query = f"from=2026-01-20&to=2026-02-10&group_by={group_by}"
    body = emails(api, query)
    html = page(admin_client, f"account={owner.account.pk}&{query}")

    table = shown(html, "analytics-periods")
    assert {key: {m: v for m, v in cells.items() if m in MEMBERS} for key, cells in table.items()} == {
        **{period["period"]: expected(period, MEMBERS) for period in body["periods"]},
        "total": expected(body["totals"], MEMBERS),
    }
    assert tiles(html, "analytics-totals") == expected(body["totals"], MEMBERS)
    campaigns = shown(html, "analytics-campaigns")
    assert list(campaigns) == [str(summer), str(spring), "0"]  # the most sent first, single emails last
    assert campaigns[str(spring)]["uniqueOpens"] == "2" and campaigns[str(spring)]["openRate"] == "66.7 %"
    assert sum(int(row["sent"]) for row in campaigns.values()) == body["totals"]["sent"]
    assert f'href="/admin/analytics/campaigns/{spring}/">Spring</a>' in html


def test_the_csv_is_the_apis_table_and_neutralizes_formulas(api, owner, admin_client):
    formula = create_campaign(api, name='=HYPERLINK("http://evil.example")')
    seed(owner.account.pk, formula, formula)
    query = "from=2026-01-31&to=2026-02-02&group_by=day"
    body = emails(api, query)
    response = admin_client.get(f"{ANALYTICS}figures.csv?account={owner.account.pk}&{query}")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["period"] for row in rows] == ["2026-01-31", "2026-02-01", "2026-02-02", "total"]
    for row, figures in zip(rows, [*body["periods"], body["totals"]], strict=True):
        assert {m: float(row[m]) for m in MEMBERS} == {m: figures[m] for m in MEMBERS}

    campaigns = admin_client.get(f"{ANALYTICS}figures.csv?account={owner.account.pk}&{query}&table=campaigns")
    rows = list(csv.DictReader(io.StringIO(campaigns.content.decode())))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example")'  # a spreadsheet shows it, never runs it
    assert int(rows[0]["sent"]) + int(rows[1]["sent"]) == body["totals"]["sent"]


def test_the_audience_per_period_counts_the_subscribers_added_and_unsubscribed(api, owner, admin_client):
    news = create_list(api, "News")
    for name in ("a", "b", "c"):
        subscribed(api, news, f"{name}@example.com")
    unsubscribe(api, md5("b@example.com"))
    today = timezone.now().date()
    html = page(admin_client, f"account={owner.account.pk}&from={today - timedelta(days=2)}&to={today}")
    rows = shown(html, "analytics-periods")
    assert rows[str(today)]["subscribersAdded"] == "3" and rows[str(today)]["subscribersUnsubscribed"] == "1"
    assert rows["total"]["subscribersAdded"] == "3"
    assert 'aria-label="Audience per period"' in html


def test_the_range_and_grouping_are_checked_as_the_api_checks_them(api, owner, admin_client):
    html = page(admin_client, f"account={owner.account.pk}&from=2026-03-01&to=2026-02-01&group_by=year")
    assert "&#x27;from&#x27; (2026-03-01) must not be after &#x27;to&#x27; (2026-02-01)" in html
    assert "&#x27;group_by&#x27; must be one of day, week, month" in html
    assert len(shown(html, "analytics-periods")) == 31  # the API's default: the last 30 days, by day, and the total
    assert "must be a date" in page(admin_client, "from=yesterday")


def test_the_account_page_costs_the_same_queries_for_3_or_30_campaigns(api, owner, admin_client):
    def campaigns(count: int) -> None:
        for _ in range(count):
            campaign_id = create_campaign(api)
            daily_add(owner.account.pk, campaign_id, FEB_1, Counter({"sent": 2, "clicks": 1, "uniqueClicks": 1}))
            CampaignLink.objects.create(campaign_id=campaign_id, position=0, url=f"https://x.example/{campaign_id}")
            link_add(campaign_id, 0, unique=True)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html = page(admin_client, f"account={owner.account.pk}&from=2026-01-01&to=2026-03-31&group_by=week")
        return len(captured), html

    campaigns(3)
    few, _ = queries()
    campaigns(27)
    many, html = queries()
    assert len(shown(html, "analytics-campaigns")) == 30 and html.count('<td class="url">') == 10
    assert many == few, (few, many)


def test_every_figure_of_a_campaigns_page_is_the_apis(
    api,
    admin_client,
    smtp_server,  # noqa: F811
    queues,  # noqa: F811
):
    html = '<a href="https://shop.example.com/spring">Spring</a> <a href="https://shop.example.com/about">About</a>'
    campaign_id, _, _ = sent_campaign(api, 3, html=html)
    messages = list(Message.objects.filter(campaign_id=campaign_id).order_by("id"))
    for message in messages[:2]:
        assert Client().get(f"/t/o/{make_token(message.pk)}").status_code == 200
    assert Client().get(f"/t/o/{make_token(messages[0].pk)}").status_code == 200  # opened twice
    assert Client().get(f"/t/c/{make_token(messages[1].pk)}/0").status_code in (302, 303)
    figures = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    by_day = assert_hypermedia(api.get(campaign_path(campaign_id) + "?timeline=day"), 200, "campaign-analytics")
    stats = get_campaign(api, campaign_id)["stats"]

    response = admin_client.get(f"{ANALYTICS}campaigns/{campaign_id}/")
    assert response.status_code == 200
    page_html = response.content.decode()
    assert tiles(page_html, "campaign-totals") == expected(figures["metrics"], MEMBERS)
    outcomes = dict(re.findall(r'data-stat="(\w+)">(\d+)<', page_html))
    assert outcomes == {member: str(stats[member]) for member in outcomes} and outcomes["recipients"] == "3"
    days = shown(page_html, "campaign-periods")
    assert days.pop("total") == expected(figures["metrics"], MEMBERS)
    assert {day: (cells["opens"], cells["clicks"]) for day, cells in days.items()} == {
        point["at"][:10]: (str(point["opens"]), str(point["clicks"])) for point in by_day["timeline"]["points"]
    }
    links = page_html.split('id="campaign-links"', 1)[1].split("</table>", 1)[0]
    assert 'https://shop.example.com/spring</td><td class="number">1</td><td class="number">1</td>' in links
    assert 'https://shop.example.com/about</td><td class="number">0</td>' in links  # never clicked, listed too
    assert figures["topLinks"] == [{"url": "https://shop.example.com/spring", "clicks": 1, "uniqueClicks": 1}]

    hourly = admin_client.get(f"{ANALYTICS}campaigns/{campaign_id}/?unit=hour").content.decode()
    hours = re.findall(r'data-member="opens">(\d+)<', hourly.split('id="campaign-hours"', 1)[1])
    assert [int(n) for n in hours] == [point["opens"] for point in figures["timeline"]["points"]]
    assert as_shown("openRate", figures["metrics"]["openRate"]) == "66.7 %"


def test_the_pages_are_for_staff_only_and_linked_from_the_dashboard_and_the_navigation(
    api, owner, admin_client, django_user_model
):
    campaign_id = create_campaign(api)
    for path in (ANALYTICS, f"{ANALYTICS}figures.csv", f"{ANALYTICS}campaigns/{campaign_id}/"):
        assert Client().get(path).status_code == 302  # to the login page
        member = django_user_model.objects.create_user(f"u{len(path)}", password="pw", is_staff=False)
        client = Client()
        client.force_login(member)
        assert client.get(path).status_code == 302
    assert admin_client.get(f"{ANALYTICS}campaigns/999999/").status_code == 404
    index = admin_client.get("/admin/").content.decode()
    assert 'id="dashboard-analytics"' in index and f'href="{ANALYTICS}"' in index  # the dashboard, the app list
    change = admin_client.get(f"/admin/campaigns/campaign/{campaign_id}/change/").content.decode()
    assert f'href="{ANALYTICS}campaigns/{campaign_id}/"' in change
