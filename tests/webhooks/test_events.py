"""Every event type, emitted by a representative action through the API and the mail pipeline (loopback SMTP), and
received by a webhook that listens to all of them."""

import pytest
from django.test import Client

from api.events import TYPES
from campaigns.models import CampaignLink
from campaigns.tokens import make_token
from tests.campaigns.builders import BASE_URL, act, create_campaign, message_to, post, send, start
from tests.consent.builders import browser, confirmation_links, create_double_list, subscribe
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import Paths, create_list, md5, subscribed
from tests.tasks.builders import csv_bytes, run_jobs, submit
from tests.webhooks.builders import Receiver, acting, create_webhook, deliver, verified

pytestmark = pytest.mark.django_db
SALE = "https://shop.example.com/sale"
HTML = f'<html><body><p>Hi {{{{ firstName | friend }}}}</p><a href="{SALE}">Sale</a></body></html>'
SECRET = "bounce-secret"


def by_type(receiver, secret) -> dict[str, list[dict]]:
    events = {}
    for request in receiver.requests:
        event = verified(request, secret)
        events.setdefault(event["type"], []).append(event["data"])
    return events


def test_each_event_type_is_sent_by_a_representative_action(api, owner, hooks, smtp_server, settings):
    settings.PUBLIC_BASE_URL, settings.BOUNCE_WEBHOOK_SECRET = BASE_URL, SECRET
    paths = Paths(owner)
    with Receiver([200]) as receiver:
        _, secret = create_webhook(api, receiver.url, TYPES, description="everything")
        list_id = create_list(api, "News")
        for address in ("ann@example.com", "bob@example.com", "cy@example.com"):
            acting(lambda address=address: subscribed(api, list_id, address, {"firstName": address[:3]}))
        edit = {
            "emailAddress": "ann@example.com",
            "belongsToLists": [list_id],
            "fields": [{"fieldName": "firstName", "value": "Annie"}],
        }
        acting(lambda: assert_hypermedia(api.put(paths.subscriber(md5("ann@example.com")), edit), 200))

        smtp_server.reply["cy@example.com"] = "550 5.1.1 No such user"
        campaign_id = create_campaign(api, [list_id], name="Spring", html=HTML)
        acting(lambda: start(api, campaign_id))
        acting(lambda: assert_hypermedia(act(api, campaign_id, "pause"), 200))
        acting(lambda: start(api, campaign_id))
        send()
        deliver()

        ann = message_to(campaign_id, "ann@example.com")
        position = CampaignLink.objects.get(campaign_id=campaign_id, url=SALE).position
        acting(lambda: Client().get(f"/t/o/{make_token(ann.pk)}"))
        acting(lambda: Client().get(f"/t/c/{make_token(ann.pk)}/{position}"))
        bob = message_to(campaign_id, "bob@example.com")
        complaint = {"type": "complaint", "messageId": _message_id(smtp_server, "bob@example.com")}
        acting(
            lambda: Client().post(
                "/api/v1/webhooks/bounces",
                complaint,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {SECRET}",
            )
        )

        double = create_double_list(api, "Weekly")
        acting(lambda: subscribe(api, double, "dee@example.com"))
        [link] = confirmation_links(smtp_server, "dee@example.com")
        acting(lambda: browser().post(link))

        acting(lambda: submit(api, list_id, csv_bytes([["email"], ["eve@example.com"]]), "text/csv"))
        run_jobs("imports")
        deliver()

    events = by_type(receiver, secret)
    assert sorted(events) == sorted(TYPES), set(TYPES) - set(events)
    created = [e["emailAddress"] for e in events["subscriber.created"]]
    assert created == ["ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com", "eve@example.com"]
    [updated] = events["subscriber.updated"]
    assert updated["fields"] == {"firstName": "Annie"}
    [bounced] = events["subscriber.bounced"]
    assert (bounced["emailAddress"], bounced["status"]) == ("cy@example.com", "hard-bounce")
    [complained] = events["subscriber.complained"]
    assert (complained["emailAddress"], complained["messageId"], complained["campaignId"]) == (
        "bob@example.com",
        bob.pk,
        campaign_id,
    )
    [unsubscribed] = events["subscriber.unsubscribed"]  # the complaint unsubscribes
    assert (unsubscribed["emailAddress"], unsubscribed["reason"]) == ("bob@example.com", "Marked the email as spam")
    [confirmed] = events["subscriber.confirmed"]
    assert (confirmed["emailAddress"], confirmed["listId"]) == ("dee@example.com", double)
    assert [e["previousStatus"] for e in events["campaign.started"]] == ["draft", "paused"]
    assert [e["campaignId"] for e in events["campaign.paused"]] == [campaign_id]
    [sent] = events["campaign.sent"]
    assert (sent["campaignId"], sent["name"], sent["status"]) == (campaign_id, "Spring", "sent")
    delivered = sorted(e["emailAddress"] for e in events["email.delivered"])
    assert delivered[:2] == ["ann@example.com", "bob@example.com"]  # and dee's confirmation email (a single email)
    [email_bounced] = [e for e in events["email.bounced"] if e["campaignId"] == campaign_id]
    assert (email_bounced["emailAddress"], email_bounced["bounce"]) == ("cy@example.com", "hard")
    assert "550" in email_bounced["detail"]
    [opened] = events["email.opened"]
    assert (opened["messageId"], opened["first"]) == (ann.pk, True)
    [clicked] = events["email.clicked"]
    assert (clicked["messageId"], clicked["url"], clicked["first"]) == (ann.pk, SALE, True)
    kinds = sorted((task["type"], task["status"]) for task in events["task.finished"])
    assert kinds == [("campaign-send", "done"), ("import", "done")]
    assert all(any(link["rel"].startswith("self") for link in task["_links"]) for task in events["task.finished"])


def _message_id(smtp_server, address: str) -> str:
    [delivery] = smtp_server.to(address)
    return delivery.parsed()["Message-ID"]


def test_nothing_is_sent_for_types_the_webhook_does_not_listen_to(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200]) as receiver:
        _, secret = create_webhook(api, receiver.url, ["subscriber.unsubscribed"])
        acting(lambda: subscribed(api, list_id, "ann@example.com"))
        acting(lambda: post(api, Paths(owner).unsubscribe(md5("ann@example.com")), {"reason": "bored"}))
    assert [verified(r, secret)["type"] for r in receiver.requests] == ["subscriber.unsubscribed"]
    assert verified(receiver.requests[0], secret)["data"]["reason"] == "bored"
