"""Shared helpers for the campaigns tests: URLs, payloads, sending, reading back."""

from urllib.parse import urlsplit

from django.test import TestCase

from campaigns.models import Campaign, Event, Message
from campaigns.sending import _write_recipients
from subscribers.models import Subscriber
from tasks.models import Task
from tests.helpers import action_links, assert_hypermedia
from tests.subscribers.builders import Paths, create_list, md5, subscribed
from tests.tasks.builders import run_jobs

FROM = "news@shop.example.com"
BASE_URL = "https://mail.example.com"
V1 = "/api/v1/campaigns"
ACTION_RELS = {
    "start": "/rels/start-campaign",
    "pause": "/rels/pause-campaign",
    "cancel": "/rels/cancel-campaign",
    "edit": "/rels/edit-campaign",
    "delete": "/rels/delete-campaign",
}


class CampaignPaths(Paths):
    def __init__(self, account_with_key):
        super().__init__(account_with_key)
        self.campaigns = f"{self.home}/campaigns"
        self.tasks = f"{self.home}/tasks"

    def campaign(self, campaign_id) -> str:
        return f"{self.campaigns}/{campaign_id}"

    def action(self, campaign_id, name) -> str:
        return f"{self.campaigns}/{campaign_id}/{name}"

    def task(self, task_id) -> str:
        return f"{self.tasks}/{task_id}"


def v1(campaign_id=None, action=None) -> str:
    return V1 + (f"/{campaign_id}" if campaign_id is not None else "") + (f"/{action}" if action else "")


# --- Payloads ------------------------------------------------------------------------------------


def campaign_body(lists=(), **overrides) -> dict:
    body = {
        "name": "Spring sale",
        "subject": "Hello {{ firstName | friend }}",
        "fromName": "Shop",
        "fromEmail": FROM,
        "html": "<html><body><p>Hi {{ firstName | friend }}</p></body></html>",
        "text": "Hi {{ firstName | friend }}",
        "lists": list(lists),
    }
    body.update(overrides)
    return body


# --- Writing -------------------------------------------------------------------------------------


def audience(api, count: int, name: str = "News", fields=None, prefix: str = "p") -> tuple[int, list[str]]:
    """A list with ``count`` active subscribers p0@example.com, p1@… (``fields(i)`` gives their fields)."""
    list_id = create_list(api, name)
    emails = [f"{prefix}{i}@example.com" for i in range(count)]
    for i, email in enumerate(emails):
        subscribed(api, list_id, email, fields=fields(i) if fields else None)
    return list_id, emails


def post(api, path: str, data=None):
    """A POST whose on-commit callbacks (enqueued jobs) run even inside the test's transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post(path, data)


def put(api, path: str, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.put(path, data)


def create_campaign(api, lists=(), **overrides) -> int:
    response = post(api, CampaignPaths(api.owner).campaigns, campaign_body(lists, **overrides))
    assert_hypermedia(response, 201, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def act(api, campaign_id, name, *, surface="accounts"):
    path = CampaignPaths(api.owner).action(campaign_id, name) if surface == "accounts" else v1(campaign_id, name)
    return post(api, path)


def start(api, campaign_id) -> dict:
    return assert_hypermedia(act(api, campaign_id, "start"), 200, "message")


def sender_joined(api, count: int) -> tuple[Campaign, Task]:
    """A campaign to ``count`` new subscribers, started, and a sender that joined it (task in progress, the
    recipients written) but has claimed nothing yet."""
    list_id, _ = audience(api, count)
    campaign_id = create_campaign(api, [list_id])
    start(api, campaign_id)
    campaign = Campaign.objects.get(pk=campaign_id)
    task = Task.objects.get(pk=campaign.task_id)
    Task.objects.filter(pk=task.pk).update(status="in-progress")
    _write_recipients(campaign, task)
    return campaign, task


def send() -> None:
    """Run the sender jobs (and what they queue) in this process until none is left."""
    run_jobs("sending", "default")


def sent_campaign(api, count: int = 3, fields=None, **overrides) -> tuple[int, int, list[str]]:
    """A campaign to ``count`` subscribers, started and sent: (campaign id, list id, emails)."""
    list_id, emails = audience(api, count, fields=fields)
    campaign_id = create_campaign(api, [list_id], **overrides)
    start(api, campaign_id)
    send()
    return campaign_id, list_id, emails


# --- Reading back --------------------------------------------------------------------------------


def get_campaign(api, campaign_id) -> dict:
    return assert_hypermedia(api.get(CampaignPaths(api.owner).campaign(campaign_id)), 200, "campaign")


def stats_of(api, campaign_id) -> dict:
    return get_campaign(api, campaign_id)["stats"]


def nonzero(stats: dict) -> dict:
    return {metric: count for metric, count in stats.items() if count}


def action_names(body: dict) -> list[str]:
    """The actions a campaign's ``_links`` offer, in order."""
    return [name for name, _ in action_links(body, ACTION_RELS)]


def campaign_row(campaign_id) -> Campaign:
    return Campaign.objects.get(pk=campaign_id)


def messages_of(campaign_id) -> dict[str, Message]:
    return {message.to_email: message for message in Message.objects.filter(campaign_id=campaign_id)}


def message_to(campaign_id, email: str) -> Message:
    return Message.objects.get(campaign_id=campaign_id, to_email=email)


def events_of(message: Message) -> list[tuple[str, str | None]]:
    return [(event.type, event.url) for event in Event.objects.filter(message_id=message.pk)]


def subscriber(account_with_key, email: str) -> Subscriber:
    return Subscriber.objects.get(account=account_with_key.account, email_md5=md5(email))


def local(url: str) -> str:
    """The path (and query) of a URL under PUBLIC_BASE_URL, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
