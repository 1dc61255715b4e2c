"""The preference page, reached from the footer link of a campaign received over SMTP: the lists shown and
ticked, changing them, unsubscribing from everything, resubscribing, and what a crafted POST cannot do."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Event, Message
from campaigns.tokens import make_preferences_token, make_token
from preferences import guard
from subscribers.models import Status, Subscriber
from tests.campaigns.builders import BASE_URL, create_campaign, local, nonzero, stats_of
from tests.preferences.builders import (
    HTML,
    TEXT,
    form_value,
    memberships,
    open_page,
    quantities,
    setup,
    shown,
    submit,
    ticked,
)
from tests.subscribers.builders import md5, set_status


@pytest.fixture
def sent(api, smtp_server, settings):
    return setup(api, smtp_server, settings)


def status_of(email: str) -> str:
    return Subscriber.objects.get(email=email).status


def test_the_footer_link_opens_the_page_with_own_lists_ticked(sent):
    lists, received = sent
    ann = received["ann@example.com"]
    assert ann.page == ann.text_page == f"/p/{make_preferences_token(ann.message.pk)}"
    response = Client().get(ann.page)
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-store, private"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "a***@e***.com" in html and "ann@example.com" not in html
    assert shown(html) == {lists.weekly, lists.offers}  # the internal list is not public
    assert ticked(html) == {lists.weekly}
    assert "Weekly news" in html and "Our best stories, Fridays" in html and "weekly-2026" not in html
    assert "Imported VIPs" not in html
    assert "Emails from <strong>Shop</strong>" in html
    assert ticked(Client().get(received["bob@example.com"].page).content.decode()) == {lists.weekly}


def test_the_unsubscribe_page_leads_to_the_preference_page(sent):
    _, received = sent
    ann = received["ann@example.com"]
    assert f'href="{ann.page}"' in Client().get(ann.unsubscribe).content.decode()
    done = Client().post(ann.unsubscribe).content.decode()
    assert f'href="{ann.page}"' in done  # "changed your mind?"


def test_changing_lists_moves_memberships_and_counters(api, sent):
    lists, received = sent
    ann = received["ann@example.com"]
    before = quantities()
    response = submit(ann.page, "save", [lists.offers])
    html = response.content.decode()
    assert response.status_code == 200 and "Your preferences are saved." in html
    assert ticked(html) == {lists.offers}
    assert memberships("ann@example.com") == {lists.offers, lists.internal}  # the internal list is kept
    after = quantities()
    assert after[lists.weekly] == before[lists.weekly] - 1
    assert after[lists.offers] == before[lists.offers] + 1
    assert after[lists.internal] == before[lists.internal]
    assert status_of("ann@example.com") == Status.ACTIVE
    # Saving the same choice again changes nothing.
    submit(ann.page, "save", [lists.offers])
    assert quantities() == after
    # Nothing ticked: in no public list, still subscribed.
    submit(ann.page, "save", [])
    assert memberships("ann@example.com") == {lists.internal}
    assert status_of("ann@example.com") == Status.ACTIVE
    assert quantities()[lists.offers] == before[lists.offers]


def test_unsubscribe_from_everything(api, sent):
    lists, received = sent
    ann = received["ann@example.com"]
    campaign_id = ann.message.campaign_id
    before = quantities()
    response = submit(ann.page, "unsubscribe")
    html = response.content.decode()
    assert response.status_code == 200 and "You are unsubscribed from all emails." in html
    subscriber = Subscriber.objects.get(email="ann@example.com")
    assert subscriber.status == Status.UNSUBSCRIBED_BY_USER
    assert subscriber.unsubscribe_reason == "Unsubscribed on the preference page"
    assert memberships("ann@example.com") == {lists.weekly, lists.internal}  # kept, no longer counted
    after = quantities()
    assert after[lists.weekly] == before[lists.weekly] - 1 and after[lists.internal] == before[lists.internal] - 1
    assert nonzero(stats_of(api, campaign_id))["unsubscribes"] == 1
    assert [e.type for e in Event.objects.filter(message=ann.message)] == ["unsubscribe"]
    assert "Subscribe again" in html  # an unsubscribed-by-user subscriber may come back
    # Again: nothing more is counted.
    assert submit(ann.page, "unsubscribe").status_code == 409
    assert nonzero(stats_of(api, campaign_id))["unsubscribes"] == 1


def test_resubscribe(api, sent):
    lists, received = sent
    ann = received["ann@example.com"]
    before = quantities()
    submit(ann.page, "unsubscribe")
    refused = submit(ann.page, "resubscribe", [])
    assert refused.status_code == 409 and "Tick at least one list" in refused.content.decode()
    assert status_of("ann@example.com") == Status.UNSUBSCRIBED_BY_USER
    response = submit(ann.page, "resubscribe", [lists.offers])
    html = response.content.decode()
    assert response.status_code == 200 and "subscribed again" in html
    assert status_of("ann@example.com") == Status.ACTIVE
    assert memberships("ann@example.com") == {lists.offers, lists.internal}  # weekly was unticked
    after = quantities()
    assert after[lists.weekly] == before[lists.weekly] - 1
    assert after[lists.offers] == before[lists.offers] + 1
    assert after[lists.internal] == before[lists.internal]  # the membership the person had comes back
    assert ticked(html) == {lists.offers} and "Save preferences" in html


@pytest.mark.parametrize("status", [Status.HARD_BOUNCE, Status.UNSUBSCRIBED_BY_ADMIN])
def test_a_bounced_or_admin_unsubscribed_subscriber_cannot_change_anything(api, owner, sent, status):
    lists, received = sent
    ann = received["ann@example.com"]
    client, html = open_page(ann.page)
    set_status(owner.account, md5("ann@example.com"), status)
    blocked = Client().get(ann.page).content.decode()
    assert "cannot be changed from this page" in blocked and 'name="action"' not in blocked
    if status == Status.HARD_BOUNCE:
        assert "could not be delivered" in blocked
    before = quantities()
    for action, chosen in (("resubscribe", [lists.weekly]), ("save", [lists.offers]), ("unsubscribe", [])):
        # The form was rendered before the change of status: the service checks again.
        response = client.post(ann.page, {"form": form_value(html), "action": action, "list": chosen})
        assert response.status_code == 409, action
        assert status_of("ann@example.com") == status
    assert quantities() == before
    assert memberships("ann@example.com") == {lists.weekly, lists.internal}


def test_a_crafted_post_never_touches_a_list_that_is_not_public(sent):
    lists, received = sent
    bob, ann = received["bob@example.com"], received["ann@example.com"]
    submit(bob.page, "save", [lists.weekly, lists.internal, 999999, -1])
    assert memberships("bob@example.com") == {lists.weekly}
    submit(ann.page, "save", [])
    assert memberships("ann@example.com") == {lists.internal}
    client, html = open_page(bob.page)
    response = client.post(bob.page, {"form": form_value(html), "action": "save", "list": ["x", "1e3", "٣", ""]})
    assert response.status_code == 200 and memberships("bob@example.com") == set()


def test_an_inactive_public_list_is_not_shown(api, sent):
    lists, received = sent
    api.put(f"/accounts/{api.owner.name}/lists/{lists.offers}", {"name": "Offers", "active": False})
    assert shown(Client().get(received["ann@example.com"].page).content.decode()) == {lists.weekly}


def forgeries(token: str) -> list[str]:
    head, signature = token.split(".")
    flip = {**dict.fromkeys("123456789abcdefghijklmnopqrstuvwxyz", "0"), "0": "1"}
    other = {**dict.fromkeys("BCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", "A"), "A": "B"}
    return [
        f"{head[:-1]}{flip[head[-1]]}.{signature}",
        f"{head}.{signature[:-1]}{other[signature[-1]]}",
        f"{head}.",
        "garbage",
        f"{head}.{signature}x",
        "%00." + signature,
        "9" * 500 + "." + signature,
        "pv-garbage.AAAAAAAAAAAAAAAAAAAA",
    ]


def test_forged_tokens_get_a_clear_page(sent):
    _lists, received = sent
    ann = received["ann@example.com"]
    token = ann.page.removeprefix("/p/")
    links_token = make_token(ann.message.pk)
    for forged in [*forgeries(token), links_token]:
        for response in (Client().get(f"/p/{forged}"), Client().post(f"/p/{forged}", {"action": "unsubscribe"})):
            assert response.status_code == 404, forged
            assert "This link is not valid" in response.content.decode()
    # Neither token opens the other's page.
    assert Client().get(f"/u/{token}").status_code == 404
    assert status_of("ann@example.com") == Status.ACTIVE


def test_a_single_email_has_no_preference_page(api, owner, sent):
    _, received = sent
    ann = received["ann@example.com"]
    Message.objects.filter(pk=ann.message.pk).update(campaign=None)  # as a single email's message would be
    assert Client().get(ann.page).status_code == 404


def test_a_post_that_did_not_come_from_the_page_changes_nothing(sent):
    _lists, received = sent
    ann = received["ann@example.com"]
    client, html = open_page(ann.page)
    value = form_value(html)
    attempts = [
        ({"action": "unsubscribe"}, {}),  # blind: no hidden value
        ({"action": "unsubscribe", "form": value[:-1] + "x"}, {}),
        ({"action": "unsubscribe", "form": value}, {"HTTP_ORIGIN": "https://evil.example"}),
        ({"action": "unsubscribe", "form": value}, {"HTTP_SEC_FETCH_SITE": "cross-site"}),
    ]
    for data, headers in attempts:
        response = client.post(ann.page, data, **headers)
        assert response.status_code == 403 and "Nothing was changed" in response.content.decode(), (data, headers)
    assert status_of("ann@example.com") == Status.ACTIVE
    # The form of another message's page is not this one's.
    bob_value = form_value(open_page(received["bob@example.com"].page)[1])
    assert client.post(ann.page, {"action": "unsubscribe", "form": bob_value}).status_code == 403
    # From the page itself (its own origin): done.
    response = client.post(ann.page, {"action": "save", "form": value}, HTTP_ORIGIN=BASE_URL)
    assert response.status_code == 200
    assert client.post(ann.page, {"action": "dance", "form": value}).status_code == 400


def test_an_old_link_may_leave_lists_but_not_join_them(settings, sent):
    lists, received = sent
    ann = received["ann@example.com"]
    old = timezone.now() - timedelta(days=settings.PREFERENCES_SUBSCRIBE_DAYS + 1)
    Message.objects.filter(pk=ann.message.pk).update(sent_at=old)
    client, html = open_page(ann.page)
    assert "older email" in html
    assert f'value="{lists.offers}" disabled' in html
    refused = client.post(ann.page, {"form": form_value(html), "action": "save", "list": [lists.weekly, lists.offers]})
    assert refused.status_code == 409 and "too old" in refused.content.decode()
    assert memberships("ann@example.com") == {lists.weekly, lists.internal}
    assert client.post(ann.page, {"form": form_value(html), "action": "save", "list": []}).status_code == 200
    assert memberships("ann@example.com") == {lists.internal}
    assert client.post(ann.page, {"form": form_value(html), "action": "unsubscribe"}).status_code == 200
    value = form_value(html)
    html = Client().get(ann.page).content.decode()
    assert "can no longer subscribe you again" in html and "Subscribe again" not in html
    response = client.post(ann.page, {"form": value, "action": "resubscribe", "list": [lists.weekly]})
    assert response.status_code == 409 and status_of("ann@example.com") == Status.UNSUBSCRIBED_BY_USER


def test_an_erased_subscriber_gets_a_page_without_actions(api, sent):
    _, received = sent
    ann = received["ann@example.com"]
    Message.objects.filter(pk=ann.message.pk).update(subscriber=None)  # as an erasure leaves it
    html = Client().get(ann.page).content.decode()
    assert "no longer on any list" in html and 'name="action"' not in html
    value = guard.form_value(ann.page.removeprefix("/p/"))
    assert Client().post(ann.page, {"form": value, "action": "unsubscribe"}).status_code == 409


def test_a_body_that_is_no_form_is_a_problem_not_a_500(sent):
    _, received = sent
    response = Client().post(received["ann@example.com"].page, "{}", content_type="application/json")
    assert response.status_code == 415


def test_a_previews_preference_link_shows_a_preview_page_and_changes_nothing(api, sent, smtp_server):
    lists, _ = sent
    campaign_id = create_campaign(api, [lists.weekly], name="Draft", html=HTML, text=TEXT)
    body = api.get(f"/accounts/{api.owner.name}/campaigns/{campaign_id}/preview").json()
    path = local(re.search(r'href="([^"]+/p/pv-[^"]+)"', body["html"]).group(1))
    assert f"Preferences: {BASE_URL}{path}" in body["text"]
    assert "This is a preview" in Client().get(path).content.decode()
    response = Client().post(path, {"action": "unsubscribe"})
    assert response.status_code == 200 and "This is a preview" in response.content.decode()
    assert status_of("ann@example.com") == Status.ACTIVE
    # A test send carries the same link.
    response = api.post(f"/accounts/{api.owner.name}/campaigns/{campaign_id}/test", {"emails": ["qa@example.com"]})
    assert response.status_code == 200, response.content
    text = smtp_server.to("qa@example.com")[0].parsed().get_body(("plain",)).get_content()
    assert f"Preferences: {BASE_URL}{path}" in text
