"""What subscribers tell the event hub (api.events), inside the transaction of each change: a subscriber
created, edited (an import's changed fields too), unsubscribed, bounced or confirmed. Each builds its data only
when the account listens."""

from api import events
from subscribers.models import UNSUBSCRIBED, Status, Subscriber
from subscribers.representations import subscriber_event

BOUNCED = frozenset({Status.HARD_BOUNCE, Status.SOFT_BOUNCE})
READ_BATCH = 500


def created(subscriber) -> None:
    events.emit(subscriber.account_id, events.SUBSCRIBER_CREATED, lambda: subscriber_event(subscriber))


def created_many(account_id: int, md5s: list[str], rows: list) -> None:
    """The subscribers a set-based import created (``md5s``), from its chunk's ``rows`` ((Email, fields) each)."""

    def data() -> list[dict]:
        staged = {email.md5: (email.address, fields) for email, fields in rows}
        return [
            {"emailAddress": staged[md5][0], "emailMd5": md5, "status": Status.ACTIVE, "fields": staged[md5][1]}
            for md5 in md5s
        ]

    events.emit_many(account_id, events.SUBSCRIBER_CREATED, data)


def updated(subscriber) -> None:
    events.emit(subscriber.account_id, events.SUBSCRIBER_UPDATED, lambda: subscriber_event(subscriber))


def updated_many(account_id: int, md5s: list[str]) -> None:
    """The existing subscribers whose fields a set-based import changed (``md5s``), as they are now."""
    if not md5s:
        return

    def data() -> list[dict]:
        found = []
        for start in range(0, len(md5s), READ_BATCH):  # bound parameters well under SQLite's limit
            rows = Subscriber.objects.filter(account_id=account_id, email_md5__in=md5s[start : start + READ_BATCH])
            found.extend(rows.only("email", "email_md5", "status", "fields"))
        return [subscriber_event(subscriber) for subscriber in sorted(found, key=lambda s: s.pk)]

    events.emit_many(account_id, events.SUBSCRIBER_UPDATED, data)


def status_changed(subscriber, previous: str) -> None:
    status = subscriber.status
    if status in UNSUBSCRIBED and previous not in UNSUBSCRIBED:
        events.emit(
            subscriber.account_id,
            events.SUBSCRIBER_UNSUBSCRIBED,
            lambda: subscriber_event(subscriber, reason=subscriber.unsubscribe_reason),
        )
    elif status in BOUNCED and previous != status:
        events.emit(subscriber.account_id, events.SUBSCRIBER_BOUNCED, lambda: subscriber_event(subscriber))


def confirmed(subscriber, list_id: int) -> None:
    events.emit(
        subscriber.account_id, events.SUBSCRIBER_CONFIRMED, lambda: subscriber_event(subscriber, listId=list_id)
    )
