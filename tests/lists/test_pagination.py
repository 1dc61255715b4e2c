"""The lists collection: pages at every position, the envelope, and page parameters."""

import pytest

from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import Paths, assert_every_page, assert_page, create_list

AFFORDANCES = ["/rels/create-list", "/rels/account-home"]


@pytest.fixture
def paths(owner):
    return Paths(owner)


def check(api, paths, expected, **kwargs):
    return assert_page(
        api,
        paths.lists,
        expected,
        profile="lists-collection",
        collection_rel="/rels/lists-collection",
        affordances=AFFORDANCES,
        key=lambda item: item["listId"],
        **kwargs,
    )


@pytest.fixture
def twenty_three(api):
    return [create_list(api, f"List {i:02}") for i in range(23)]


def test_every_page_is_exact_first_middle_last_uneven_and_past_the_end(api, paths, twenty_three):
    for per_page in (5, 6, 7, 10, 20, 23, 50):
        assert_every_page(
            api,
            paths.lists,
            twenty_three,
            per_page=per_page,
            profile="lists-collection",
            collection_rel="/rels/lists-collection",
            affordances=AFFORDANCES,
            key=lambda item: item["listId"],
        )


def test_default_page_is_1_with_20_per_page(api, paths, twenty_three):
    body = assert_hypermedia(api.get(paths.lists), 200, "lists-collection")
    assert (body["currentPage"], body["pageSize"], body["itemsCount"], body["pagesCount"]) == (1, 20, 23, 2)
    assert [item["listId"] for item in body["items"]] == twenty_three[:20]


def test_items_have_their_fields_and_links(api, paths):
    list_id = create_list(api, "Only")
    item = assert_hypermedia(api.get(paths.lists), 200, "lists-collection")["items"][0]
    assert item["name"] == "Only" and item["active"] is True
    assert item["subscribersQuantity"] == 0 and item["subcribersQuantity"] == 0
    assert [(link["rel"], link["href"]) for link in item["_links"]] == [
        ("item /rels/list", paths.list(list_id)),
        ("edit /rels/edit-list", paths.list(list_id)),
        ("delete /rels/delete-list", paths.list(list_id)),
    ]


def test_empty_collection_has_no_last_page(api, paths):
    body = check(api, paths, [], page=1, per_page=20)
    assert body["items"] == [] and body["pagesCount"] == 0


def test_page_far_past_the_end_is_empty(api, paths, twenty_three):
    body = check(api, paths, twenty_three, page=1000, per_page=5)
    assert body["items"] == []


def test_collection_links_follow_the_contract(api, paths, twenty_three):
    body = check(api, paths, twenty_three, page=2, per_page=5)
    create = [link for link in body["_links"] if link["rel"] == "/rels/create-list"]
    assert create[0]["href"] == paths.lists
    home = [link for link in body["_links"] if link["rel"] == "/rels/account-home"]
    assert home[0]["href"] == paths.home


@pytest.mark.parametrize(
    "query, name",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=1e3", "page"),
        ("per_page=4", "per_page"),
        ("per_page=51", "per_page"),
        ("per_page=x", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=-5", "per_page"),
        ("page=%C2%B2", "page"),
        ("per_page=%C2%B9", "per_page"),  # superscript digits: str.isdigit() but not int()
    ],
)
def test_bad_page_parameters_are_400_3_naming_the_parameter(api, paths, query, name):
    body = assert_problem(api.get(f"{paths.lists}?{query}"), 400, "/errors/400.3-invalid-parameter", 3)
    assert f"'{name}'" in body["detail"]
    assert [e["field"] for e in body["errors"]] == [name]


@pytest.mark.parametrize("per_page", [5, 50])
def test_per_page_bounds_are_accepted(api, paths, per_page):
    assert assert_hypermedia(api.get(f"{paths.lists}?per_page={per_page}"))["pageSize"] == per_page
