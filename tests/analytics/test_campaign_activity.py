"""A campaign's timeline and top links come from counters kept with each open and click: exact, unique clicks per
URL included (a URL may sit at several positions of the HTML), and checked against the events by the recount."""

import re
from collections import Counter
from io import StringIO

from django.core.management import call_command
from django.test import Client

from analytics.models import HourlyStat, LinkStat
from analytics.recount import campaign_drift, recount_links
from tests.analytics.builders import campaign_path
from tests.campaigns.builders import BASE_URL, audience, create_campaign, local, send, start
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia

SALE, NEW = "https://shop.example.com/sale", "https://shop.example.com/new"
HTML = f"""<html><body><a href="{SALE}">Sale</a> <a href="{NEW}">New</a>
<a href="{SALE}">Buy now</a></body></html>"""
NO_DRIFT = {"timeline": Counter(), "links": Counter()}


def sent(api, smtp_server, settings):  # noqa: F811
    settings.PUBLIC_BASE_URL = BASE_URL
    list_id, addresses = audience(api, 2)
    campaign_id = create_campaign(api, [list_id], name="Twice", html=HTML)
    start(api, campaign_id)
    send()
    links = {}
    for address in addresses:
        html = smtp_server.to(address)[0].parsed().get_body(("html",)).get_content()
        links[address] = [local(url) for url in re.findall(r'href="([^"]+/t/c/[^"]+)"', html)]
        assert len(links[address]) == 3  # one tracked link per position, the sale URL at two of them
        assert Client().get(local(re.search(r'<img src="([^"]+/t/o/[^"]+)"', html)[1])).status_code == 200
    return campaign_id, links


def test_unique_clicks_count_messages_per_url_across_its_positions(api, smtp_server, settings):  # noqa: F811
    campaign_id, links = sent(api, smtp_server, settings)
    first, second = sorted(links)
    client = Client()
    for path in (links[first][0], links[first][2], links[first][2], links[first][1], links[second][2]):
        assert client.get(path).status_code == 302
    body = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    assert body["topLinks"] == [
        {"url": SALE, "clicks": 4, "uniqueClicks": 2},
        {"url": NEW, "clicks": 1, "uniqueClicks": 1},
    ]
    assert [(p["opens"], p["clicks"]) for p in body["timeline"]["points"]] == [(2, 5)]
    assert recount_links(campaign_id=campaign_id) == Counter(
        {(SALE, "clicks"): 4, (SALE, "uniqueClicks"): 2, (NEW, "clicks"): 1, (NEW, "uniqueClicks"): 1}
    )
    assert campaign_drift(campaign_id=campaign_id) == NO_DRIFT


def test_a_head_request_follows_the_link_without_counting(api, smtp_server, settings):  # noqa: F811
    campaign_id, links = sent(api, smtp_server, settings)
    assert Client().head(links[min(links)][0]).status_code == 302
    body = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    assert body["topLinks"] == []
    assert LinkStat.objects.filter(campaign_id=campaign_id).count() == 0


def test_recount_command_reports_and_fixes_timeline_and_link_drift(api, owner, smtp_server, settings):  # noqa: F811
    campaign_id, links = sent(api, smtp_server, settings)
    assert Client().get(links[min(links)][2]).status_code == 302
    expected = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    HourlyStat.objects.filter(campaign_id=campaign_id, metric="opens").update(count=7)
    LinkStat.objects.filter(campaign_id=campaign_id, metric="uniqueClicks").delete()
    out = StringIO()
    call_command("analytics_recount", "--account", owner.name, stdout=out)
    assert f"campaign {campaign_id} timeline " in out.getvalue() and "opens: stored +5 vs recount" in out.getvalue()
    assert f"campaign {campaign_id} links {SALE} uniqueClicks: stored -1 vs recount" in out.getvalue()
    assert out.getvalue().strip().endswith("1 account(s) with differences")
    call_command("analytics_recount", "--fix", stdout=StringIO())
    assert campaign_drift(campaign_id=campaign_id) == NO_DRIFT
    body = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    assert (body["topLinks"], body["timeline"]) == (expected["topLinks"], expected["timeline"])


def test_the_migration_fills_the_counters_of_campaigns_sent_before_it(api, smtp_server, settings):  # noqa: F811
    from importlib import import_module

    from django.db import connection

    campaign_id, links = sent(api, smtp_server, settings)
    for path in (links[min(links)][0], links[min(links)][2], links[sorted(links)[1]][1]):
        assert Client().get(path).status_code == 302
    expected = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    HourlyStat.objects.all().delete()
    LinkStat.objects.all().delete()
    with connection.schema_editor() as editor:
        import_module("analytics.migrations.0002_campaign_activity").backfill(None, editor)
    assert campaign_drift(campaign_id=campaign_id) == NO_DRIFT
    body = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    assert (body["topLinks"], body["timeline"]) == (expected["topLinks"], expected["timeline"])
    assert body["topLinks"][0] == {"url": SALE, "clicks": 2, "uniqueClicks": 1}
