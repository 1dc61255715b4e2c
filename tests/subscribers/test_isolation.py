"""Account B's lists, subscribers and fields are invisible to account A's key."""

import pytest

from fields.models import Field
from lists.models import MailingList
from subscribers.models import Membership, Subscriber
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import (
    Paths,
    create_field,
    create_list,
    field_values,
    get_subscriber,
    md5,
    subscribed,
    unsubscribe,
)

SECRET = "secret@b.example"


@pytest.fixture
def world(api, client_for, other):
    """B has a list, a subscriber with a custom field value; A has a list of its own."""
    b_api = client_for(other)
    create_field(b_api, "bOnlyField", "number")
    b_list = create_list(b_api, "B list")
    subscribed(b_api, b_list, SECRET, {"bOnlyField": 7, "firstName": "Bee"})
    a_list = create_list(api, "A list")
    return {"b_api": b_api, "b_list": b_list, "a_list": a_list, "md5": md5(SECRET)}


def b_snapshot():
    return (
        list(
            MailingList.objects.filter(account__name="other@example.org").values_list(
                "id", "name", "active", "subscribers_count"
            )
        ),
        list(Subscriber.objects.filter(account__name="other@example.org").values_list("email", "status", "fields")),
        list(Membership.objects.filter(subscriber__account__name="other@example.org").values_list("list_id")),
        list(Field.objects.filter(account__name="other@example.org").values_list("name", "label", "private")),
    )


# The requests that name one of B's resources by its id, by resource.
ON_B_LIST = [
    ("get", lambda p, w: p.list(w["b_list"]), None),
    ("put", lambda p, w: p.list(w["b_list"]), {"name": "Hijacked"}),
    ("delete", lambda p, w: p.list(w["b_list"]), None),
    ("get", lambda p, w: p.list_subscribers(w["b_list"]), None),
    ("post", lambda p, w: p.list_subscribers(w["b_list"]), {"emailAddress": "x@a.example"}),
    ("delete", lambda p, w: p.membership(w["b_list"], w["md5"]), None),
]
ON_B_SUBSCRIBER = [
    ("get", lambda p, w: p.subscriber(w["md5"]), None),
    ("put", lambda p, w: p.subscriber(w["md5"]), {"emailAddress": SECRET, "belongsToLists": [], "fields": []}),
    ("post", lambda p, w: p.unsubscribe(w["md5"]), {"reason": "x"}),
]
ON_B_FIELD = [
    ("get", lambda p, w: p.field("bOnlyField"), None),
    ("put", lambda p, w: p.field("bOnlyField"), {"label": "Hijacked"}),
    ("delete", lambda p, w: p.field("bOnlyField"), None),
]
REQUESTS = [
    ("get", lambda p, w: p.lists, None),
    ("post", lambda p, w: p.lists, {"name": "Intruder"}),
    *ON_B_LIST,
    ("get", lambda p, w: p.subscribers, None),
    *ON_B_SUBSCRIBER,
    ("get", lambda p, w: p.fields, None),
    ("post", lambda p, w: p.fields, {"fieldName": "intruder", "type": "string"}),
    *ON_B_FIELD,
]
IDS = [f"{method}-{index}" for index, (method, _, _) in enumerate(REQUESTS)]


def send(api, method, path, body):
    if method in ("post", "put"):
        return getattr(api, method)(path, body)
    return getattr(api, method)(path)


@pytest.mark.parametrize("method, path, body", REQUESTS, ids=IDS)
def test_a_key_on_b_urls_is_403(api, other, world, method, path, body):
    before = b_snapshot()
    response = send(api, method, path(Paths(other), world), body)
    assert_problem(response, 403, "/errors/403.1-forbidden-wrong-account", 1)
    assert b_snapshot() == before


B_IDS_UNDER_A = [
    *ON_B_LIST,
    ("delete", lambda p, w: p.membership(w["a_list"], w["md5"]), None),
    *ON_B_SUBSCRIBER,
    *ON_B_FIELD,
]


@pytest.mark.parametrize(
    "method, path, body", B_IDS_UNDER_A, ids=[f"{m}-{i}" for i, (m, _, _) in enumerate(B_IDS_UNDER_A)]
)
def test_b_ids_under_a_own_account_are_404(api, owner, world, method, path, body):
    before = b_snapshot()
    response = send(api, method, path(Paths(owner), world), body)
    assert_problem(response, 404, "/errors/404.1-not-found", 1)
    assert b_snapshot() == before


def test_a_collections_do_not_show_b_data(api, owner, world):
    paths = Paths(owner)
    lists = assert_hypermedia(api.get(paths.lists), 200, "lists-collection")
    assert [item["listId"] for item in lists["items"]] == [world["a_list"]] and lists["itemsCount"] == 1
    subscribers = assert_hypermedia(api.get(paths.subscribers), 200, "subscribers-collection")
    assert subscribers["items"] == [] and subscribers["itemsCount"] == 0
    fields = assert_hypermedia(api.get(paths.fields), 200, "fields-collection")
    assert "bOnlyField" not in [item["fieldName"] for item in fields["items"]]


def test_b_field_is_unknown_to_a_subscriber_write(api, world):
    response = api.post(
        Paths(api.owner).list_subscribers(world["a_list"]),
        {"emailAddress": "a@a.example", "fields": [{"fieldName": "bOnlyField", "value": 1}]},
    )
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == ["fields.bOnlyField"]


def test_b_list_id_is_unknown_to_a_put(api, world):
    a_md5 = subscribed(api, world["a_list"], "a@a.example")
    response = api.put(
        Paths(api.owner).subscriber(a_md5),
        {"emailAddress": "a@a.example", "belongsToLists": [world["b_list"]], "fields": []},
    )
    assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert not Membership.objects.filter(list_id=world["b_list"], subscriber__email="a@a.example").exists()


def test_the_same_address_in_two_accounts_is_two_subscribers(api, world):
    subscribed(api, world["a_list"], SECRET, {"firstName": "Ay"})
    unsubscribe(api, world["md5"], reason="only in A")
    assert get_subscriber(api, world["md5"])["status"] == "unsubscribed-by-admin"
    b_detail = get_subscriber(world["b_api"], world["md5"])
    assert b_detail["status"] == "active" and b_detail["belongsToLists"] == [world["b_list"]]
    assert field_values(b_detail) == {"firstName": "Bee", "bOnlyField": 7}
