"""A sent campaign whose footer carries {{ preferencesUrl }}, received at a loopback SMTP server, and the
account's lists for the preference page: two public, one not."""

import re
from dataclasses import dataclass

from django.test import Client

from campaigns.models import Message
from lists.models import MailingList
from subscribers.models import Membership
from tests.campaigns.builders import BASE_URL, create_campaign, local, message_to, send, start
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import Paths, subscribed

HTML = """<html><body><p>Hi {{ firstName | friend }}</p>
<p><a href="https://shop.example.com/spring">Spring sale</a></p>
<p style="font-size:12px"><a href="{{ preferencesUrl }}">Manage your preferences</a>
 &middot; <a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>
</body></html>"""
TEXT = "Hi {{ firstName | friend }}\n\nPreferences: {{ preferencesUrl }}\nUnsubscribe: {{ unsubscribeUrl }}\n"


@dataclass
class Lists:
    weekly: int  # public, with a public name and description
    offers: int  # public
    internal: int  # not public: never shown, never changed by the page


@dataclass
class Received:
    email: str
    message: Message
    page: str  # the preference page's path, from the footer link of the HTML part
    text_page: str  # the same, from the text part
    unsubscribe: str


def make_list(api, name: str, **extra) -> int:
    response = api.post(Paths(api.owner).lists, {"name": name, **extra})
    assert_hypermedia(response, 201, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def account_lists(api) -> Lists:
    return Lists(
        weekly=make_list(
            api, "weekly-2026", public=True, publicName="Weekly news", publicDescription="Our best stories, Fridays"
        ),
        offers=make_list(api, "Offers", public=True),
        internal=make_list(api, "Imported VIPs"),
    )


def send_campaign(api, smtp_server, list_ids: list[int], addresses: list[str]) -> dict[str, Received]:
    campaign_id = create_campaign(api, list_ids, name="Spring", html=HTML, text=TEXT)
    start(api, campaign_id)
    send()
    received = {}
    for address in addresses:
        (delivery,) = smtp_server.to(address)
        parsed = delivery.parsed()
        html = parsed.get_body(("html",)).get_content()
        text = parsed.get_body(("plain",)).get_content()
        page = re.search(r'href="([^"]+/p/[^"]+)"', html).group(1)
        text_page = re.search(r"Preferences: (\S+)", text).group(1)
        assert page.startswith(f"{BASE_URL}/p/")
        received[address] = Received(
            address,
            message_to(campaign_id, address),
            local(page),
            local(text_page),
            local(parsed["List-Unsubscribe"].strip("<>")),
        )
    return received


def setup(api, smtp_server, settings):
    """ann: weekly and internal; bob: weekly. The campaign goes to weekly."""
    settings.PUBLIC_BASE_URL = BASE_URL
    lists = account_lists(api)
    subscribed(api, lists.weekly, "ann@example.com", fields={"firstName": "Ann"})
    subscribed(api, lists.internal, "ann@example.com", status=200)
    subscribed(api, lists.weekly, "bob@example.com")
    return lists, send_campaign(api, smtp_server, [lists.weekly], ["ann@example.com", "bob@example.com"])


def memberships(email: str) -> set[int]:
    return set(Membership.objects.filter(subscriber__email=email).values_list("list_id", flat=True))


def quantities() -> dict[int, int]:
    return dict(MailingList.objects.values_list("pk", "subscribers_count"))


def ticked(html: str) -> set[int]:
    return {int(value) for value in re.findall(r'name="list" value="(\d+)" checked', html)}


def shown(html: str) -> set[int]:
    return {int(value) for value in re.findall(r'name="list" value="(\d+)"', html)}


def form_value(html: str) -> str:
    return re.search(r'name="form" value="([^"]+)"', html).group(1)


def open_page(path: str) -> tuple[Client, str]:
    client = Client()
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return client, response.content.decode()


def submit(path: str, action: str, lists=(), **headers):
    """Open the page, then POST its form as a browser would (the hidden value included)."""
    client, html = open_page(path)
    return client.post(path, {"form": form_value(html), "action": action, "list": [str(i) for i in lists]}, **headers)
