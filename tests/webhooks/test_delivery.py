"""Outgoing webhooks end to end, through real parts: the API, the outbox, the RQ jobs, a receiver on loopback.
Each delivery is verified with the standardwebhooks library; a 500 is retried, the log shows every attempt,
a delivery is sent again on request, an endpoint that keeps failing is disabled and the account told, and each
attempt connects to the address its check approved (no second lookup for a rebinding name to answer)."""

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from standardwebhooks import WebhookVerificationError

from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import create_list, md5, subscribed
from tests.webhooks.builders import (
    V1,
    Receiver,
    acting,
    create_webhook,
    deliver,
    due_retries,
    log,
    verified,
    webhooks_path,
)
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


def test_an_event_reaches_the_receiver_signed_the_standard_webhooks_way(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([204]) as receiver:
        webhook_id, secret = create_webhook(api, receiver.url, ["subscriber.created"])
        acting(lambda: subscribed(api, list_id, "Ann@Example.com", {"firstName": "Ann"}))
    [request] = receiver.requests
    assert request["path"] == "/hooks/email?source=test"
    assert request["headers"]["content-type"] == "application/json"
    event = verified(request, secret)
    assert event["type"] == "subscriber.created"
    assert event["data"] == {
        "emailAddress": "ann@example.com",
        "emailMd5": md5("ann@example.com"),
        "status": "active",
        "fields": {"firstName": "Ann"},
    }
    assert request["headers"]["webhook-id"].startswith("evt_")
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 60
    assert request["headers"]["webhook-signature"].startswith("v1,")
    with pytest.raises(WebhookVerificationError):  # another secret, or a body changed on the way, fails
        verified(request, "whsec_" + "A" * 43 + "=")
    with pytest.raises(WebhookVerificationError):
        verified({**request, "body": request["body"].replace(b"Ann", b"Eve")}, secret)

    [item] = log(api, webhook_id)["items"]
    assert (item["status"], item["attemptsCount"], item["eventType"]) == ("delivered", 1, "subscriber.created")
    assert item["eventId"] == request["headers"]["webhook-id"]
    assert item["event"] == event
    [attempt] = item["attempts"]
    assert attempt["statusCode"] == 204 and attempt["error"] == "" and attempt["durationMs"] >= 0
    assert attempt["at"]


def test_a_500_is_retried_with_backoff_and_the_log_shows_both_attempts(api, owner, hooks):
    hooks.WEBHOOK_BACKOFF_SECONDS = 30
    list_id = create_list(api, "News")
    with Receiver([500, 200]) as receiver:
        webhook_id, secret = create_webhook(api, receiver.url, ["subscriber.created"])
        acting(lambda: subscribed(api, list_id, "bob@example.com"))
        assert len(receiver.requests) == 1
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        wait = (delivery.next_attempt_at - delivery.attempt_rows.get().at).total_seconds()
        assert 29 <= wait <= 31  # WEBHOOK_BACKOFF_SECONDS × 2^0, held by RQ's scheduler
        assert due_retries() == 1
        deliver()
    assert len(receiver.requests) == 2
    first, second = (verified(request, secret) for request in receiver.requests)
    assert first == second  # the same event, byte for byte
    assert receiver.requests[0]["headers"]["webhook-id"] == receiver.requests[1]["headers"]["webhook-id"]
    [item] = log(api, webhook_id)["items"]
    assert (item["status"], item["attemptsCount"], item["lastError"]) == ("delivered", 2, "")
    assert [(a["statusCode"], a["error"]) for a in item["attempts"]] == [(500, "HTTP 500"), (200, "")]
    assert item["attempts"][0]["at"] < item["attempts"][1]["at"]
    detail = assert_hypermedia(api.get(links_by_rel(item, "item")[0]["href"]), 200, "webhook-delivery")
    assert detail["attempts"] == item["attempts"]
    assert links_by_rel(detail, "/rels/redeliver-webhook") and links_by_rel(detail, "parent")


def test_backoff_doubles_and_the_last_attempt_is_at_the_deadline(api, owner, hooks):
    hooks.WEBHOOK_BACKOFF_SECONDS = 3600
    hooks.WEBHOOK_RETRY_HOURS = 4
    list_id = create_list(api, "News")
    with Receiver([503]) as receiver:
        create_webhook(api, receiver.url, ["subscriber.created"])
        acting(lambda: subscribed(api, list_id, "cy@example.com"))
        waits = []
        for _ in range(6):
            delivery = Delivery.objects.get()
            if delivery.status != "pending":
                break
            waits.append(round((delivery.next_attempt_at - delivery.attempt_rows.last().at).total_seconds() / 3600))
            # The clock moved: the retry is due, and the deadline that much nearer.
            Delivery.objects.filter(pk=delivery.pk).update(
                deadline_at=delivery.deadline_at - (delivery.next_attempt_at - delivery.attempt_rows.last().at)
            )
            due_retries()
            deliver()
    delivery = Delivery.objects.get()
    assert waits == [1, 2, 1]  # 1 h, 2 h, then what is left of the 4 h (not 4 h)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 4, "HTTP 503")
    assert len(receiver.requests) == 4


def test_redeliver_sends_the_event_again_with_the_same_id(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        webhook_id, secret = create_webhook(api, receiver.url, ["subscriber.created"])
        acting(lambda: subscribed(api, list_id, "dee@example.com"))
        [item] = log(api, webhook_id)["items"]
        href = links_by_rel(item, "/rels/redeliver-webhook")[0]["href"]
        answer = acting(lambda: api.post(href))
        body = assert_hypermedia(answer, 202, "message")
        assert links_by_rel(body, "related")[0]["href"] == links_by_rel(item, "item")[0]["href"]
        # The same on /api/v1, which answers the delivery.
        v1 = acting(lambda: api.post(f"{V1}/{webhook_id}/deliveries/{item['deliveryId']}/redeliver"))
        assert assert_hypermedia(v1, 202, "webhook-delivery")["deliveryId"] == item["deliveryId"]
    assert len(receiver.requests) == 3
    assert len({request["headers"]["webhook-id"] for request in receiver.requests}) == 1
    assert len({request["body"] for request in receiver.requests}) == 1
    for request in receiver.requests:
        verified(request, secret)
    [item] = log(api, webhook_id)["items"]
    assert (item["status"], item["attemptsCount"]) == ("delivered", 3)


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_account_told(api, owner, hooks):
    hooks.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    hooks.WEBHOOK_RETRY_HOURS = 0  # no retry: each failed attempt fails its delivery for good
    list_id = create_list(api, "News")
    with Receiver([500]) as receiver:
        webhook_id, _ = create_webhook(api, receiver.url, ["subscriber.created", "subscriber.updated"])
        acting(lambda: subscribed(api, list_id, "e1@example.com"))
        endpoint = Endpoint.objects.get()
        assert (endpoint.enabled, endpoint.failures) == (True, 1)
        acting(lambda: subscribed(api, list_id, "e2@example.com"))
        acting(lambda: subscribed(api, list_id, "e3@example.com"))  # disabled: no event is even written
    assert len(receiver.requests) == 2
    path = f"{webhooks_path(api)}/{webhook_id}"
    webhook = assert_hypermedia(api.get(path), 200, "webhook")
    assert webhook["enabled"] is False and webhook["consecutiveFailures"] == 2
    assert webhook["disabled"]["reason"] == "failures"
    assert "2 deliveries in a row failed" in webhook["disabled"]["detail"]
    assert "HTTP 500" in webhook["disabled"]["detail"]
    index = assert_hypermedia(api.get(f"/accounts/{owner.name}"), 200, "message")
    [notice] = index["notices"]
    assert notice["type"] == "webhook-disabled" and notice["href"] == path
    assert f"Webhook {webhook_id}" in notice["detail"]
    assert [item["status"] for item in log(api, webhook_id)["items"]] == ["failed", "failed"]

    # Redelivering is refused while it is disabled; enabled again, the notice goes and events flow.
    item = log(api, webhook_id)["items"][0]
    refused = api.post(links_by_rel(item, "/rels/redeliver-webhook")[0]["href"])
    assert_problem(refused, 409, "/errors/409.11-webhook-disabled", 11)
    with Receiver([200]) as receiver:
        body = {"url": receiver.url, "eventTypes": ["subscriber.created"], "enabled": True}
        assert_hypermedia(api.put(path, body), 200, "message")
        assert "notices" not in assert_hypermedia(api.get(f"/accounts/{owner.name}"))
        acting(lambda: subscribed(api, list_id, "e4@example.com"))
    assert [json.loads(r["body"])["data"]["emailAddress"] for r in receiver.requests] == ["e4@example.com"]
    webhook = assert_hypermedia(api.get(path), 200, "webhook")
    assert (webhook["enabled"], webhook["disabled"], webhook["consecutiveFailures"]) == (True, None, 0)


def test_a_delivery_succeeding_sets_the_failures_back(api, owner, hooks):
    hooks.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    hooks.WEBHOOK_RETRY_HOURS = 0
    list_id = create_list(api, "News")
    with Receiver([500, 200, 500]) as receiver:
        create_webhook(api, receiver.url, ["subscriber.created"])
        for address in ("f1@example.com", "f2@example.com", "f3@example.com"):
            acting(lambda address=address: subscribed(api, list_id, address))
    endpoint = Endpoint.objects.get()
    assert (endpoint.enabled, endpoint.failures) == (True, 1)  # 500, 200 (back to 0), 500
    assert len(receiver.requests) == 3


def test_a_url_that_became_private_is_refused_at_delivery_without_retrying(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        webhook_id, _ = create_webhook(api, receiver.url, ["subscriber.created"])
        hooks.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False  # as if its name now pointed inside our network
        acting(lambda: subscribed(api, list_id, "gus@example.com"))
    assert receiver.requests == []
    [item] = log(api, webhook_id)["items"]
    assert item["status"] == "failed" and item["lastError"].startswith("refused:")
    assert item["attempts"][0]["statusCode"] is None


def test_a_rotated_secret_signs_beside_the_new_one(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        webhook_id, old = create_webhook(api, receiver.url, ["subscriber.created"])
        rotated = assert_hypermedia(api.post(f"{webhooks_path(api)}/{webhook_id}/rotate-secret"), 200, "webhook-secret")
        new = rotated["secret"]
        assert new != old and new.startswith("whsec_")
        acting(lambda: subscribed(api, list_id, "hal@example.com"))
        Endpoint.objects.update(previous_until=None)  # 24 hours later
        acting(lambda: subscribed(api, list_id, "ida@example.com"))
    during, after = receiver.requests
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    verified(during, old)
    verified(during, new)
    verified(after, new)
    with pytest.raises(WebhookVerificationError):
        verified(after, old)


def test_the_connection_goes_to_the_address_that_was_checked(api, owner, hooks, monkeypatch):
    """DNS rebinding: the receiver's name answers the checked address, then one inside our network. Each attempt
    looks the name up once, checks that answer and connects to it: a second answer is never used."""
    list_id = create_list(api, "News")
    real, lookups = socket.getaddrinfo, []

    def rebinding(host, port, *args, **kwargs):
        if host != "hooks.rebinding.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        answer = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"  # nobody listens there, and it is refused
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    hooks.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False
    monkeypatch.setattr("tasks.callbacks.is_public", lambda address: address == "127.0.0.1")
    with Receiver([200]) as receiver:
        url = receiver.url.replace("127.0.0.1", "hooks.rebinding.test")
        webhook_id, secret = create_webhook(api, url, ["subscriber.created"])
        lookups.clear()  # the check at creation
        acting(lambda: subscribed(api, list_id, "jo@example.com"))
    assert lookups == ["hooks.rebinding.test"]
    [request] = receiver.requests
    assert request["headers"]["host"] == urlsplit(url).netloc  # TLS would verify this name, not the address
    assert verified(request, secret)["data"]["emailAddress"] == "jo@example.com"
    [item] = log(api, webhook_id)["items"]
    assert item["status"] == "delivered"
