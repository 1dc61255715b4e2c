"""POST /accounts/{a}/lists/{listId}/subscribers: create, update, suppression, address validation."""

import pytest

from subscribers.models import Membership, Subscriber
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import (
    create_list,
    field_values,
    get_subscriber,
    list_quantities,
    md5,
    set_status,
    subscribe,
    subscribed,
    unsubscribe,
)


@pytest.fixture
def list_id(api):
    return create_list(api, "Main")


def test_new_address_is_201_with_location_and_links(api, paths, list_id):
    response = subscribe(api, list_id, "  John.Smith@Example.COM ", {"firstName": "John", "lastName": "Smith"})
    body = assert_hypermedia(response, 201, "message")
    assert body["message"] == "Subscriber successfully created"
    email_md5 = md5("john.smith@example.com")
    assert response["Location"] == paths.subscriber(email_md5)
    assert links_by_rel(body, "/rels/subscriber")[0]["href"] == paths.subscriber(email_md5)
    assert links_by_rel(body, "/rels/unsubscribe")[0]["href"] == paths.unsubscribe(email_md5)
    assert [link["href"] for link in links_by_rel(body, "/rels/remove-from-list")] == [
        paths.membership(list_id, email_md5)
    ]
    assert links_by_rel(body, "/rels/subscribers-collection")[0]["href"] == paths.list_subscribers(list_id)
    assert links_by_rel(body, "/rels/subscribe-to-list")[0]["href"] == paths.list_subscribers(list_id)

    detail = get_subscriber(api, email_md5)
    assert detail["emailAddress"] == "john.smith@example.com"
    assert detail["emailMd5"] == email_md5
    assert detail["belongsToLists"] == [list_id]
    assert detail["status"] == "active"
    assert detail["fields"] == [
        {"fieldName": "firstName", "value": "John", "type": "string"},
        {"fieldName": "lastName", "value": "Smith", "type": "string"},
    ]
    assert detail["unsubscribedAt"] is None and detail["unsubscribeReason"] is None
    assert list_quantities(api) == {list_id: 1}


def test_existing_address_is_200_and_only_given_fields_change(api, paths, list_id):
    other_list = create_list(api, "Other")
    email_md5 = subscribed(api, list_id, "jane@example.com", {"firstName": "Jane", "lastName": "Doe", "country": "AR"})
    response = subscribe(api, other_list, "JANE@example.com", {"lastName": "Roe", "country": None, "gender": "female"})
    body = assert_hypermedia(response, 200, "message")
    assert body["message"] == "Subscriber successfully updated"
    assert response["Location"] == paths.subscriber(email_md5)
    detail = get_subscriber(api, email_md5)
    assert detail["belongsToLists"] == sorted([list_id, other_list])
    assert field_values(detail) == {"firstName": "Jane", "lastName": "Roe", "gender": "F"}
    assert Subscriber.objects.count() == 1
    assert list_quantities(api) == {list_id: 1, other_list: 1}


def test_empty_string_unsets_a_field_and_no_fields_changes_nothing(api, list_id):
    email_md5 = subscribed(api, list_id, "x@example.com", {"firstName": "X", "lastName": "Y"})
    subscribed(api, list_id, "x@example.com", {"firstName": ""}, status=200)
    assert field_values(get_subscriber(api, email_md5)) == {"lastName": "Y"}
    subscribed(api, list_id, "x@example.com", status=200)
    assert field_values(get_subscriber(api, email_md5)) == {"lastName": "Y"}
    assert Membership.objects.count() == 1
    assert list_quantities(api) == {list_id: 1}


def test_missing_address_is_400_24(api, paths, list_id):
    response = api.post(paths.list_subscribers(list_id), {"fields": [{"fieldName": "firstName", "value": "J"}]})
    body = assert_problem(response, 400, "/errors/400.24-missing-data", 24)
    assert body["detail"] == "To add a subscriber to a list email address is required."
    assert not Subscriber.objects.exists()


LONG_DOMAIN = ".".join(["d" * 60] * 4) + ".com"
DOMAIN_189 = "d" * 63 + "." + "d" * 63 + "." + "d" * 57 + ".com"  # 64 + 1 + 189 = 254 characters


@pytest.mark.parametrize(
    "address",
    [
        "not-an-email",
        "a@",
        "@example.com",
        "a b@example.com",
        "a@@example.com",
        "user@localhost",
        "a" * 65 + "@example.com",
        "é" * 33 + "@example.com",
        "a" * 64 + "@" + LONG_DOMAIN,
        12345,
        "a" * 64 + "@" + DOMAIN_189.replace(".com", "d.com"),  # 255 characters
    ],
)
def test_invalid_address_is_400_2_naming_email_address(api, list_id, address):
    body = assert_problem(subscribe(api, list_id, address), 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == ["emailAddress"]
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "a" * 64 + "@example.com",
        "é" * 32 + "@example.com",
        "user@bücher.de",
        "用户@例子.广告",
        "first.last+tag@sub.example.co.uk",
        "a" * 64 + "@" + DOMAIN_189,
    ],
)
def test_valid_addresses_are_accepted(api, list_id, address):
    response = subscribe(api, list_id, address)
    assert_hypermedia(response, 201, "message")
    assert response["Location"].endswith(md5(address))
    assert Subscriber.objects.get().email == address.lower()


def test_unknown_list_is_404(api, paths):
    assert_problem(subscribe(api, 999999, "a@example.com"), 404, "/errors/404.1-not-found", 1)
    assert not Subscriber.objects.exists()


def test_unknown_field_and_bad_values_are_400_2_one_entry_each_and_nothing_is_written(api, list_id):
    response = subscribe(
        api, list_id, "v@example.com", {"firstName": "Ok", "income": 5, "birthday": "31/12/1990", "country": "Narnia"}
    )
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert sorted(e["field"] for e in body["errors"]) == ["fields.birthday", "fields.country", "fields.income"]
    assert not Subscriber.objects.exists()


def test_only_active_members_are_in_the_list_collection(api, paths, list_id):
    hashes = [subscribed(api, list_id, f"m{i}@example.com") for i in range(4)]
    unsubscribe(api, hashes[1])
    set_status(api.owner.account, hashes[2], "hard-bounce")
    body = assert_hypermedia(api.get(paths.list_subscribers(list_id)), 200, "subscribers-collection")
    assert [item["emailMd5"] for item in body["items"]] == [hashes[0], hashes[3]]
    assert body["itemsCount"] == 2
    assert get_subscriber(api, hashes[1])["belongsToLists"] == [list_id]  # the membership is kept
    item = body["items"][0]
    assert [link["href"] for link in links_by_rel(item, "/rels/remove-from-list")] == [
        paths.membership(list_id, hashes[0])
    ]
    assert list_quantities(api) == {list_id: 2}


@pytest.mark.parametrize("suppress", ["unsubscribe-admin", "unsubscribe-user", "hard-bounce"])
def test_suppressed_subscriber_is_not_reactivated_409_and_nothing_changes(api, owner, list_id, suppress):
    other_list = create_list(api, "Second")
    email_md5 = subscribed(api, list_id, "gone@example.com", {"firstName": "Gone"})
    if suppress == "hard-bounce":
        set_status(owner.account, email_md5, "hard-bounce")
    else:
        unsubscribe(api, email_md5, reason="spam", origin=suppress.rsplit("-", 1)[1])
    before = get_subscriber(api, email_md5)

    response = subscribe(api, other_list, "gone@example.com", {"firstName": "Back"})
    assert_problem(response, 409, "/errors/409.2-subscriber-suppressed", 2)
    response = subscribe(api, list_id, "gone@example.com", resubscribe=False)
    assert_problem(response, 409, "/errors/409.2-subscriber-suppressed", 2)
    assert get_subscriber(api, email_md5) == before
    assert not Membership.objects.filter(list_id=other_list).exists()
    assert list_quantities(api) == {list_id: 0, other_list: 0}


@pytest.mark.parametrize("suppress", ["unsubscribe", "hard-bounce"])
def test_resubscribe_true_reactivates(api, owner, paths, list_id, suppress):
    other_list = create_list(api, "Second")
    email_md5 = subscribed(api, list_id, "back@example.com")
    if suppress == "hard-bounce":
        set_status(owner.account, email_md5, "hard-bounce")
    else:
        unsubscribe(api, email_md5, reason="too many mails")
    response = subscribe(api, other_list, "back@example.com", {"firstName": "Back"}, resubscribe=True)
    assert_hypermedia(response, 200, "message")
    assert response["Location"] == paths.subscriber(email_md5)
    detail = get_subscriber(api, email_md5)
    assert detail["status"] == "active"
    assert detail["unsubscribedAt"] is None and detail["unsubscribeReason"] is None
    assert detail["belongsToLists"] == [list_id, other_list]
    assert field_values(detail) == {"firstName": "Back"}
    assert list_quantities(api) == {list_id: 1, other_list: 1}


def test_resubscribe_on_an_active_subscriber_is_a_plain_update(api, list_id):
    email_md5 = subscribed(api, list_id, "fine@example.com")
    subscribed(api, list_id, "fine@example.com", status=200, resubscribe=True)
    assert get_subscriber(api, email_md5)["status"] == "active"
    assert list_quantities(api) == {list_id: 1}


def test_soft_bounced_subscriber_can_be_subscribed_to_another_list(api, owner, list_id):
    other_list = create_list(api, "Second")
    email_md5 = subscribed(api, list_id, "soft@example.com")
    set_status(owner.account, email_md5, "soft-bounce")
    subscribed(api, other_list, "soft@example.com", status=200)
    assert get_subscriber(api, email_md5)["belongsToLists"] == [list_id, other_list]
