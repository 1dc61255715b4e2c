"""Double opt-in helpers: a double opt-in list, subscribing through the API, running the jobs and reading the
confirmation link out of the email the loopback SMTP server received."""

import re

from django.test import Client, TestCase

from subscribers.models import Consent
from tests.campaigns.builders import local, send
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import Paths, md5

UA = "Mozilla/5.0 (X11; Linux x86_64) Consent-Test/1.0"


def create_double_list(api, name: str = "Weekly", **extra) -> int:
    response = api.post(Paths(api.owner).lists, {"name": name, "doubleOptIn": True, **extra})
    assert_hypermedia(response, 201, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def subscribe(api, list_id: int, email: str, **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post(
            Paths(api.owner).list_subscribers(list_id), {"emailAddress": email, **extra}, HTTP_USER_AGENT=UA
        )


def get_list(api, list_id: int) -> dict:
    return assert_hypermedia(api.get(Paths(api.owner).list(list_id)), 200, "list")


def get_subscriber(api, email: str) -> dict:
    return assert_hypermedia(api.get(Paths(api.owner).subscriber(md5(email))), 200, "subscriber")


def confirmation_links(smtp_server, email: str) -> list[str]:
    """The confirmation links of the emails ``email`` received (sent first: the jobs run here)."""
    send()
    links = []
    for delivery in smtp_server.to(email):
        text = delivery.parsed().get_body(("plain",)).get_content()
        links.append(local(re.search(r"https?://\S+/c/\S+", text).group(0)))
    return links


def consent_of(email: str, list_id: int) -> Consent:
    return Consent.objects.get(subscriber__email_md5=md5(email), list_id=list_id)


def browser() -> Client:
    return Client(HTTP_USER_AGENT="Browser/2.0", REMOTE_ADDR="203.0.113.7")
