"""Inputs and interleavings at the edges: each once gave a 5xx, a stuck row or a wrong count."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import content, recording
from campaigns.models import Campaign, Message
from campaigns.replies import Outcome
from campaigns.services import campaign_start_due
from campaigns.tokens import make_token
from subscribers.models import Subscriber
from tasks.models import Task
from tests.campaigns.builders import (
    CampaignPaths,
    audience,
    campaign_body,
    create_campaign,
    post,
    sender_joined,
)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_problem


@pytest.mark.parametrize("path", ["/u/1." + "é" * 20, "/t/c/1." + "é" * 20 + "/0", "/u/é." + "A" * 20])
def test_non_ascii_tokens_are_not_found(db, anon, path):
    response = anon.get(path)
    assert response.status_code == 404


def test_non_ascii_token_on_the_pixel_still_gets_the_image(db, anon):
    assert anon.get("/t/o/1." + "é" * 20)["Content-Type"] == "image/gif"


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"scheduledAt": "9999-12-31T23:59:59.500Z"}, "scheduledAt"),
        ({"fromEmail": "jörg@shop.example.com"}, "fromEmail"),
        ({"replyTo": "jörg@shop.example.com"}, "replyTo"),
        ({"html": '<a href="https://{{ firstName }}.example.com/x">x</a>'}, "html"),
    ],
)
def test_refused_on_create(api, overrides, field):
    response = post(api, CampaignPaths(api.owner).campaigns, campaign_body(**overrides))
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert field in {error["field"] for error in body["errors"]}, body


def test_a_merge_tag_in_the_link_path_is_fine(api):
    html = '<a href="https://shop.example.com/{{ firstName }}?e={{ emailAddress }}">x</a>'
    response = post(api, CampaignPaths(api.owner).campaigns, campaign_body(html=html))
    assert response.status_code == 201, response.content


def test_link_rewriting_is_linear_in_the_html():
    for html_part in ("<a " * 100_000, '<a href="https://x' * 50_000, "<body" * 100_000):
        started = time.monotonic()
        content.compile_campaign(subject="s", html_part=html_part, text_part="", preheader="p", fields={})
        assert time.monotonic() - started < 5  # quadratic matching took minutes on these


def claimed_batch(api, owner, count=2):
    campaign, task = sender_joined(api, count)
    batch = recording.claim(campaign_id=campaign.pk, task_id=task.pk, size=count, now=timezone.now())
    assert len(batch) == count
    return campaign, task, batch


def test_a_batch_recorded_after_a_cancel_leaves_nothing_queued(api, owner, smtp_server):  # noqa: F811
    campaign, task, batch = claimed_batch(api, owner)
    Task.objects.filter(pk=task.pk).update(status="canceled")
    recording.record(
        campaign=campaign,
        task_id=task.pk,
        batch=batch,
        outcomes=[Outcome("sent", 250, "ok"), Outcome("soft", 451, "later")],
    )
    statuses = sorted(Message.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert statuses == ["canceled", "sent"]


def test_an_unparsable_reply_code_is_stored_as_none(api, owner, smtp_server):  # noqa: F811
    campaign, task, batch = claimed_batch(api, owner, count=1)
    recording.record(
        campaign=campaign, task_id=task.pk, batch=batch, outcomes=[Outcome("unknown", -1, "+OK POP3 ready\x00")]
    )
    message = Message.objects.get(campaign=campaign)
    assert (message.status, message.smtp_code, message.smtp_response) == ("unknown", None, "+OK POP3 ready")


def test_a_campaign_with_a_batch_in_flight_cannot_be_deleted(api, owner, smtp_server):  # noqa: F811
    campaign, task, batch = claimed_batch(api, owner)
    Task.objects.filter(pk=task.pk).update(status="canceled")
    Campaign.objects.filter(pk=campaign.pk).update(status="canceled")
    response = api.delete(CampaignPaths(api.owner).campaign(campaign.pk))
    assert_problem(response, 409, "/errors/409.7-campaign-action-not-allowed", 7)
    recording.record(campaign=campaign, task_id=task.pk, batch=batch, outcomes=[None, None])
    assert api.delete(CampaignPaths(api.owner).campaign(campaign.pk)).status_code == 200


def test_a_scheduled_campaign_no_longer_ready_goes_back_to_draft(api, owner):
    list_id, emails = audience(api, 1)
    at = (timezone.now() + timedelta(hours=1)).isoformat()
    campaign_id = create_campaign(api, [list_id], scheduledAt=at)
    Subscriber.objects.filter(email=emails[0]).update(status="unsubscribed-by-admin")
    from lists.models import MailingList

    MailingList.objects.filter(pk=list_id).update(subscribers_count=0)
    Campaign.objects.filter(pk=campaign_id).update(scheduled_at=timezone.now())
    assert campaign_start_due(campaign_id=campaign_id) is False
    campaign = Campaign.objects.get(pk=campaign_id)
    assert (campaign.status, campaign.scheduled_at, campaign.task_id) == ("draft", None, None)


def test_a_bounce_report_for_an_unknown_message_proves_it_was_delivered(api, owner, smtp_server, settings):  # noqa: F811
    settings.BOUNCE_WEBHOOK_SECRET = "s3cret"
    campaign, task, batch = claimed_batch(api, owner, count=1)
    recording.record(campaign=campaign, task_id=task.pk, batch=batch, outcomes=[Outcome("unknown", None, "lost")])
    message = Message.objects.get(campaign=campaign)
    response = api.client.post(
        "/api/v1/webhooks/bounces",
        {"type": "hard-bounce", "messageId": f"<{make_token(message.pk)}@shop.example.com>"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer s3cret",
    )
    assert response.json()["recorded"] == 1
    message.refresh_from_db()
    assert message.status == "hard-bounce"
    assert Subscriber.objects.get(pk=message.subscriber_id).status == "hard-bounce"
