"""Double opt-in through the API, end to end over loopback SMTP: the confirmation email, its link's pages,
confirming, the counters; retried subscribes, members, forged, used and expired links, the sweeper, resending."""

import time
from datetime import timedelta

from django.core import signing
from django.test import TestCase
from django.utils import timezone

from consent.services import double_opt_in_round
from consent.tokens import make_token
from subscribers.models import Consent, Membership, StatusCount
from tests.consent.builders import (
    UA,
    browser,
    confirmation_links,
    consent_of,
    create_double_list,
    get_list,
    get_subscriber,
    subscribe,
)
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import Paths, create_list, md5


def test_a_double_opt_in_subscription_end_to_end(api, smtp_server):
    list_id = create_double_list(api)
    assert get_list(api, list_id)["doubleOptIn"] is True
    body = assert_hypermedia(subscribe(api, list_id, "Ann@Example.com"), 201, "message")
    assert "pending" in body["message"]
    assert links_by_rel(body, "/rels/resend-confirmation")
    assert get_list(api, list_id)["subscribersQuantity"] == 0
    pending = get_subscriber(api, "ann@example.com")
    assert (pending["belongsToLists"], pending["pendingLists"]) == ([], [list_id])
    [consent] = pending["consents"]
    assert (consent["state"], consent["source"], consent["ip"], consent["userAgent"]) == (
        "pending",
        "api",
        "127.0.0.1",
        UA,
    )
    assert consent["confirmedAt"] is None
    assert links_by_rel(pending, "/rels/resend-confirmation")

    [link] = confirmation_links(smtp_server, "ann@example.com")
    [delivery] = smtp_server.to("ann@example.com")
    assert delivery.parsed()["Subject"] == "Please confirm your subscription to Weekly"
    page = browser().get(link)
    assert page.status_code == 200 and "Yes, subscribe me" in page.content.decode()
    assert "a***@example.com" in page.content.decode()
    assert not Membership.objects.filter(list_id=list_id).exists()  # a GET (a scanner) confirms nothing

    done = browser().post(link)
    assert done.status_code == 200 and "You are subscribed" in done.content.decode()
    assert get_list(api, list_id)["subscribersQuantity"] == 1
    member = get_subscriber(api, "ann@example.com")
    assert (member["belongsToLists"], member["pendingLists"]) == ([list_id], [])
    [confirmed] = member["consents"]
    assert confirmed["state"] == "active" and confirmed["confirmedAt"] is not None
    assert (confirmed["confirmIp"], confirmed["confirmUserAgent"]) == ("203.0.113.7", "Browser/2.0")
    assert StatusCount.read(api.owner.account.pk, "active") == 1

    again = browser().post(link)  # used
    assert again.status_code == 410 and "Already confirmed" in again.content.decode()
    assert get_list(api, list_id)["subscribersQuantity"] == 1


def test_a_retried_subscribe_sends_one_email(api, smtp_server):
    list_id = create_double_list(api)
    assert_hypermedia(subscribe(api, list_id, "bob@example.com"), 201, "message")
    assert_hypermedia(subscribe(api, list_id, "bob@example.com"), 200, "message")
    assert len(confirmation_links(smtp_server, "bob@example.com")) == 1
    assert consent_of("bob@example.com", list_id).sends == 1


def test_an_active_member_stays_active(api, smtp_server):
    list_id = create_list(api, "Open")
    assert_hypermedia(subscribe(api, list_id, "cy@example.com"), 201, "message")
    assert api.put(Paths(api.owner).list(list_id), {"name": "Open", "doubleOptIn": True}).status_code == 200
    body = assert_hypermedia(subscribe(api, list_id, "cy@example.com"), 200, "message")
    assert "pending" not in body["message"]
    assert confirmation_links(smtp_server, "cy@example.com") == []
    assert get_list(api, list_id)["subscribersQuantity"] == 1
    [consent] = get_subscriber(api, "cy@example.com")["consents"]
    assert (consent["state"], consent["doubleOptIn"]) == ("active", False)


def test_forged_and_changed_links_get_a_clear_page(api, smtp_server):
    list_id = create_double_list(api)
    subscribe(api, list_id, "dee@example.com")
    [link] = confirmation_links(smtp_server, "dee@example.com")
    for bad in (link[:-3] + "xyz", "/c/nothing", "/c/" + "a" * 300, link.replace("/c/", "/c/1")):
        for method in ("get", "post"):
            response = getattr(browser(), method)(bad)
            assert response.status_code == 400, (bad, method)
            assert response["Content-Type"].startswith("text/html")
            assert "This link is not valid" in response.content.decode()
    assert consent_of("dee@example.com", list_id).pending


def test_the_sweeper_expires_pending_memberships_and_their_links(api, smtp_server, settings):
    list_id = create_double_list(api)
    subscribe(api, list_id, "eve@example.com")
    subscribe(api, list_id, "fay@example.com")
    [link] = confirmation_links(smtp_server, "eve@example.com")
    window = timedelta(hours=settings.DOUBLE_OPT_IN_HOURS)
    Consent.objects.filter(subscriber__email_md5=md5("eve@example.com")).update(
        sent_at=timezone.now() - window - timedelta(minutes=1)
    )
    assert double_opt_in_round() == (1, 0)
    assert not Consent.objects.filter(subscriber__email_md5=md5("eve@example.com")).exists()
    assert consent_of("fay@example.com", list_id).pending  # within its window
    assert get_subscriber(api, "eve@example.com")["pendingLists"] == []
    gone = browser().post(link)
    assert gone.status_code == 410 and "no longer valid" in gone.content.decode()
    assert not Membership.objects.filter(list_id=list_id).exists()


def test_a_link_older_than_the_window_has_expired(api, smtp_server, settings, monkeypatch):
    list_id = create_double_list(api)
    subscribe(api, list_id, "gil@example.com")
    [link] = confirmation_links(smtp_server, "gil@example.com")
    later = time.time() + settings.DOUBLE_OPT_IN_HOURS * 3600 + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    for method in ("get", "post"):
        response = getattr(browser(), method)(link)
        assert response.status_code == 410 and "expired" in response.content.decode()
    assert consent_of("gil@example.com", list_id).pending


def test_a_link_of_an_earlier_request_confirms_nothing(api, smtp_server):
    list_id = create_double_list(api)
    subscribe(api, list_id, "hal@example.com")
    old = consent_of("hal@example.com", list_id)
    assert api.delete(Paths(api.owner).membership(list_id, md5("hal@example.com"))).status_code == 200
    subscribe(api, list_id, "hal@example.com")
    stale = make_token(old.pk, 12345)
    assert browser().post(f"/c/{stale}").status_code == 410
    assert consent_of("hal@example.com", list_id).pending


def test_resending_is_limited_per_address_and_day(api, smtp_server, settings):
    settings.DOUBLE_OPT_IN_RESENDS_PER_DAY = 2
    list_id = create_double_list(api)
    subscribe(api, list_id, "ivy@example.com")
    resend = f"{Paths(api.owner).membership(list_id, md5('ivy@example.com'))}/confirmation"
    for _ in range(2):
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert_hypermedia(api.post(resend), 202, "message")
    limited = api.post(resend)
    assert_problem(limited, 429)
    assert 0 < int(limited["Retry-After"]) <= 24 * 3600
    assert len(confirmation_links(smtp_server, "ivy@example.com")) == 3
    assert consent_of("ivy@example.com", list_id).sends == 3

    other = create_list(api, "Plain")
    subscribe(api, other, "ivy@example.com")
    assert_problem(api.post(f"{Paths(api.owner).membership(other, md5('ivy@example.com'))}/confirmation"), 409)
    assert_problem(api.post(f"{Paths(api.owner).membership(other, md5('nobody@example.com'))}/confirmation"), 404)


def test_contacts_and_put_follow_the_same_rule(api, smtp_server):
    list_id = create_double_list(api)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post("/api/v1/contacts", {"emailAddress": "jo@example.com", "lists": [list_id]})
    contact = assert_hypermedia(response, 201, "subscriber")
    assert (contact["belongsToLists"], contact["pendingLists"]) == ([], [list_id])
    assert contact["consents"][0]["source"] == "api"
    assert len(confirmation_links(smtp_server, "jo@example.com")) == 1


def test_a_custom_template_is_checked_and_used(api, smtp_server):
    bad = api.post(
        Paths(api.owner).lists,
        {"name": "Bad", "doubleOptIn": True, "confirmationEmail": {"html": "<p>no link</p>"}},
    )
    body = assert_problem(bad, 400)
    assert body["errors"][0]["field"] == "confirmationEmail.html"
    list_id = create_double_list(
        api,
        "Custom",
        confirmationEmail={"subject": "Join {{ listName }}?", "text": "Click {{ confirmUrl }} please"},
    )
    shown = get_list(api, list_id)["confirmationEmail"]
    assert shown == {"subject": "Join {{ listName }}?", "html": None, "text": "Click {{ confirmUrl }} please"}
    subscribe(api, list_id, "kim@example.com")
    [link] = confirmation_links(smtp_server, "kim@example.com")
    [delivery] = smtp_server.to("kim@example.com")
    assert delivery.parsed()["Subject"] == "Join Custom?"
    assert browser().post(link).status_code == 200
