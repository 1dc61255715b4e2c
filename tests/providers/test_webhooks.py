"""The providers whose webhooks take anymail's basic auth (Postmark, Brevo, SparkPost, Mailjet), with the payloads
of their documentation (their shapes as in anymail's own tests), and what every provider's events share: a bounce
that comes before its sender recorded the message, a tracked link the provider reports, a single email."""

import pytest
from django.test import Client, TestCase

from analytics.recount import recount, stored
from campaigns.models import Message
from campaigns.recording import claim, record
from campaigns.replies import Outcome
from campaigns.tokens import make_token
from subscribers.models import Subscriber
from tasks.models import Task
from tests.campaigns.builders import nonzero, send, sender_joined, stats_of
from tests.helpers import assert_hypermedia, assert_problem
from tests.providers.hooks import SECRET, daily, named, outcomes, post, sent, webhooks  # noqa: F401 (fixtures)


def statuses(owner) -> dict[str, str]:
    return dict(Subscriber.objects.filter(account=owner.account).values_list("email", "status"))


# --- Postmark ----------------------------------------------------------------------------------------------


def postmark(record_type: str, message_id: str, to: str, **more) -> dict:
    key = "Email" if record_type in ("Bounce", "SpamComplaint") else "Recipient"
    return {"RecordType": record_type, "MessageID": message_id, key: to, "ServerID": 23, **more}


def test_postmark_events(api, owner, sent):  # noqa: F811
    campaign_id, rows = sent
    named(rows["p0@example.com"], "2706ee8a-737c-4285-b032-ccd317af53ed")
    named(rows["p1@example.com"], "883953f4-6105-42a2-a16a-77a8eac79483")
    named(rows["p2@example.com"], "a4909a96-73d7-4c49-b148-a54522d3f7ac")
    events = [
        postmark(
            "Delivery",
            "883953f4-6105-42a2-a16a-77a8eac79483",
            "p1@example.com",
            DeliveredAt="2026-12-01T12:00:05Z",
            Details="Test delivery webhook details",
        ),
        postmark(
            "Bounce",
            "2706ee8a-737c-4285-b032-ccd317af53ed",
            "p0@example.com",
            ID=901542550,
            Type="SoftBounce",
            TypeCode=4096,
            Name="Soft bounce",
            Description="The server could not temporarily deliver your message",
            Details="smtp;452 4.2.2 Mailbox full",
            BouncedAt="2026-12-01T12:00:50Z",
            Inactive=False,
        ),
        postmark(
            "Open",
            "883953f4-6105-42a2-a16a-77a8eac79483",
            "p1@example.com",
            FirstOpen=True,
            ReceivedAt="2026-12-01T12:10:00Z",
            UserAgent="Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0",
        ),
        postmark(
            "Click",
            "883953f4-6105-42a2-a16a-77a8eac79483",
            "p1@example.com",
            ClickLocation="HTML",
            OriginalLink="https://example.com/click/me",
            ReceivedAt="2026-12-01T12:11:00Z",
        ),
        postmark(
            "SpamComplaint",
            "2706ee8a-737c-4285-b032-ccd317af53ed",
            "p0@example.com",
            ID=901542551,
            Type="SpamComplaint",
            TypeCode=512,
            BouncedAt="2026-12-01T13:00:00Z",
        ),
        postmark(
            "SubscriptionChange",
            "a4909a96-73d7-4c49-b148-a54522d3f7ac",
            "p2@example.com",
            ChangedAt="2026-12-01T13:05:00Z",
            Origin="Recipient",
            SuppressSending=True,
            SuppressionReason="ManualSuppression",
        ),
    ]
    assert [outcomes(post("postmark", event)) for event in events] == [
        [("delivered", "already-recorded")],
        [("bounced", "recorded")],  # SoftBounce: soft
        [("opened", "recorded")],
        [("clicked", "recorded")],
        [("complained", "recorded")],
        [("unsubscribed", "recorded")],
    ]
    assert nonzero(stats_of(api, campaign_id)) == {
        "recipients": 3,
        "sent": 2,
        "softBounces": 1,
        "opens": 1,
        "uniqueOpens": 1,
        "clicks": 1,
        "uniqueClicks": 1,
        "complaints": 1,
        "unsubscribes": 1,
    }
    assert statuses(owner) == {
        "p0@example.com": "unsubscribed-by-user",  # its complaint
        "p1@example.com": "active",
        "p2@example.com": "unsubscribed-by-user",
    }
    assert daily(owner) == {
        "sent": 2,
        "softBounces": 1,
        "opens": 1,
        "uniqueOpens": 1,
        "clicks": 1,
        "uniqueClicks": 1,
        "complaints": 1,
        "unsubscribes": 1,
    }
    assert Subscriber.objects.get(email="p1@example.com").last_open_at is not None
    assert recount(account_id=owner.account.pk) == stored(account_id=owner.account.pk)  # the counters are exact


def test_postmark_refuses_wrong_credentials_and_what_is_not_its_event(sent):  # noqa: F811
    event = postmark("Bounce", "2706ee8a", "p0@example.com", Type="HardBounce")
    response = post("postmark", event, auth="anymail:guess")
    assert_problem(response, 401, "/errors/401.4-provider-webhook-unauthenticated")
    assert_problem(post("postmark", event, auth=None), 401, "/errors/401.4-provider-webhook-unauthenticated")
    problem = assert_problem(post("postmark", "{not json"), 400, "/errors/400.57-provider-event-invalid")
    assert problem["detail"].startswith("Not a Postmark event")
    inbound = {"FromFull": {"Email": "someone@example.com"}, "Subject": "Hi"}
    assert_problem(post("postmark", inbound), 400, "/errors/400.57-provider-event-invalid")


# --- Brevo, SparkPost, Mailjet -----------------------------------------------------------------------------


def brevo(event: str, message_id: str, to: str, **more) -> dict:
    return {
        "event": event,
        "email": to,
        "id": 9999999,
        "message-id": message_id,
        "subject": "Hello friend",
        "date": "2026-12-01 12:00:00",
        "ts": 1764590400,
        "ts_event": 1764590400,
        "ts_epoch": 1764590400000,
        **more,
    }


def test_brevo_events(api, owner, sent):  # noqa: F811
    campaign_id, rows = sent
    named(rows["p0@example.com"], "<201803062010.27287306012@smtp-relay.mailin.fr>")
    named(rows["p1@example.com"], "<201803011158.9876543210@smtp-relay.mailin.fr>")
    named(rows["p2@example.com"], "<201803011158.1122334455@smtp-relay.mailin.fr>")
    events = [
        brevo(
            "hard_bounce",
            "<201803062010.27287306012@smtp-relay.mailin.fr>",
            "p0@example.com",
            reason="undeliverable: 550 5.1.1 No such user",
        ),
        brevo("unique_opened", "<201803011158.9876543210@smtp-relay.mailin.fr>", "p1@example.com"),
        brevo("spam", "<201803011158.9876543210@smtp-relay.mailin.fr>", "p1@example.com"),
        brevo("soft_bounce", "<201803011158.1122334455@smtp-relay.mailin.fr>", "p2@example.com", reason="mailbox full"),
    ]
    assert [outcomes(post("brevo", event))[0][1] for event in events] == ["recorded"] * 4
    assert nonzero(stats_of(api, campaign_id)) == {
        "recipients": 3,
        "hardBounces": 1,
        "softBounces": 1,
        "sent": 1,
        "opens": 1,
        "uniqueOpens": 1,
        "complaints": 1,
    }
    assert statuses(owner) == {
        "p0@example.com": "hard-bounce",
        "p1@example.com": "unsubscribed-by-user",
        "p2@example.com": "active",
    }


def test_sparkpost_and_mailjet_bounces(api, owner, sent):  # noqa: F811
    campaign_id, rows = sent
    named(rows["p0@example.com"], "84345317650824116")  # SparkPost names a message by its transmission id
    named(rows["p1@example.com"], "12345678901234567")
    sparkpost = [
        {
            "msys": {
                "message_event": {
                    "type": "bounce",
                    "bounce_class": "10",
                    "event_id": "84345317653491230",
                    "raw_rcpt_to": "p0@example.com",
                    "rcpt_to": "p0@example.com",
                    "raw_reason": "550 5.1.1 <p0@example.com>: Recipient address rejected: User unknown",
                    "timestamp": "1764590400",
                    "transmission_id": "84345317650824116",
                }
            },
            "cust": {"id": "00000"},
        },
    ]
    assert outcomes(post("sparkpost", sparkpost)) == [("bounced", "recorded")]
    mailjet = [
        {
            "event": "bounce",
            "time": 1764590400,
            "MessageID": 12345678901234567,
            "email": "p1@example.com",
            "mj_campaign_id": 1234567890,
            "mj_contact_id": 9876543210,
            "customcampaign": "",
            "blocked": False,
            "hard_bounce": False,
            "error_related_to": "recipient",
            "error": "quota exceeded",
        },
    ]
    assert outcomes(post("mailjet", mailjet)) == [("bounced", "recorded")]
    found = {row.to_email: row.status for row in Message.objects.filter(campaign_id=campaign_id)}
    assert (found["p0@example.com"], found["p1@example.com"]) == ("hard-bounce", "soft-bounce")
    assert statuses(owner)["p0@example.com"] == "hard-bounce"


def sparkpost_event(group: str, type: str, transmission_id: str, to: str, event_id: str, **more) -> dict:
    """One event of a SparkPost batch, as its documentation shows them (``track_event``: engagement; ``message_event``:
    delivery and complaints)."""
    event = {
        "type": type,
        "event_id": event_id,
        "transmission_id": transmission_id,
        "message_id": "0e4b2b9d5a1c4a0b8e2f",
        "raw_rcpt_to": to,
        "rcpt_to": to,
        "timestamp": "1764590400",
        "campaign_id": "",
        "customer_id": "00000",
        **more,
    }
    return {"msys": {group: event}}


def mailjet_event(event: str, message_id: int, to: str, **more) -> dict:
    return {
        "event": event,
        "time": 1764590400,
        "MessageID": message_id,
        "email": to,
        "mj_campaign_id": 1234567890,
        "mj_contact_id": 9876543210,
        "customcampaign": "",
        **more,
    }


def test_sparkpost_and_mailjet_opens_clicks_complaints_and_unsubscribes(api, owner, sent):  # noqa: F811
    campaign_id, rows = sent
    p0 = named(rows["p0@example.com"], "84345317650824116")  # SparkPost
    named(rows["p1@example.com"], "12345678901234567")  # Mailjet
    named(rows["p2@example.com"], "12345678901234568")  # Mailjet
    agent = {"user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "ip_address": "203.0.113.5"}
    sparkpost = [
        sparkpost_event("track_event", "open", "84345317650824116", "p0@example.com", "92356927693813856", **agent),
        sparkpost_event(
            "track_event",
            "click",
            "84345317650824116",
            "p0@example.com",
            "92356927693813857",
            target_link_url=f"https://mail.example.com/t/c/{make_token(p0.pk)}/0",
            **agent,
        ),
        sparkpost_event(
            "message_event",
            "spam_complaint",
            "84345317650824116",
            "p0@example.com",
            "92356927693813858",
            fbtype="abuse",
            report_by="server.example.com",
            report_to="abuse.example.com",
        ),
    ]
    assert outcomes(post("sparkpost", sparkpost)) == [
        ("opened", "recorded"),
        ("clicked", "recorded"),
        ("complained", "recorded"),
    ]
    seen = {"ip": "203.0.113.5", "geo": "FR", "agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}
    mailjet = [
        mailjet_event("open", 12345678901234567, "p1@example.com", **seen),
        mailjet_event("click", 12345678901234567, "p1@example.com", url="https://shop.example.com/sale", **seen),
        mailjet_event("unsub", 12345678901234568, "p2@example.com", mj_list_id=1, **seen),
    ]
    assert outcomes(post("mailjet", mailjet)) == [
        ("opened", "recorded"),
        ("clicked", "recorded"),
        ("unsubscribed", "recorded"),
    ]
    assert [(event.type, event.url) for event in p0.events.filter(type="click")] == [
        ("click", "https://shop.example.com/sale")  # SparkPost reported our tracked link: the link it leads to
    ]
    counted = {
        "sent": 3,
        "opens": 2,
        "uniqueOpens": 2,
        "clicks": 2,
        "uniqueClicks": 2,
        "complaints": 1,
        "unsubscribes": 1,
    }
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 3, **counted}
    assert daily(owner) == counted
    assert statuses(owner) == {
        "p0@example.com": "unsubscribed-by-user",  # its complaint
        "p1@example.com": "active",
        "p2@example.com": "unsubscribed-by-user",
    }
    assert recount(account_id=owner.account.pk) == stored(account_id=owner.account.pk)  # the counters are exact


# --- What every provider's events share --------------------------------------------------------------------


def test_a_bounce_before_its_sender_recorded_the_message_is_kept_and_counted_once(api, owner, settings, webhooks):  # noqa: F811
    campaign, task = sender_joined(api, 2)
    batch = claim(campaign_id=campaign.pk, task_id=task.pk, size=2, now=campaign.created_at)
    first = Message.objects.get(pk=batch[0].message_id)
    assert first.status == "sending"  # the provider took it; its sender has not recorded the batch yet
    bounce = postmark(
        "Bounce",
        "pm-id-0",
        first.to_email,
        Type="HardBounce",
        Details="smtp;550 5.1.1 unknown user",
        Metadata={"emailapi_message": make_token(first.pk)},
    )
    assert outcomes(post("postmark", bounce)) == [("bounced", "recorded")]
    accepted = [Outcome("sent", None, "accepted by Postmark", f"pm-id-{i}") for i in range(2)]
    record(campaign=campaign, task_id=task.pk, batch=batch, outcomes=accepted)

    rows = {row.pk: row for row in Message.objects.filter(campaign_id=campaign.pk)}
    assert [(rows[c.message_id].status, rows[c.message_id].provider_id) for c in batch] == [
        ("hard-bounce", "pm-id-0"),  # the webhook's record stands (and its provider id is kept)
        ("sent", "pm-id-1"),
    ]
    assert nonzero(stats_of(api, campaign.pk)) == {"recipients": 2, "sent": 1, "hardBounces": 1}
    task = Task.objects.get(pk=task.pk)
    assert (task.processed, task.succeeded, task.failed) == (2, 1, 1)
    assert daily(owner) == {"sent": 1, "hardBounces": 1}
    assert recount(account_id=owner.account.pk) == stored(account_id=owner.account.pk)


def test_a_click_on_our_tracked_link_reported_by_the_provider_names_the_link(api, sent):  # noqa: F811
    campaign_id, rows = sent
    p0 = named(rows["p0@example.com"], "f4830d10-9c35-4f0c-bca3-3d9b459821f8")
    click = postmark(
        "Click",
        "f4830d10-9c35-4f0c-bca3-3d9b459821f8",
        "p0@example.com",
        OriginalLink=f"https://mail.example.com/t/c/{make_token(p0.pk)}/0",
    )
    assert outcomes(post("postmark", click)) == [("clicked", "recorded")]
    assert [(event.type, event.url) for event in p0.events.all()] == [("click", "https://shop.example.com/sale")]
    assert Client().get(f"/t/c/{make_token(p0.pk)}/0").status_code == 302  # our own: a second click
    stats = stats_of(api, campaign_id)
    assert (stats["clicks"], stats["uniqueClicks"]) == (2, 1)
    top = assert_hypermedia(api.get(f"/api/v1/analytics/campaigns/{campaign_id}"), 200)
    assert [(link["url"], link["clicks"], link["uniqueClicks"]) for link in top["topLinks"]] == [
        ("https://shop.example.com/sale", 2, 1)
    ]


@pytest.fixture
def single_provider(settings, webhooks):  # noqa: F811
    settings.EMAIL_PROVIDER, settings.EMAIL_HOST = "test", None


def test_a_single_email_through_the_provider_and_its_bounce(api, owner, single_provider):
    body = {"to": "ann@example.com", "subject": "Receipt", "text": "Thanks", "fromEmail": "shop@example.com"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        email_id = assert_hypermedia(api.post("/api/v1/emails/send", body), 202, "email")["emailId"]
    send()
    message = Message.objects.get(pk=email_id)
    assert (message.status, message.provider_id) == ("sent", "0")
    bounce = postmark("Bounce", "0", "ann@example.com", Type="HardBounce", Details="smtp;550 5.1.1 unknown user")
    assert outcomes(post("postmark", bounce)) == [("bounced", "recorded")]
    detail = assert_hypermedia(api.get(f"/api/v1/emails/{email_id}"), 200, "email")
    assert detail["status"] == "bounced" and [event["type"] for event in detail["events"]] == ["sent", "bounced"]
    assert daily(owner) == {"hardBounces": 1}
