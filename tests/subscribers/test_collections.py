"""The account's subscribers (with the status filter) and a list's subscribers, page by page."""

import pytest

from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import (
    assert_every_page,
    assert_page,
    create_list,
    mark_opened,
    md5,
    set_status,
    subscribed,
    unsubscribe,
)

ACCOUNT_AFFORDANCES = ["parent /rels/account-home"]
LIST_AFFORDANCES = ["parent /rels/list", "/rels/subscribe-to-list", "/rels/import-to-list", "/rels/account-home"]
COLLECTION = "/rels/subscribers-collection"


def by_md5(item):
    return item["emailMd5"]


ACCOUNT_PAGES = {
    "profile": "subscribers-collection",
    "collection_rel": COLLECTION,
    "affordances": ACCOUNT_AFFORDANCES,
    "key": by_md5,
}
LIST_PAGES = {**ACCOUNT_PAGES, "affordances": LIST_AFFORDANCES}


@pytest.fixture
def population(api, owner):
    """Twelve subscribers over two lists, in every status; returns {bucket: [md5 in id order]}."""
    first, second = create_list(api, "First"), create_list(api, "Second")
    plan = [
        "active",
        "soft-bounce",
        "active",
        "hard-bounce",
        "unsubscribed-by-user",
        "active",
        "unsubscribed-by-admin",
        "active",
        "soft-bounce",
        "active",
        "unsubscribed-by-admin",
        "active",
    ]
    buckets = {}
    for i, status in enumerate(plan):
        email_md5 = subscribed(api, first if i % 2 else second, f"p{i:02}@example.com")
        if status.startswith("unsubscribed"):
            unsubscribe(api, email_md5, origin=status.rsplit("-", 1)[1])
        elif status != "active":
            set_status(owner.account, email_md5, status)
        buckets.setdefault(status, []).append(email_md5)
    opened = buckets["active"][1::2]
    for email_md5 in opened:
        mark_opened(owner.account, email_md5)
    buckets["never-open"] = [h for h in buckets["active"] if h not in opened]
    buckets["all"] = [md5(f"p{i:02}@example.com") for i in range(len(plan))]
    buckets["lists"] = (first, second)
    return buckets


def test_all_subscribers_page_by_page(api, paths, population):
    for per_page in (5, 7, 12, 20):
        assert_every_page(
            api,
            paths.subscribers,
            population["all"],
            per_page=per_page,
            **ACCOUNT_PAGES,
        )


@pytest.mark.parametrize(
    "status", ["active", "soft-bounce", "hard-bounce", "unsubscribed-by-user", "unsubscribed-by-admin", "never-open"]
)
def test_status_filter_page_by_page_keeps_the_filter_in_links(api, paths, population, status):
    expected = population[status]
    body = assert_page(
        api,
        paths.subscribers,
        expected,
        page=1,
        per_page=5,
        query=f"status={status}",
        **ACCOUNT_PAGES,
    )
    for item in body["items"]:
        assert item["status"] == ("active" if status == "never-open" else status)
    assert_every_page(
        api,
        paths.subscribers,
        expected,
        per_page=5,
        query=f"status={status}",
        **ACCOUNT_PAGES,
    )


@pytest.mark.parametrize("status", ["bounced", "ACTIVE", "unsubscribed", "never_open"])
def test_unknown_status_is_400_3(api, paths, status):
    body = assert_problem(api.get(f"{paths.subscribers}?status={status}"), 400, "/errors/400.3-invalid-parameter", 3)
    assert "'status'" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["status"]


@pytest.mark.parametrize(
    "query, name", [("page=0", "page"), ("page=two", "page"), ("per_page=51", "per_page"), ("per_page=4", "per_page")]
)
def test_bad_page_parameters_are_400_3(api, paths, query, name):
    list_id = create_list(api, "L")
    for url in (paths.subscribers, paths.list_subscribers(list_id)):
        body = assert_problem(api.get(f"{url}?{query}"), 400, "/errors/400.3-invalid-parameter", 3)
        assert [e["field"] for e in body["errors"]] == [name]


def test_account_items_link_every_list_they_belong_to(api, paths):
    first, second = create_list(api, "A"), create_list(api, "B")
    email_md5 = subscribed(api, first, "two@example.com")
    subscribed(api, second, "two@example.com", status=200)
    item = assert_hypermedia(api.get(paths.subscribers), 200, "subscribers-collection")["items"][0]
    assert item["belongsToLists"] == [first, second]
    assert links_by_rel(item, "item")[0]["href"] == paths.subscriber(email_md5)
    assert links_by_rel(item, "/rels/edit-subscriber")[0]["href"] == paths.subscriber(email_md5)
    assert links_by_rel(item, "/rels/unsubscribe")[0]["href"] == paths.unsubscribe(email_md5)
    assert [link["href"] for link in links_by_rel(item, "/rels/remove-from-list")] == [
        paths.membership(first, email_md5),
        paths.membership(second, email_md5),
    ]


def test_list_subscribers_page_by_page_in_joining_order(api, owner, paths):
    list_id, other = create_list(api, "Ordered"), create_list(api, "Other")
    # Subscribers created in one order, joining the list in another; some not active.
    created = [subscribed(api, other, f"o{i:02}@example.com") for i in range(17)]
    joined = []
    for i in reversed(range(17)):
        subscribed(api, list_id, f"o{i:02}@example.com", status=200)
        joined.append(created[i])
    set_status(owner.account, created[3], "hard-bounce")
    unsubscribe(api, created[8])
    expected = [h for h in joined if h not in (created[3], created[8])]
    for per_page in (5, 6, 15, 50):
        assert_every_page(
            api,
            paths.list_subscribers(list_id),
            expected,
            per_page=per_page,
            **LIST_PAGES,
        )


def test_list_collection_links(api, paths):
    list_id = create_list(api, "Links")
    body = assert_hypermedia(api.get(paths.list_subscribers(list_id)), 200, "subscribers-collection")
    assert links_by_rel(body, "/rels/list")[0]["href"] == paths.list(list_id)
    assert links_by_rel(body, "/rels/subscribe-to-list")[0]["href"] == paths.list_subscribers(list_id)
    assert links_by_rel(body, "/rels/account-home")[0]["href"] == paths.home
    assert body["items"] == [] and body["itemsCount"] == 0


def test_subscribers_of_an_unknown_list_is_404(api, paths):
    assert_problem(api.get(paths.list_subscribers(999999)), 404, "/errors/404.1-not-found", 1)
