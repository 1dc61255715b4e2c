"""The event hub: what happened to an account's data, told to whoever registered to hear it (outgoing webhooks).

An app that changes something an account may subscribe to calls ``emit`` (or ``emit_many``) **inside the
transaction of the change**; the webhooks app registers the writer in its ``AppConfig.ready``: it writes the
event to its outbox in that same transaction, so a change that rolls back tells nobody, and one that commits is
told even if the process dies right after. Emitting apps never import the listener (import-linter: see
pyproject.toml), and ``api`` imports no feature app.

The hot paths (opens, clicks, a campaign's batches) emit for every message: ``wanted`` asks the writer first
whether the account has an enabled endpoint for that type (a per-process cached answer), and ``data`` may be a
callable, built only then. With no writer registered, or nobody subscribed, an event costs that one lookup.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

SUBSCRIBER_CREATED = "subscriber.created"
SUBSCRIBER_UPDATED = "subscriber.updated"
SUBSCRIBER_UNSUBSCRIBED = "subscriber.unsubscribed"
SUBSCRIBER_BOUNCED = "subscriber.bounced"
SUBSCRIBER_COMPLAINED = "subscriber.complained"
SUBSCRIBER_CONFIRMED = "subscriber.confirmed"
CAMPAIGN_STARTED = "campaign.started"
CAMPAIGN_PAUSED = "campaign.paused"
CAMPAIGN_SENT = "campaign.sent"
EMAIL_DELIVERED = "email.delivered"
EMAIL_BOUNCED = "email.bounced"
EMAIL_OPENED = "email.opened"
EMAIL_CLICKED = "email.clicked"
TASK_FINISHED = "task.finished"

# Every type an endpoint may subscribe to, in the order the documentation lists them.
TYPES: tuple[str, ...] = (
    SUBSCRIBER_CREATED,
    SUBSCRIBER_UPDATED,
    SUBSCRIBER_UNSUBSCRIBED,
    SUBSCRIBER_BOUNCED,
    SUBSCRIBER_COMPLAINED,
    SUBSCRIBER_CONFIRMED,
    CAMPAIGN_STARTED,
    CAMPAIGN_PAUSED,
    CAMPAIGN_SENT,
    EMAIL_DELIVERED,
    EMAIL_BOUNCED,
    EMAIL_OPENED,
    EMAIL_CLICKED,
    TASK_FINISHED,
)
_KNOWN = frozenset(TYPES)

Data = dict | Callable[[], dict]
Items = Iterable[dict] | Callable[[], Iterable[dict]]


@dataclass(frozen=True)
class Writer:
    """``subscribed(account_id)``: the event types the account has an enabled endpoint for (cheap: cached);
    ``write(account_id, type, items)``: the events, written in the caller's transaction."""

    subscribed: Callable[[int], frozenset[str]]
    write: Callable[[int, str, list[dict]], None]


_writers: list[Writer] = []


def writer_register(writer: Writer) -> None:
    if writer not in _writers:
        _writers.append(writer)


def _check(type: str) -> None:
    if type not in _KNOWN:
        raise LookupError(f"event type {type!r} is not declared in api.events.TYPES")


def wanted(account_id: int, type: str) -> bool:
    """Whether an event of ``type`` for the account would be written: build its data only then."""
    _check(type)
    return any(type in writer.subscribed(account_id) for writer in _writers)


def emit(account_id: int, type: str, data: Data) -> None:
    """One event, inside the transaction of the change; ``data`` (or what it returns) is its JSON object."""
    emit_many(account_id, type, lambda: [data() if callable(data) else data])


def emit_many(account_id: int, type: str, items: Items) -> None:
    """Events of one type for one account (a batch's messages), in one write; ``items`` may be a callable."""
    _check(type)
    listening = [writer for writer in _writers if type in writer.subscribed(account_id)]
    if not listening:
        return
    rows = list(items() if callable(items) else items)
    if rows:
        for writer in listening:
            writer.write(account_id, type, rows)
