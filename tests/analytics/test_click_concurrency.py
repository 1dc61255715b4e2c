"""Clicks of one message arriving together, with real threads and connections: the unique counts stay exact."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from analytics.recount import campaign_drift
from campaigns.models import CampaignStat
from tests.analytics.builders import campaign_path
from tests.analytics.test_campaign_activity import NEW, NO_DRIFT, SALE, sent
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import ApiClient, assert_hypermedia

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_clicks_of_one_message_count_it_once_per_url(owner, smtp_server, settings):  # noqa: F811
    api = ApiClient(owner)
    campaign_id, links = sent(api, smtp_server, settings)
    sale, new, sale_again = links[min(links)]
    paths = [sale, sale_again] * 5 + [new] * 4
    barrier, statuses, failures = threading.Barrier(len(paths)), [], []

    def click(path):
        try:
            barrier.wait(timeout=30)
            statuses.append(Client().get(path).status_code)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert statuses == [302] * len(paths)
    body = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    assert body["topLinks"] == [
        {"url": SALE, "clicks": 10, "uniqueClicks": 1},
        {"url": NEW, "clicks": 4, "uniqueClicks": 1},
    ]
    stats = Counter(dict(CampaignStat.objects.filter(campaign_id=campaign_id).values_list("metric", "count")))
    assert (stats["clicks"], stats["uniqueClicks"]) == (14, 1)
    assert campaign_drift(campaign_id=campaign_id) == NO_DRIFT
