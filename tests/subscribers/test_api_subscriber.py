"""One subscriber: GET, PUT (full representation, rename, status), unsubscribe, removal from a list."""

import datetime

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
    subscribed,
    unsubscribe,
)


@pytest.fixture
def lists(api):
    return [create_list(api, name) for name in ("One", "Two", "Three")]


@pytest.fixture
def john(api, lists):
    email_md5 = subscribed(api, lists[0], "john@example.com", {"firstName": "John", "country": "us"})
    subscribed(api, lists[1], "john@example.com", status=200)
    return email_md5


def put_body(email="john@example.com", lists=(), fields=None, **extra):
    return {
        "emailAddress": email,
        "belongsToLists": list(lists),
        "fields": [{"fieldName": k, "value": v} for k, v in (fields or {}).items()],
        **extra,
    }


def test_get_shows_every_member_and_one_removal_link_per_list(api, paths, lists, john):
    body = get_subscriber(api, john)
    assert body["emailAddress"] == "john@example.com" and body["emailMd5"] == john
    assert body["belongsToLists"] == [lists[0], lists[1]]
    assert body["status"] == "active"
    assert body["fields"] == [
        {"fieldName": "firstName", "value": "John", "type": "string"},
        {"fieldName": "country", "value": "US", "type": "country"},
    ]
    datetime.datetime.fromisoformat(body["creationDate"])
    assert body["unsubscribedAt"] is None and body["unsubscribeReason"] is None
    assert links_by_rel(body, "self")[0]["href"] == paths.subscriber(john)
    assert links_by_rel(body, "/rels/edit-subscriber")[0]["href"] == paths.subscriber(john)
    assert links_by_rel(body, "/rels/unsubscribe")[0]["href"] == paths.unsubscribe(john)
    assert [link["href"] for link in links_by_rel(body, "/rels/remove-from-list")] == [
        paths.membership(lists[0], john),
        paths.membership(lists[1], john),
    ]
    assert links_by_rel(body, "/rels/account-home")[0]["href"] == paths.home


def test_unknown_subscriber_is_404(api, paths):
    assert_problem(api.get(paths.subscriber(md5("nobody@example.com"))), 404, "/errors/404.1-not-found", 1)
    assert_problem(
        api.put(paths.subscriber(md5("nobody@example.com")), put_body("nobody@example.com")),
        404,
        "/errors/404.1-not-found",
        1,
    )
    assert_problem(api.post(paths.unsubscribe(md5("nobody@example.com")), {}), 404, "/errors/404.1-not-found", 1)


def test_put_replaces_lists_and_fields(api, paths, lists, john):
    response = api.put(paths.subscriber(john), put_body(lists=[lists[1], lists[2]], fields={"lastName": "Smith"}))
    body = assert_hypermedia(response, 200, "message")
    assert body["message"] == "Subscriber updated successfully"
    assert not response.has_header("Location")
    assert [link["href"] for link in links_by_rel(body, "/rels/remove-from-list")] == [
        paths.membership(lists[1], john),
        paths.membership(lists[2], john),
    ]
    detail = get_subscriber(api, john)
    assert detail["belongsToLists"] == [lists[1], lists[2]]
    assert field_values(detail) == {"lastName": "Smith"}
    assert detail["status"] == "active"
    assert list_quantities(api) == {lists[0]: 0, lists[1]: 1, lists[2]: 1}


@pytest.mark.parametrize("missing", ["emailAddress", "belongsToLists", "fields"])
def test_put_without_a_required_member_is_400_24(api, paths, lists, john, missing):
    body = put_body(lists=[lists[0]])
    del body[missing]
    problem = assert_problem(api.put(paths.subscriber(john), body), 400, "/errors/400.24-missing-data", 24)
    assert missing in problem["detail"]
    assert get_subscriber(api, john)["belongsToLists"] == [lists[0], lists[1]]


def test_put_renames(api, paths, lists, john):
    new_md5 = md5("john.smith@example.org")
    response = api.put(
        paths.subscriber(john),
        put_body(" John.Smith@Example.org", lists=[lists[0], lists[1]], fields={"firstName": "John"}),
    )
    body = assert_hypermedia(response, 200, "message")
    assert response["Location"] == paths.subscriber(new_md5)
    assert links_by_rel(body, "/rels/subscriber")[0]["href"] == paths.subscriber(new_md5)
    assert_problem(api.get(paths.subscriber(john)), 404, "/errors/404.1-not-found", 1)
    detail = get_subscriber(api, new_md5)
    assert (detail["emailAddress"], detail["emailMd5"]) == ("john.smith@example.org", new_md5)
    assert detail["belongsToLists"] == [lists[0], lists[1]]
    assert field_values(detail) == {"firstName": "John"}
    assert Subscriber.objects.count() == 1
    assert list_quantities(api) == {lists[0]: 1, lists[1]: 1, lists[2]: 0}


def test_put_changing_only_the_case_is_not_a_rename(api, paths, lists, john):
    response = api.put(paths.subscriber(john), put_body("JOHN@example.com", lists=[lists[0]]))
    assert_hypermedia(response, 200, "message")
    assert not response.has_header("Location")
    assert get_subscriber(api, john)["emailAddress"] == "john@example.com"


def test_put_renaming_to_an_address_in_use_is_409_3_and_nothing_changes(api, paths, lists, john):
    subscribed(api, lists[2], "taken@example.com")
    before = get_subscriber(api, john)
    response = api.put(paths.subscriber(john), put_body("TAKEN@example.com", lists=[lists[2]]))
    assert_problem(response, 409, "/errors/409.3-email-in-use", 3)
    assert get_subscriber(api, john) == before
    assert list_quantities(api) == {lists[0]: 1, lists[1]: 1, lists[2]: 1}


def test_put_can_unsubscribe_by_admin_and_reactivate(api, paths, lists, john):
    keep = put_body(lists=[lists[0], lists[1]])
    assert_hypermedia(api.put(paths.subscriber(john), {**keep, "status": "unsubscribed-by-admin"}), 200)
    detail = get_subscriber(api, john)
    assert detail["status"] == "unsubscribed-by-admin" and detail["unsubscribedAt"] is not None
    assert list_quantities(api) == {lists[0]: 0, lists[1]: 0, lists[2]: 0}
    assert_hypermedia(api.put(paths.subscriber(john), {**keep, "status": "active"}), 200)
    detail = get_subscriber(api, john)
    assert detail["status"] == "active" and detail["unsubscribedAt"] is None
    assert list_quantities(api) == {lists[0]: 1, lists[1]: 1, lists[2]: 0}


@pytest.mark.parametrize("status", ["hard-bounce", "soft-bounce", "unsubscribed-by-user", "gone"])
def test_put_to_another_status_is_400_2(api, paths, lists, john, status):
    response = api.put(paths.subscriber(john), put_body(lists=[lists[0]], status=status))
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == ["status"]
    detail = get_subscriber(api, john)
    assert detail["status"] == "active" and detail["belongsToLists"] == [lists[0], lists[1]]


@pytest.mark.parametrize("status", ["soft-bounce", "hard-bounce", "unsubscribed-by-user"])
def test_put_may_keep_the_current_status(api, owner, paths, lists, john, status):
    if status == "unsubscribed-by-user":
        unsubscribe(api, john, origin="user")
    else:
        set_status(owner.account, john, status)
    assert_hypermedia(api.put(paths.subscriber(john), put_body(lists=[lists[2]], status=status)), 200, "message")
    detail = get_subscriber(api, john)
    assert detail["status"] == status and detail["belongsToLists"] == [lists[2]]


def test_put_with_an_unknown_list_is_400_2_and_nothing_changes(api, paths, lists, john, client_for, other):
    foreign = create_list(client_for(other), "Foreign")
    for unknown in (999999, foreign):
        response = api.put(paths.subscriber(john), put_body(lists=[lists[2], unknown]))
        body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
        assert [e["field"] for e in body["errors"]] == ["belongsToLists"]
    assert get_subscriber(api, john)["belongsToLists"] == [lists[0], lists[1]]


def test_put_with_bad_fields_is_400_2(api, paths, lists, john):
    response = api.put(paths.subscriber(john), put_body(lists=[lists[0]], fields={"gender": "Q", "nope": 1}))
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert sorted(e["field"] for e in body["errors"]) == ["fields.gender", "fields.nope"]
    assert field_values(get_subscriber(api, john)) == {"firstName": "John", "country": "US"}


def test_unsubscribe_by_admin_keeps_reason_time_lists_and_fields(api, paths, lists, john):
    response = api.post(paths.unsubscribe(john), {"reason": "asked by phone"})
    body = assert_hypermedia(response, 200, "message")
    assert body["message"] == "Subscriber unsubscribed successfully"
    assert links_by_rel(body, "/rels/subscriber")[0]["href"] == paths.subscriber(john)
    detail = get_subscriber(api, john)
    assert detail["status"] == "unsubscribed-by-admin"
    assert detail["unsubscribeReason"] == "asked by phone"
    unsubscribed_at = datetime.datetime.fromisoformat(detail["unsubscribedAt"])
    assert abs(datetime.datetime.now(datetime.UTC) - unsubscribed_at) < datetime.timedelta(minutes=5)
    assert detail["belongsToLists"] == [lists[0], lists[1]]
    assert field_values(detail) == {"firstName": "John", "country": "US"}
    assert list_quantities(api) == {lists[0]: 0, lists[1]: 0, lists[2]: 0}


def test_unsubscribe_by_user(api, john):
    unsubscribe(api, john, reason="not interested", origin="user")
    detail = get_subscriber(api, john)
    assert (detail["status"], detail["unsubscribeReason"]) == ("unsubscribed-by-user", "not interested")


def test_unsubscribing_again_is_200_and_changes_nothing(api, paths, lists, john):
    unsubscribe(api, john, reason="first", origin="user")
    before = get_subscriber(api, john)
    body = assert_hypermedia(api.post(paths.unsubscribe(john), {"reason": "second"}), 200, "message")
    assert body["message"] == "Subscriber was already unsubscribed"
    assert get_subscriber(api, john) == before
    assert list_quantities(api) == {lists[0]: 0, lists[1]: 0, lists[2]: 0}


def test_unsubscribe_with_an_unknown_origin_is_400_2(api, paths, john):
    body = assert_problem(
        api.post(paths.unsubscribe(john), {"origin": "robot"}), 400, "/errors/400.2-validation-error", 2
    )
    assert [e["field"] for e in body["errors"]] == ["origin"]
    assert get_subscriber(api, john)["status"] == "active"


def test_remove_from_list_keeps_the_subscriber(api, paths, lists, john):
    body = assert_hypermedia(api.delete(paths.membership(lists[0], john)), 200, "message")
    assert links_by_rel(body, "/rels/subscriber")[0]["href"] == paths.subscriber(john)
    assert links_by_rel(body, "/rels/subscribers-collection")[0]["href"] == paths.list_subscribers(lists[0])
    detail = get_subscriber(api, john)
    assert detail["belongsToLists"] == [lists[1]]
    assert detail["status"] == "active" and field_values(detail) == {"firstName": "John", "country": "US"}
    assert list_quantities(api) == {lists[0]: 0, lists[1]: 1, lists[2]: 0}
    assert_problem(api.delete(paths.membership(lists[0], john)), 404, "/errors/404.1-not-found", 1)


def test_remove_when_not_a_member_or_unknown_is_404(api, paths, lists, john):
    assert_problem(api.delete(paths.membership(lists[2], john)), 404, "/errors/404.1-not-found", 1)
    assert_problem(api.delete(paths.membership(lists[0], md5("x@example.com"))), 404, "/errors/404.1-not-found", 1)
    assert_problem(api.delete(paths.membership(999999, john)), 404, "/errors/404.1-not-found", 1)
    assert Membership.objects.count() == 2
