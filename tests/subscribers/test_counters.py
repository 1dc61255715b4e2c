"""Counters equal a recount after every kind of write; pages cost a fixed number of queries, no COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lists.models import MailingList
from subscribers.models import Membership, Status, Subscriber
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import (
    Paths,
    create_list,
    items_count,
    list_quantities,
    mark_opened,
    md5,
    set_status,
    subscribed,
    unsubscribe,
)

BUCKETS = [*Status.values, "never-open"]


def recount(account, bucket):
    rows = Subscriber.objects.filter(account=account)
    if bucket == "never-open":
        return rows.filter(status=Status.ACTIVE, last_open_at__isnull=True).count()
    return rows.filter(status=bucket).count() if bucket else rows.count()


def assert_counters_match(api, account, step):
    paths = Paths(api.owner)
    expected_lists = {
        mailing_list.pk: Membership.objects.filter(list=mailing_list, subscriber__status=Status.ACTIVE).count()
        for mailing_list in MailingList.objects.filter(account=account)
    }
    assert list_quantities(api) == expected_lists, step
    for bucket in BUCKETS:
        assert items_count(api, f"{paths.subscribers}?status={bucket}") == recount(account, bucket), (step, bucket)
    assert items_count(api, paths.subscribers) == recount(account, None), step
    for list_id, quantity in expected_lists.items():
        assert items_count(api, paths.list_subscribers(list_id)) == quantity, (step, list_id)
    lists_page = assert_hypermedia(api.get(paths.lists), 200, "lists-collection")
    assert lists_page["itemsCount"] == len(expected_lists), step


def put(api, address, lists, status=None, new_address=None):
    body = {"emailAddress": new_address or address, "belongsToLists": lists, "fields": []}
    if status:
        body["status"] = status
    response = api.put(Paths(api.owner).subscriber(md5(address)), body)
    assert_hypermedia(response, 200, "message")


def test_counters_equal_a_recount_after_each_operation(api, owner, client_for, other):
    account = owner.account
    paths = Paths(owner)
    # Another account's data with the same addresses must not leak into this one's counters.
    foreign = client_for(other)
    foreign_list = create_list(foreign, "A")
    for i in range(3):
        subscribed(foreign, foreign_list, f"s{i}@example.com")

    a, b, c = (create_list(api, name) for name in "ABC")
    steps = [
        ("subscribe", lambda: [subscribed(api, a, f"s{i}@example.com") for i in range(8)]),
        ("subscribe to B", lambda: [subscribed(api, b, f"s{i}@example.com", status=200) for i in range(4)]),
        ("subscribe to C", lambda: subscribed(api, c, "s4@example.com", status=200)),
        ("unsubscribe s1 by admin", lambda: unsubscribe(api, md5("s1@example.com"), reason="r")),
        ("unsubscribe s2 by user", lambda: unsubscribe(api, md5("s2@example.com"), origin="user")),
        ("unsubscribe s2 again", lambda: unsubscribe(api, md5("s2@example.com"))),
        ("resubscribe s1 to C", lambda: subscribed(api, c, "s1@example.com", status=200, resubscribe=True)),
        ("hard-bounce s5", lambda: set_status(account, md5("s5@example.com"), "hard-bounce")),
        ("soft-bounce s6", lambda: set_status(account, md5("s6@example.com"), "soft-bounce")),
        ("opens", lambda: [mark_opened(account, md5(f"s{i}@example.com")) for i in (0, 7, 6)]),
        ("PUT s3 to C, unsubscribed", lambda: put(api, "s3@example.com", [c], "unsubscribed-by-admin")),
        ("PUT s2 to A and C, active", lambda: put(api, "s2@example.com", [a, c], "active")),
        ("PUT s4 renamed to A and B", lambda: put(api, "s4@example.com", [a, b], new_address="s4b@example.com")),
        ("PUT s5 keeps hard-bounce", lambda: put(api, "s5@example.com", [b, c], "hard-bounce")),
        ("PUT s0 lists only", lambda: put(api, "s0@example.com", [])),
        ("remove s7 from A", lambda: assert_hypermedia(api.delete(paths.membership(a, md5("s7@example.com"))))),
        (
            "remove soft-bounced s6 from A",
            lambda: assert_hypermedia(api.delete(paths.membership(a, md5("s6@example.com")))),
        ),
        ("new subscriber in C", lambda: subscribed(api, c, "s8@example.com")),
        ("inactive list D", lambda: subscribed(api, create_list(api, "D", active=False), "s8@example.com", status=200)),
    ]
    for step, operation in steps:
        operation()
        assert_counters_match(api, account, step)

    assert_hypermedia(api.delete(paths.list(b)), 200, "message")
    assert_counters_match(api, account, "delete list B")
    assert_hypermedia(api.delete(paths.list(a)), 200, "message")
    assert_counters_match(api, account, "delete list A")
    assert Subscriber.objects.filter(account=account).count() == 9


# --- Fixed query counts ---------------------------------------------------------------------------


def captured_sql(api, url):
    api.get(url)  # warm-up: the key's last-used time and any first-request work
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert_hypermedia(response, 200)
    return [query["sql"] for query in context.captured_queries]


def assert_same_cost(api, small_urls, large_urls):
    costs = {}
    for url in [*small_urls, *large_urls]:
        sql = captured_sql(api, url)
        assert not [q for q in sql if "COUNT(" in q.upper()], (url, sql)
        costs[url] = len(sql)
    assert len(set(costs.values())) == 1, costs


def page_urls(path, total, query=""):
    """First, a middle and the last pages with 5 per page, and a default page."""
    last = max(1, -(-total // 5))
    pages = sorted({1, (last + 1) // 2, last})
    return [f"{path}?page={page}&per_page=5{query}" for page in pages] + [f"{path}?page=1{query}"]


def test_a_page_past_the_end_costs_no_more_and_counts_nothing(api, two_lists):
    paths = Paths(api.owner)
    grow(api, two_lists, 0, 7)
    full = len(captured_sql(api, f"{paths.subscribers}?per_page=5"))
    for url in (
        f"{paths.subscribers}?page=3&per_page=5",
        f"{paths.list_subscribers(two_lists[0])}?page=9",
        f"{paths.lists}?page=2&per_page=5",
    ):
        sql = captured_sql(api, url)
        assert len(sql) <= full and not [q for q in sql if "COUNT(" in q.upper()], sql


@pytest.fixture
def two_lists(api):
    return create_list(api, "Big"), create_list(api, "Side")


def grow(api, lists, start, stop):
    for i in range(start, stop):
        subscribed(api, lists[0], f"q{i:02}@example.com")
        if i % 2:
            subscribed(api, lists[1], f"q{i:02}@example.com", status=200)


def test_subscribers_page_costs_the_same_with_5_and_25(api, two_lists):
    paths = Paths(api.owner)
    grow(api, two_lists, 0, 5)
    small = captured_sql(api, f"{paths.subscribers}?per_page=5")
    grow(api, two_lists, 5, 25)
    assert_same_cost(api, [f"{paths.subscribers}?per_page=5"], page_urls(paths.subscribers, 25))
    assert len(captured_sql(api, f"{paths.subscribers}?per_page=5")) == len(small)
    assert_same_cost(
        api,
        [f"{paths.subscribers}?per_page=5&status=active"],
        [*page_urls(paths.subscribers, 25, "&status=active"), f"{paths.subscribers}?status=never-open"],
    )


def test_list_subscribers_page_costs_the_same_with_5_and_25(api, two_lists):
    path = Paths(api.owner).list_subscribers(two_lists[0])
    grow(api, two_lists, 0, 5)
    small = [len(captured_sql(api, url)) for url in page_urls(path, 5)]
    grow(api, two_lists, 5, 25)
    assert_same_cost(api, [f"{path}?per_page=5"], page_urls(path, 25))
    assert set(small) == {len(captured_sql(api, f"{path}?per_page=5"))}


def test_lists_page_costs_the_same_with_5_and_25(api):
    path = Paths(api.owner).lists
    for i in range(5):
        create_list(api, f"Q{i}")
    small = [len(captured_sql(api, url)) for url in page_urls(path, 5)]
    for i in range(5, 25):
        create_list(api, f"Q{i}")
    assert_same_cost(api, [f"{path}?per_page=5"], page_urls(path, 25))
    assert set(small) == {len(captured_sql(api, f"{path}?per_page=5"))}
