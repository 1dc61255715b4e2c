"""The footer a campaign without a preference link of its own gets (CAMPAIGN_FOOTER, on by default; the rest of the
suite compares whole bodies with it off): where it goes, what it links to, and that a received message's footer
opens the subscriber's preference page."""

import re

import pytest
from django.test import Client

from campaigns.footer import with_footer
from campaigns.tokens import make_preferences_token, make_token
from tests.campaigns.builders import BASE_URL, create_campaign, local, message_to, send, start
from tests.preferences.builders import account_lists, ticked
from tests.subscribers.builders import subscribed

PREFERENCES = "{{ preferencesUrl }}"
UNSUBSCRIBE = "{{ unsubscribeUrl }}"


def test_the_footer_goes_before_the_end_of_the_body_with_both_links():
    html, text = with_footer("<html><body><p>Hi</p></body></html>", "Hi")
    assert html.startswith("<html><body><p>Hi</p><p ") and html.endswith("</p>\n</body></html>")
    assert f'href="{PREFERENCES}"' in html and f'href="{UNSUBSCRIBE}"' in html
    assert text == f"Hi\n\n-- \nManage your preferences: {PREFERENCES}\nUnsubscribe: {UNSUBSCRIBE}\n"


def test_without_a_body_the_footer_ends_the_html():
    html, _ = with_footer("<p>Hi</p>", "")
    assert html.startswith("<p>Hi</p>\n<p ") and html.endswith("</p>")


@pytest.mark.parametrize("tag", [PREFERENCES, "{{preferencesurl}}", "{{ PreferencesUrl | here }}"])
def test_content_with_its_own_preference_link_is_left_as_written(tag):
    html = f'<p><a href="{tag}">Prefs</a></p>'
    assert with_footer(html, f"Prefs: {tag}") == (html, f"Prefs: {tag}")


def test_an_unsubscribe_link_of_the_content_is_not_repeated():
    html, text = with_footer(f'<p><a href="{UNSUBSCRIBE}">Leave</a></p>', f"Leave: {UNSUBSCRIBE}")
    assert html.count(UNSUBSCRIBE) == 1 and PREFERENCES in html
    assert text.count(UNSUBSCRIBE) == 1 and text.endswith(f"Manage your preferences: {PREFERENCES}\n")


def test_an_empty_part_stays_empty():
    assert with_footer("", "  ") == ("", "  ")


def test_a_received_campaign_leads_to_the_preference_page_by_its_footer(api, smtp_server, settings):
    settings.CAMPAIGN_FOOTER = True
    settings.PUBLIC_BASE_URL = BASE_URL
    lists = account_lists(api)
    subscribed(api, lists.weekly, "ann@example.com", fields={"firstName": "Ann"})
    campaign_id = create_campaign(api, [lists.weekly], html="<html><body><p>Hi</p></body></html>", text="Hi")
    start(api, campaign_id)
    send()
    (delivery,) = smtp_server.to("ann@example.com")
    parsed = delivery.parsed()
    html = parsed.get_body(("html",)).get_content()
    text = parsed.get_body(("plain",)).get_content()
    message = message_to(campaign_id, "ann@example.com")
    page = f"{BASE_URL}/p/{make_preferences_token(message.pk)}"
    unsubscribe = f"{BASE_URL}/u/{make_token(message.pk)}"
    assert re.search(rf'<a href="{re.escape(page)}"[^>]*>Manage your preferences</a>', html)
    assert re.search(rf'<a href="{re.escape(unsubscribe)}"[^>]*>Unsubscribe</a>', html)
    assert f"Manage your preferences: {page}" in text and f"Unsubscribe: {unsubscribe}" in text
    response = Client().get(local(page))
    assert response.status_code == 200
    assert ticked(response.content.decode()) == {lists.weekly}


def test_off_the_content_goes_as_written(api, smtp_server, settings):
    settings.CAMPAIGN_FOOTER = False
    lists = account_lists(api)
    subscribed(api, lists.weekly, "ann@example.com")
    campaign_id = create_campaign(api, [lists.weekly], html="<p>Hi</p>", text="Hi")
    start(api, campaign_id)
    send()
    (delivery,) = smtp_server.to("ann@example.com")
    assert "/p/" not in delivery.parsed().as_string()
