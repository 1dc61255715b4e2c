"""Scheduling: a campaign with a future scheduledAt is sent at that time by a worker, nobody calling start.

The scheduled start is a job kept in Redis (RQ's scheduled registry), so the worker started after
the scheduling (a restart, as far as the job can tell) still runs it. Moving scheduledAt moves the
sending; null makes the campaign a draft again and cancel cancels it: the older jobs find nothing due.
"""

from datetime import datetime, timedelta

import django_rq
import pytest
from django.test import TestCase
from django.utils import timezone

from campaigns.models import Campaign, Message
from campaigns.services import campaigns_start_overdue
from tests.campaigns.workers import (
    Workers,
    act,
    action_names,
    add_subscribers,
    addresses,
    campaign_body,
    campaign_id,
    campaign_status,
    create_campaign,
    deliveries,
    get_campaign,
    wait_for,
)
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import create_list
from tests.tasks.builders import run_jobs

LATE = timedelta(seconds=3)  # RQ's scheduler looks every second, at whole seconds; then the job runs


def at(moment: datetime) -> str:
    return moment.isoformat()


def parsed(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_scheduled_campaigns_are_sent_at_their_time_and_only_then(api, owner, smtp_servers, fresh_redis, tmp_path):
    server = smtp_servers()
    lists = {name: create_list(api, name) for name in "abcd"}
    for name, list_id in lists.items():
        add_subscribers(owner.account, [list_id], addresses(name, 10))
    soon = timezone.now() + timedelta(seconds=5)
    later = soon + timedelta(seconds=3)
    plain = create_campaign(api, "A", [lists["a"]], scheduledAt=at(soon))
    moved = create_campaign(api, "B", [lists["b"]], scheduledAt=at(soon))
    unscheduled = create_campaign(api, "C", [lists["c"]], scheduledAt=at(soon))
    canceled = create_campaign(api, "D", [lists["d"]], scheduledAt=at(soon))
    body = get_campaign(api, plain)
    assert body["status"] == "scheduled" and parsed(body["scheduledAt"]) == soon, body
    assert action_names(body) == ["start", "cancel"]

    v1 = f"/api/v1/campaigns/{campaign_id(moved)}"
    body = assert_hypermedia(api.put(v1, campaign_body("B", [lists["b"]], scheduledAt=at(later))), 200, "campaign")
    assert body["status"] == "scheduled" and parsed(body["scheduledAt"]) == later, body
    response = api.put(unscheduled, campaign_body("C", [lists["c"]], scheduledAt=None))
    assert_hypermedia(response, 200, "message")
    assert get_campaign(api, unscheduled)["status"] == "draft"
    act(api, canceled, "cancel")
    assert get_campaign(api, canceled)["status"] == "canceled"
    # Every job waits in Redis, the older ones included (they will find their campaign not due).
    assert django_rq.get_queue("default").scheduled_job_registry.count == 5

    with Workers(tmp_path) as workers:
        workers.start(server.port, CAMPAIGN_SENDERS=1)  # only now: the jobs outlived the process that made them
        workers.wait_ready()
        ready = timezone.now()  # normally before `soon`; on a very busy machine maybe not: "on time" is from then
        wait_for(lambda: campaign_status(campaign_id(plain)) == "sent", "the first campaign's time", workers)
        if timezone.now() < later:  # its first time passed, it waits for the new one
            assert campaign_status(campaign_id(moved)) == "scheduled"
        body = get_campaign(api, plain)
        assert soon <= parsed(body["startedAt"]) < max(soon, ready) + LATE, body
        wait_for(lambda: campaign_status(campaign_id(moved)) == "sent", "the moved campaign's time", workers)
        body = get_campaign(api, moved)
        assert later <= parsed(body["startedAt"]) < max(later, ready) + LATE, body
        assert min(Message.objects.filter(campaign_id=campaign_id(moved)).values_list("sent_at", flat=True)) >= later
        wait_for(
            lambda: (
                django_rq.get_queue("default").scheduled_job_registry.count == 0
                and django_rq.get_queue("default").count == 0
            ),
            "every scheduled job to have run",
            workers,
        )

    assert deliveries(server) == dict.fromkeys(addresses("a", 10) + addresses("b", 10), 1)
    assert campaign_status(campaign_id(unscheduled)) == "draft"
    assert campaign_status(campaign_id(canceled)) == "canceled"
    assert not Message.objects.filter(campaign_id__in=[campaign_id(unscheduled), campaign_id(canceled)]).exists()
    assert Campaign.objects.get(pk=campaign_id(unscheduled)).task is None


@pytest.mark.django_db
def test_an_overdue_scheduled_campaign_whose_job_was_lost_is_started_by_the_safety_net(
    api, owner, smtp_servers, fresh_redis
):
    server = smtp_servers()
    list_id = create_list(api, "News")
    add_subscribers(owner.account, [list_id], addresses("o", 3))
    location = create_campaign(api, "Overdue", [list_id], scheduledAt=at(timezone.now() + timedelta(hours=1)))
    pk = campaign_id(location)
    registry = django_rq.get_queue("default").scheduled_job_registry
    for job_id in registry.get_job_ids():  # the job is lost (say, Redis restored from an older snapshot)
        registry.remove(job_id, delete_job=True)
    assert campaigns_start_overdue() == []  # not due yet
    Campaign.objects.filter(pk=pk).update(scheduled_at=timezone.now() - timedelta(minutes=5))

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert campaigns_start_overdue() == [pk]
    assert get_campaign(api, location)["status"] == "sending"
    run_jobs("sending")
    assert get_campaign(api, location)["status"] == "sent"
    assert deliveries(server) == dict.fromkeys(addresses("o", 3), 1)
    assert campaigns_start_overdue() == []
