import datetime

import pytest

from lists.models import MailingList
from subscribers.models import Membership, Subscriber
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import Paths, create_list, get_subscriber, list_quantities, subscribed, unsubscribe


@pytest.fixture
def paths(owner):
    return Paths(owner)


def get_list(api, paths, list_id) -> dict:
    return assert_hypermedia(api.get(paths.list(list_id)), 200, "list")


def test_create_answers_201_with_location_and_links(api, paths):
    response = api.post(paths.lists, {"name": "Newsletter"})
    body = assert_hypermedia(response, 201, "message")
    assert body["message"] == "List successfully created"
    list_id = MailingList.objects.get().pk
    assert response["Location"] == paths.list(list_id)
    assert links_by_rel(body, "/rels/list")[0]["href"] == paths.list(list_id)
    assert links_by_rel(body, "/rels/edit-list")[0]["href"] == paths.list(list_id)
    assert links_by_rel(body, "/rels/delete-list")[0]["href"] == paths.list(list_id)
    assert links_by_rel(body, "/rels/lists-collection")[0]["href"] == paths.lists
    assert links_by_rel(body, "/rels/create-list")[0]["href"] == paths.lists
    assert links_by_rel(body, "/rels/account-home")[0]["href"] == paths.home


def test_created_list_reads_back_trimmed_active_and_empty(api, paths):
    list_id = create_list(api, "  Newsletter  ")
    body = get_list(api, paths, list_id)
    assert body["listId"] == list_id
    assert body["name"] == "Newsletter"
    assert body["active"] is True
    assert body["subscribersQuantity"] == 0 and body["subcribersQuantity"] == 0
    created = datetime.datetime.fromisoformat(body["creation-date"])  # the received key
    assert abs(datetime.datetime.now(datetime.UTC) - created) < datetime.timedelta(minutes=5)
    assert body["creationDate"] == body["creation-date"]  # its camelCase alias
    subscribers = paths.list_subscribers(list_id)
    assert links_by_rel(body, "self")[0]["href"] == paths.list(list_id)
    assert links_by_rel(body, "edit")[0]["href"] == paths.list(list_id)
    assert links_by_rel(body, "delete")[0]["href"] == paths.list(list_id)
    assert links_by_rel(body, "/rels/subscribers-collection")[0]["href"] == subscribers
    assert links_by_rel(body, "/rels/subscribe-to-list")[0]["href"] == subscribers
    assert links_by_rel(body, "parent")[0]["href"] == paths.lists
    assert links_by_rel(body, "/rels/account-home")[0]["href"] == paths.home


def test_create_inactive_list(api, paths):
    list_id = create_list(api, "Paused", active=False)
    item = assert_hypermedia(api.get(paths.lists), 200, "lists-collection")["items"][0]
    assert (item["listId"], item["active"]) == (list_id, False)
    assert MailingList.objects.get(pk=list_id).active is False


def test_name_of_exactly_100_characters_after_trimming_is_accepted(api, paths):
    list_id = create_list(api, "  " + "n" * 100 + "  ")
    assert MailingList.objects.get(pk=list_id).name == "n" * 100


def test_missing_name_is_400_24(api, paths):
    body = assert_problem(api.post(paths.lists, {"active": True}), 400, "/errors/400.24-missing-data", 24)
    assert "name" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["name"]
    assert not MailingList.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None])
def test_invalid_name_is_400_2_naming_the_field(api, paths, name):
    body = assert_problem(api.post(paths.lists, {"name": name}), 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == ["name"]
    assert not MailingList.objects.exists()


def test_body_that_is_not_an_object_is_400_2(api, paths):
    assert_problem(api.post(paths.lists, ["name"]), 400, "/errors/400.2-validation-error", 2)


def test_duplicated_active_name_is_400_38_case_insensitively(api, paths):
    create_list(api, "Customers")
    body = assert_problem(api.post(paths.lists, {"name": "  cUSTOMERS "}), 400, "/errors/400.38-duplicated-name", 38)
    assert "cUSTOMERS" in body["detail"] or "Customers" in body["detail"]
    assert MailingList.objects.count() == 1
    assert assert_hypermedia(api.get(paths.lists))["itemsCount"] == 1


def test_name_of_an_inactive_list_can_be_reused(api, paths):
    create_list(api, "Old", active=False)
    create_list(api, "old")
    assert MailingList.objects.filter(name__iexact="old").count() == 2


def test_same_name_in_another_account_is_not_a_duplicate(api, client_for, other):
    create_list(client_for(other), "Shared")
    create_list(api, "Shared")


def test_put_renames_and_keeps_active_when_omitted(api, paths):
    list_id = create_list(api, "Draft", active=False)
    body = assert_hypermedia(api.put(paths.list(list_id), {"name": "  Final "}), 200, "message")
    assert body["message"] == "List updated successfully"
    assert links_by_rel(body, "/rels/list")[0]["href"] == paths.list(list_id)
    mailing_list = MailingList.objects.get(pk=list_id)
    assert (mailing_list.name, mailing_list.active) == ("Final", False)


def test_put_changes_active(api, paths):
    list_id = create_list(api, "Seasonal")
    assert_hypermedia(api.put(paths.list(list_id), {"name": "Seasonal", "active": False}), 200, "message")
    assert MailingList.objects.get(pk=list_id).active is False


def test_put_may_change_the_case_of_its_own_name(api, paths):
    list_id = create_list(api, "vip")
    assert_hypermedia(api.put(paths.list(list_id), {"name": "VIP"}), 200, "message")
    assert MailingList.objects.get(pk=list_id).name == "VIP"


def test_put_to_the_name_of_another_active_list_is_400_38(api, paths):
    create_list(api, "Alpha")
    list_id = create_list(api, "Beta")
    assert_problem(api.put(paths.list(list_id), {"name": "ALPHA"}), 400, "/errors/400.38-duplicated-name", 38)
    assert MailingList.objects.get(pk=list_id).name == "Beta"


def test_reactivating_a_list_whose_name_is_taken_is_400_38(api, paths):
    list_id = create_list(api, "Gamma", active=False)
    create_list(api, "gamma")
    assert_problem(
        api.put(paths.list(list_id), {"name": "Gamma", "active": True}), 400, "/errors/400.38-duplicated-name", 38
    )
    assert MailingList.objects.get(pk=list_id).active is False


def test_put_without_name_is_400_24_and_with_a_blank_one_400_2(api, paths):
    list_id = create_list(api, "Keep")
    assert_problem(api.put(paths.list(list_id), {"active": False}), 400, "/errors/400.24-missing-data", 24)
    body = assert_problem(api.put(paths.list(list_id), {"name": " "}), 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == ["name"]
    assert MailingList.objects.get(pk=list_id).name == "Keep"


def test_subscribers_quantity_counts_active_members_only(api, paths):
    list_id = create_list(api, "Members")
    hashes = [subscribed(api, list_id, f"member{i}@example.com") for i in range(3)]
    unsubscribe(api, hashes[0])
    assert list_quantities(api) == {list_id: 2}  # the collection items (the detail is checked above)


def test_list_detail_shows_active_members_and_the_deprecated_alias(api, paths):
    list_id = create_list(api, "Detail")
    hashes = [subscribed(api, list_id, f"d{i}@example.com") for i in range(3)]
    unsubscribe(api, hashes[2], origin="user")
    body = get_list(api, paths, list_id)
    assert (body["subscribersQuantity"], body["subcribersQuantity"]) == (2, 2)


def test_delete_removes_list_and_memberships_but_keeps_subscribers(api, paths):
    doomed = create_list(api, "Doomed")
    kept = create_list(api, "Kept")
    email_md5 = subscribed(api, doomed, "stay@example.com", {"firstName": "Stay"})
    subscribed(api, kept, "stay@example.com", status=200)
    subscribed(api, doomed, "only@example.com")

    body = assert_hypermedia(api.delete(paths.list(doomed)), 200, "message")
    assert body["message"] == "List deleted successfully"
    assert links_by_rel(body, "/rels/lists-collection")[0]["href"] == paths.lists

    assert_problem(api.get(paths.list(doomed)), 404, "/errors/404.1-not-found", 1)
    assert_problem(api.delete(paths.list(doomed)), 404, "/errors/404.1-not-found", 1)
    assert not Membership.objects.filter(list_id=doomed).exists()
    assert Subscriber.objects.count() == 2
    detail = get_subscriber(api, email_md5)
    assert detail["belongsToLists"] == [kept]
    assert detail["fields"] == [{"fieldName": "firstName", "value": "Stay", "type": "string"}]
    assert detail["status"] == "active"
    listing = assert_hypermedia(api.get(paths.lists), 200, "lists-collection")
    assert [item["listId"] for item in listing["items"]] == [kept]
    assert listing["itemsCount"] == 1
    assert list_quantities(api) == {kept: 1}


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_unknown_list_is_404(api, paths, method):
    response = getattr(api, method)(paths.list(999999))
    assert_problem(response, 404, "/errors/404.1-not-found", 1)
