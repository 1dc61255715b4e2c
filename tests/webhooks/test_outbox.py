"""The outbox: events written in the transaction of their change (a rollback writes none), only when an enabled
endpoint of the account listens, dispatched after the commit by a job; the sweeper makes good the jobs Redis lost;
the old log is forgotten."""

from datetime import timedelta

import django_rq
import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from api import events
from subscribers.emails import normalize_email
from subscribers.models import Subscriber
from subscribers.services import subscription_request
from tasks.sweeper import recover_round
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import create_list, subscribed
from tests.tasks.builders import BurstWorker
from tests.webhooks.builders import (
    QUEUE,
    Receiver,
    acting,
    create_webhook,
    deliver,
    outbox_types,
    webhooks_path,
)
from webhooks import subscriptions
from webhooks.models import Attempt, Delivery, Endpoint, Event
from webhooks.outbox import events_dispatch
from webhooks.services import webhook_log_forget

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _subscribe(owner, list_id, address):
    from lists.models import MailingList

    return subscription_request(
        account=owner.account, mailing_list=MailingList.objects.get(pk=list_id), email=normalize_email(address)
    )


def test_an_event_is_written_in_the_transaction_of_its_change_and_a_rollback_writes_none(api, owner, hooks):
    list_id = create_list(api, "News")
    create_webhook(api, "http://127.0.0.1:9/hooks", ["subscriber.created"])
    seen = []

    def change_then_fail():
        with transaction.atomic():
            _subscribe(owner, list_id, "ann@example.com")
            seen.extend(outbox_types())  # written with the subscriber, not after
            raise Boom

    with TestCase.captureOnCommitCallbacks(execute=True) as asked, pytest.raises(Boom):
        change_then_fail()
    assert seen == ["subscriber.created"]
    assert outbox_types() == [] and not Subscriber.objects.exists()
    assert asked == []  # no drain asked for either: its request went with the rollback
    with TestCase.captureOnCommitCallbacks(execute=False) as asked:
        _subscribe(owner, list_id, "ann@example.com")
    assert outbox_types() == ["subscriber.created"] and len(asked) == 1


def test_no_event_is_written_when_nobody_listens(api, owner, other, hooks):
    list_id = create_list(api, "News")
    subscribed(api, list_id, "a@example.com")  # no webhook
    create_webhook(api, "http://127.0.0.1:9/hooks", ["subscriber.unsubscribed"])
    subscribed(api, list_id, "b@example.com")  # a webhook, another type
    disabled, _ = create_webhook(api, "http://127.0.0.1:9/other", ["subscriber.created"], enabled=False)
    subscribed(api, list_id, "c@example.com")  # a webhook for the type, disabled
    assert outbox_types() == []
    assert subscriptions.subscribed(other.account.pk) == frozenset()
    assert subscriptions.subscribed(owner.account.pk) == {"subscriber.unsubscribed"}
    body = {"url": "http://127.0.0.1:9/other", "eventTypes": ["subscriber.created"], "enabled": True}
    assert_hypermedia(api.put(f"{webhooks_path(api)}/{disabled}", body), 200)
    subscribed(api, list_id, "d@example.com")  # seen at once: the write moved the cache's epoch
    assert outbox_types() == ["subscriber.created"]


def test_the_request_only_writes_the_event_a_job_sends_it(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        create_webhook(api, receiver.url, ["subscriber.created"])
        with TestCase.captureOnCommitCallbacks(execute=True):
            subscribed(api, list_id, "ann@example.com")
        assert receiver.requests == [] and django_rq.get_queue(QUEUE).count == 1  # one drain
        deliver()
    assert len(receiver.requests) == 1 and Event.objects.get().dispatched_at is not None


def test_one_event_is_fanned_to_every_endpoint_that_listens(api, owner, other, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as first, Receiver([200]) as second, Receiver([200]) as elsewhere:
        create_webhook(api, first.url, ["subscriber.created"])
        create_webhook(api, second.url, ["subscriber.created", "subscriber.updated"])
        create_webhook(api, "http://127.0.0.1:9/not-this-type", ["email.opened"])
        create_webhook(api.__class__(other), elsewhere.url, ["subscriber.created"])
        acting(lambda: subscribed(api, list_id, "ann@example.com"))
    assert (len(first.requests), len(second.requests), len(elsewhere.requests)) == (1, 1, 0)
    assert first.requests[0]["body"] == second.requests[0]["body"]
    assert Delivery.objects.count() == 2


def test_an_event_nobody_listens_to_any_more_is_dropped_at_dispatch(api, owner, hooks):
    list_id = create_list(api, "News")
    webhook_id, _ = create_webhook(api, "http://127.0.0.1:9/hooks", ["subscriber.created"])
    subscribed(api, list_id, "ann@example.com")
    assert outbox_types() == ["subscriber.created"]
    assert api.delete(f"{webhooks_path(api)}/{webhook_id}").status_code == 200
    assert events_dispatch(limit=100) == 1
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_a_job_trusts_its_cached_answer_briefly_and_its_own_changes_at_once(api, owner, hooks, monkeypatch):
    account_id = owner.account.pk
    assert not events.wanted(account_id, "subscriber.created")  # outside a request: cached for a job
    Endpoint.objects.create(
        account_id=account_id, url="http://x.example/", event_types=["subscriber.created"], secret="-"
    )
    assert not events.wanted(account_id, "subscriber.created")  # another process's write: seen within seconds
    monkeypatch.setattr(subscriptions._cache, "unread_epoch_seconds", 0.0)
    assert events.wanted(account_id, "subscriber.created")
    create_webhook(api, "http://127.0.0.1:9/hooks", ["email.opened"])  # this process's write clears it at once
    monkeypatch.setattr(subscriptions._cache, "unread_epoch_seconds", 60.0)
    assert events.wanted(account_id, "email.opened")


def test_the_sweeper_drains_events_and_queues_deliveries_whose_jobs_were_lost(api, owner, hooks):
    hooks.TASK_STALE_AFTER_SECONDS = 60
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        create_webhook(api, receiver.url, ["subscriber.created"])
        subscribed(api, list_id, "ann@example.com")  # its drain never asked for (Redis away at the commit)
        with TestCase.captureOnCommitCallbacks(execute=True):
            recover_round()
        assert django_rq.get_queue(QUEUE).count == 0  # an event waiting for less: left alone
        Event.objects.update(created_at=timezone.now() - timedelta(minutes=5))
        with TestCase.captureOnCommitCallbacks(execute=True):
            recover_round()
        with TestCase.captureOnCommitCallbacks(execute=True):  # the drain, whose delivery job Redis then loses
            django_rq.get_worker(QUEUE, worker_class=BurstWorker).work(burst=True)
        assert Delivery.objects.get().status == "pending"
        django_rq.get_queue(QUEUE).empty()
        Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
        with TestCase.captureOnCommitCallbacks(execute=True):
            recover_round()
        deliver()
    assert len(receiver.requests) == 1 and Delivery.objects.get().status == "delivered"


def test_a_second_job_for_a_delivery_sends_nothing_more(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        create_webhook(api, receiver.url, ["subscriber.created"])
        acting(lambda: subscribed(api, list_id, "ann@example.com"))
        from webhooks.delivery import deliver as deliver_job

        deliver_job(Delivery.objects.get().pk)  # delivered already: a duplicate job does nothing
        Delivery.objects.update(status="pending", leased_until=timezone.now() + timedelta(minutes=1))
        deliver_job(Delivery.objects.get().pk)  # another job holds it
    assert len(receiver.requests) == 1


def test_the_log_older_than_its_days_is_forgotten(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        webhook_id, _ = create_webhook(api, receiver.url, ["subscriber.created"])
        for address in ("a@example.com", "b@example.com"):
            acting(lambda address=address: subscribed(api, list_id, address))
    old = Event.objects.order_by("id").first()
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert webhook_log_forget(before=timezone.now() - timedelta(days=30)) == 1
    assert Event.objects.count() == 1 and Delivery.objects.count() == 1 and Attempt.objects.count() == 1
    endpoint = Endpoint.objects.get(pk=webhook_id)
    assert endpoint.deliveries_count == 1
    page = assert_hypermedia(api.get(f"{webhooks_path(api)}/{webhook_id}/deliveries"), 200, "webhook-deliveries")
    assert page["itemsCount"] == 1 and len(page["items"]) == 1
