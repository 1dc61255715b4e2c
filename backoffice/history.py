"""A subscriber's history for the back office: the messages it was sent and what happened to them (opens,
clicks, unsubscribes, bounces, complaints), newest first, from the campaigns' rows."""

from dataclasses import dataclass
from datetime import datetime

from campaigns.models import Event, Message

SHOWN = 100


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    campaign: str
    detail: str


def subscriber_history(subscriber) -> list[Entry]:
    """The newest SHOWN entries: each message sent (or its final status) and each event of its messages."""
    messages = list(
        Message.objects.filter(account_id=subscriber.account_id, subscriber_id=subscriber.pk)
        .select_related("campaign")
        .order_by("-id")[:SHOWN]
    )
    names = {message.pk: message.campaign.name if message.campaign else "single email" for message in messages}
    entries = [
        Entry(message.sent_at or message.created_at, message.status, names[message.pk], message.smtp_response)
        for message in messages
    ]
    events = Event.objects.filter(account_id=subscriber.account_id, message_id__in=list(names)).order_by("-at")
    entries += [
        Entry(event.at, event.type, names.get(event.message_id, ""), event.url or event.detail)
        for event in events[:SHOWN]
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:SHOWN]
