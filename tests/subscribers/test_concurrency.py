"""Concurrent writes against PostgreSQL with real threads, each with its own client and connection."""

import threading

import pytest
from django.db import connection

from lists.models import ListCount, MailingList
from subscribers.models import Membership, StatusCount, Subscriber
from tests.helpers import ApiClient, assert_hypermedia, assert_problem
from tests.subscribers.builders import Paths, create_list, list_quantities, md5

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(owner, count, request):
    """Run ``request(client, index)`` in ``count`` threads started together; the responses, in order."""
    barrier = threading.Barrier(count)
    responses = [None] * count
    failures = []

    def work(index):
        try:
            client = ApiClient(owner)
            barrier.wait(timeout=30)
            responses[index] = request(client, index)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not failures, failures
    return responses


def test_twenty_concurrent_subscribes_of_one_new_address(owner):
    api = ApiClient(owner)
    list_id = create_list(api, "Race")
    path = Paths(owner).list_subscribers(list_id)
    responses = run_together(owner, 20, lambda client, i: client.post(path, {"emailAddress": "Race@Example.com"}))

    statuses = sorted(r.status_code for r in responses)
    assert all(status < 500 for status in statuses), [r.content[:300] for r in responses if r.status_code >= 500]
    assert statuses == [200] * 19 + [201], statuses
    for response in responses:
        assert_hypermedia(response, response.status_code, "message")
        assert response["Location"] == Paths(owner).subscriber(md5("race@example.com"))
    assert Subscriber.objects.filter(account=owner.account).count() == 1
    assert Membership.objects.filter(list_id=list_id).count() == 1
    assert MailingList.objects.get(pk=list_id).subscribers_count == 1
    assert list_quantities(api) == {list_id: 1}
    counts = dict(StatusCount.objects.filter(account=owner.account).values_list("bucket", "count"))
    assert counts.get("active") == 1 and counts.get("never-open") == 1


def test_concurrent_subscribes_of_different_addresses_keep_the_count_exact(owner):
    api = ApiClient(owner)
    list_id = create_list(api, "Crowd")
    path = Paths(owner).list_subscribers(list_id)
    responses = run_together(owner, 15, lambda client, i: client.post(path, {"emailAddress": f"c{i}@example.com"}))
    assert sorted(r.status_code for r in responses) == [201] * 15
    assert Membership.objects.filter(list_id=list_id).count() == 15
    assert list_quantities(api) == {list_id: 15}
    body = assert_hypermedia(api.get(Paths(owner).subscribers), 200, "subscribers-collection")
    assert body["itemsCount"] == 15


def test_concurrent_creates_of_one_list_name(owner):
    path = Paths(owner).lists
    responses = run_together(owner, 10, lambda client, i: client.post(path, {"name": "Same" if i % 2 else "SAME"}))
    created = [r for r in responses if r.status_code == 201]
    assert len(created) == 1, [(r.status_code, r.content[:200]) for r in responses]
    assert_hypermedia(created[0], 201, "message")
    for response in responses:
        if response.status_code != 201:
            assert_problem(response, 400, "/errors/400.38-duplicated-name", 38)
    assert MailingList.objects.filter(account=owner.account).count() == 1
    assert ListCount.objects.get(account=owner.account).count == 1
    body = assert_hypermedia(ApiClient(owner).get(path), 200, "lists-collection")
    assert body["itemsCount"] == 1 and len(body["items"]) == 1


def test_concurrent_unsubscribe_and_subscribe_to_other_lists_keep_counts_exact(owner):
    api = ApiClient(owner)
    paths = Paths(owner)
    lists = [create_list(api, f"L{i}") for i in range(4)]
    assert_hypermedia(api.post(paths.list_subscribers(lists[0]), {"emailAddress": "busy@example.com"}), 201)
    email_md5 = md5("busy@example.com")

    def request(client, index):
        if index == 0:
            return client.post(paths.unsubscribe(email_md5), {"reason": "race"})
        return client.post(paths.list_subscribers(lists[index % 4]), {"emailAddress": "busy@example.com"})

    responses = run_together(owner, 8, request)
    assert all(r.status_code in (200, 409) for r in responses), [(r.status_code, r.content[:200]) for r in responses]
    subscriber = Subscriber.objects.get(account=owner.account)
    assert subscriber.status == "unsubscribed-by-admin"
    assert list_quantities(api) == dict.fromkeys(lists, 0)
