"""A realistic campaign, end to end: sends over SMTP with bounces, opens, clicks, an unsubscribe and webhook reports.

The daily counters, the three analytics resources and a recount from the messages and events all give the
figures computed by hand here."""

import json
import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from analytics.models import DailyStat
from analytics.recount import rebuild, recount, stored
from tests.analytics.builders import campaign_path, contact_path, emails, nonzero
from tests.campaigns.builders import BASE_URL, audience, create_campaign, local, send, start
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import md5

HTML = """<html><body><p>Hi</p><a href="https://shop.example.com/sale">Sale</a>
<a href="https://shop.example.com/new">New</a></body></html>"""
SALE, NEW = "https://shop.example.com/sale", "https://shop.example.com/new"
SECRET = "s3cret-webhook-key"


def report(body):
    return Client().post(
        "/api/v1/webhooks/bounces",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {SECRET}",
    )


@pytest.fixture
def scenario(api, owner, smtp_server, settings):  # noqa: F811
    """p0…p4: p2 hard-bounces and p3 soft-bounces at send time; p0 opens twice and clicks Sale twice and New once,
    p1 opens once and unsubscribes, p4 is reported hard-bounced tomorrow, p0 complains."""
    settings.PUBLIC_BASE_URL, settings.BOUNCE_WEBHOOK_SECRET, settings.SEND_MAX_ATTEMPTS = BASE_URL, SECRET, 1
    smtp_server.reply["p2@example.com"] = "550 5.1.1 No such user"
    smtp_server.reply["p3@example.com"] = "452 4.2.2 Mailbox full"
    list_id, addresses = audience(api, 5)
    campaign_id = create_campaign(api, [list_id], name="Spring", html=HTML)
    start(api, campaign_id)
    send()
    mail = {address: smtp_server.to(address)[0].parsed() for address in addresses if smtp_server.to(address)}
    assert sorted(mail) == ["p0@example.com", "p1@example.com", "p4@example.com"]

    def pixel(address):
        return local(re.search(r'<img src="([^"]+/t/o/[^"]+)"', mail[address].get_body(("html",)).get_content())[1])

    def links(address):
        return [
            local(u) for u in re.findall(r'href="([^"]+/t/c/[^"]+)"', mail[address].get_body(("html",)).get_content())
        ]

    client = Client()
    for path in (pixel("p0@example.com"), pixel("p0@example.com"), pixel("p1@example.com")):
        client.get(path)
    sale, new = links("p0@example.com")
    for path in (sale, sale, new):
        assert client.get(path).status_code == 302
    client.post(
        local(mail["p1@example.com"]["List-Unsubscribe"].strip("<>")),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    tomorrow = timezone.now() + timedelta(days=1)
    assert (
        report(
            [
                {
                    "type": "hard-bounce",
                    "messageId": mail["p4@example.com"]["Message-ID"],
                    "occurredAt": tomorrow.isoformat(),
                },
                {"type": "complaint", "messageId": mail["p0@example.com"]["Message-ID"]},
            ]
        ).json()["recorded"]
        == 2
    )
    return campaign_id, timezone.now().date(), tomorrow.date()


def test_daily_counters_match_hand_computed_figures_and_the_recount(owner, scenario):
    campaign_id, today, tomorrow = scenario
    expected = Counter(
        {
            (today, campaign_id, "sent"): 2,  # p0, p1 (p4 was sent today, then bounced tomorrow)
            (today, campaign_id, "hardBounces"): 1,
            (today, campaign_id, "softBounces"): 1,
            (today, campaign_id, "opens"): 3,
            (today, campaign_id, "uniqueOpens"): 2,
            (today, campaign_id, "clicks"): 3,
            (today, campaign_id, "uniqueClicks"): 1,
            (today, campaign_id, "unsubscribes"): 1,
            (today, campaign_id, "complaints"): 1,
            (tomorrow, campaign_id, "hardBounces"): 1,
        }
    )
    account_id = owner.account.pk
    assert stored(account_id=account_id) == expected
    assert recount(account_id=account_id) == expected
    assert rebuild(account_id=account_id) == Counter()
    assert stored(account_id=account_id) == expected


def test_recount_of_one_campaign_or_a_range_of_days_keeps_only_their_rows(owner, scenario):
    campaign_id, today, tomorrow = scenario
    account_id = owner.account.pk
    everything = recount(account_id=account_id)
    late_bounce = Counter({(tomorrow, campaign_id, "hardBounces"): 1})
    assert recount(account_id=account_id, campaign_id=campaign_id) == everything
    assert recount(account_id=account_id, campaign_id=campaign_id + 1) == Counter()
    assert recount(account_id=account_id, start=tomorrow) == late_bounce
    assert recount(account_id=account_id, start=today, end=today) == everything - late_bounce
    assert recount(account_id=account_id, end=today - timedelta(days=1)) == Counter()


def test_the_three_resources_give_the_hand_computed_figures(api, owner, scenario):
    campaign_id, today, tomorrow = scenario
    totals = {
        "sent": 5,
        "delivered": 2,
        "softBounces": 1,
        "hardBounces": 2,
        "opens": 3,
        "uniqueOpens": 2,
        "clicks": 3,
        "uniqueClicks": 1,
        "unsubscribes": 1,
        "complaints": 1,
        "deliveryRate": 0.4,
        "openRate": 1.0,
        "clickRate": 0.5,
        "unsubscribeRate": 0.5,
        "bounceRate": 0.6,
        "complaintRate": 0.5,
    }
    body = emails(api, f"from={today}&to={tomorrow}")
    assert body["totals"] == totals
    assert [(p["period"], p["sent"], p["delivered"], p["hardBounces"]) for p in body["periods"]] == [
        (today.isoformat(), 4, 2, 1),
        (tomorrow.isoformat(), 1, 0, 1),
    ]
    assert emails(api, f"from={today}&to={today}")["totals"]["sent"] == 4

    campaign = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    assert campaign["metrics"] == totals
    assert campaign["topLinks"] == [
        {"url": SALE, "clicks": 2, "uniqueClicks": 1},
        {"url": NEW, "clicks": 1, "uniqueClicks": 1},
    ]
    assert campaign["timeline"]["unit"] == "hour"
    assert sum(p["opens"] for p in campaign["timeline"]["points"]) == 3
    assert sum(p["clicks"] for p in campaign["timeline"]["points"]) == 3
    by_day = assert_hypermedia(api.get(campaign_path(campaign_id) + "?timeline=day"), 200, "campaign-analytics")
    assert [(p["opens"], p["clicks"]) for p in by_day["timeline"]["points"]] == [(3, 3)]

    p0 = assert_hypermedia(api.get(contact_path(md5("p0@example.com"))), 200, "contact-analytics")
    assert nonzero({k: v for k, v in p0.items() if k not in ("lastOpenAt", "lastClickAt", "_links")}) == {
        "emailMd5": md5("p0@example.com"),
        "messagesReceived": 1,
        "opens": 2,
        "clicks": 3,
        "engagementScore": 100,
        "engagementWindow": {"days": 90, "delivered": 1, "opened": 1, "clicked": 1},
    }
    assert p0["lastOpenAt"] and p0["lastClickAt"]
    p1 = assert_hypermedia(api.get(contact_path(md5("p1@example.com"))), 200, "contact-analytics")
    assert (p1["opens"], p1["clicks"], p1["lastClickAt"], p1["engagementScore"]) == (1, 0, None, 40)
    p4 = assert_hypermedia(api.get(contact_path(md5("p4@example.com"))), 200, "contact-analytics")
    assert (p4["messagesReceived"], p4["engagementScore"], p4["lastOpenAt"]) == (0, 0, None)


def test_recount_command_reports_and_fixes_drift(owner, scenario):
    campaign_id, today, _ = scenario
    DailyStat.objects.filter(account=owner.account, campaign_id=campaign_id, day=today, metric="opens").update(count=9)
    out = StringIO()
    call_command("analytics_recount", stdout=out)
    assert f"campaign {campaign_id} opens: stored +6 vs recount" in out.getvalue()
    call_command("analytics_recount", "--fix", stdout=StringIO())
    out = StringIO()
    call_command("analytics_recount", "--account", owner.name, stdout=out)
    assert out.getvalue().strip() == "0 account(s) with differences"


def test_another_accounts_campaign_and_contact_are_404(scenario, other, client_for):
    campaign_id, _, _ = scenario
    intruder = client_for(other)
    assert_problem(intruder.get(campaign_path(campaign_id)), 404, "/errors/404.1-not-found")
    assert_problem(intruder.get(contact_path(md5("p0@example.com"))), 404, "/errors/404.1-not-found")
    assert emails(intruder)["totals"]["sent"] == 0
