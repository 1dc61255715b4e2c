"""What recipients do with a message (open, click, unsubscribe) and what mail servers report later
(bounces, complaints): each recorded as an event with its time, in one transaction with the counters."""

from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from analytics.services import daily_add, hourly_add, link_add, utc_day
from campaigns.content import fill_link
from campaigns.counters import stats_add
from campaigns.events import bounced_later, clicked, complained, opened
from campaigns.models import Campaign, CampaignLink, Event, EventType, Message, MessageStatus
from campaigns.preview import is_preview_token, preview_link
from campaigns.recording import lock_task
from campaigns.tokens import read_message_id_header, read_preferences_token, read_token
from campaigns.variants import with_variant
from subscribers.models import Status, Subscriber
from subscribers.services import (
    subscriber_record_bounce,
    subscriber_record_open,
    subscriber_unsubscribe,
    suppression_add,
)
from tasks.services import task_progress_add

# A message of no campaign (a single email) keeps its numbered links and merge values with the app that sent
# it, which registers how to find them (message id → (links, values), or None): campaigns depends on no sender.
OwnLinks = Callable[[int], tuple[list[str], dict] | None]
_own_links: list[OwnLinks] = []


def own_links_register(lookup: OwnLinks) -> None:
    if lookup not in _own_links:
        _own_links.append(lookup)


def _own_links_of(message_id: int) -> tuple[list[str], dict] | None:
    return next(filter(None, (lookup(message_id) for lookup in _own_links)), None)


def message_for_token(token: str) -> Message | None:
    message_id = read_token(token)
    return None if message_id is None else Message.objects.filter(pk=message_id).first()


def message_for_preferences_token(token: str) -> Message | None:
    """The campaign message whose preference page ``token`` opens (preferences/), else None."""
    message_id = read_preferences_token(token)
    if message_id is None:
        return None
    return Message.objects.filter(pk=message_id, campaign_id__isnull=False).first()


def _event(message: Message, type: str, at, **extra) -> None:
    Event.objects.create(
        account_id=message.account_id, message_id=message.pk, campaign_id=message.campaign_id, type=type, at=at, **extra
    )


def _stats(message: Message, deltas: Counter, at, daily: Counter | None = None) -> None:
    """The campaign's counters and the account's daily ones (on the event's day, or as ``daily`` keys them)."""
    if message.campaign_id:
        stats_add(message.campaign_id, with_variant(deltas, message.variant))
    daily_add(message.account_id, message.campaign_id, utc_day(at), deltas if daily is None else daily)
    if message.campaign_id:
        hourly_add(message.campaign_id, at, deltas)


@transaction.atomic
def track_open(*, token: str) -> bool:
    message = message_for_token(token)
    if message is None:
        return False
    now = timezone.now()
    first = Message.objects.filter(pk=message.pk, opened_at__isnull=True).update(opened_at=now)
    _stats(message, Counter({"opens": 1, "uniqueOpens": first}), now)
    _event(message, EventType.OPEN, now)
    opened(message, first=bool(first))
    if message.subscriber_id:
        subscriber_record_open(subscriber_id=message.subscriber_id, at=now)
    return True


def _link_url(template: str, message: Message, own_values: dict | None = None) -> str:
    """A link target with its merge tags filled in for this recipient; a single email fills them from its own
    ``values``."""
    subscriber = message.subscriber if own_values is None and "{{" in template else None
    fields = own_values if own_values is not None else (subscriber.fields if subscriber else {})
    return fill_link(template, fields, message.to_email)


@transaction.atomic
def track_click(*, token: str, position: int, record: bool = True) -> str | None:
    """The URL to redirect to (only one of the message's campaign links), or None; ``record`` the click.
    A preview's or a test send's link redirects and records nothing."""
    if is_preview_token(token):
        return preview_link(token=token, position=position)
    message = message_for_token(token)
    if message is None:
        return None
    if message.campaign_id is None:  # a single email: its own numbered links
        own = _own_links_of(message.pk)
        if own is None or not 0 <= position < len(own[0]):
            return None
        links, values = own
        link = CampaignLink(position=position, url=links[position])
        url = _link_url(link.url, message, values)
    else:
        link = CampaignLink.objects.filter(campaign_id=message.campaign_id, position=position).first()
        if link is None:
            return None
        url = _link_url(link.url, message)
    if not record:
        return url
    now = timezone.now()
    # The message's row is locked first: its clicks are recorded one at a time, so "first click" (on any link,
    # and on this link's URL) is exact.
    clicked_at = Message.objects.select_for_update().filter(pk=message.pk).values_list("clicked_at", flat=True).get()
    if clicked_at is None:
        Message.objects.filter(pk=message.pk).update(clicked_at=now)
    first_on_url = not Event.objects.filter(message_id=message.pk, type=EventType.CLICK, url=link.url).exists()
    _stats(message, Counter({"clicks": 1, "uniqueClicks": int(clicked_at is None)}), now)
    if message.campaign_id:
        link_add(message.campaign_id, link.position, unique=first_on_url)
    _event(message, EventType.CLICK, now, url=link.url)
    clicked(message, link.url, first=clicked_at is None)
    return url


@transaction.atomic
def unsubscribe_by_token(*, token: str) -> Message | None:
    """The recipient asked (link, form or one-click POST): unsubscribed-by-user. Idempotent."""
    message = message_for_token(token)
    if message is None:
        return None
    unsubscribe_message(message=message)
    return message


@transaction.atomic
def unsubscribe_message(*, message: Message, reason: str | None = None) -> bool:
    """The recipient of ``message`` asked to stop (its unsubscribe link, or its preference page): the
    subscriber becomes unsubscribed-by-user, and the message's campaign counts the unsubscribe with an event.
    False when nothing changed (already unsubscribed)."""
    subscriber = Subscriber.objects.filter(pk=message.subscriber_id).first() if message.subscriber_id else None
    if subscriber is None:
        # A single email to an address that is no contact: the address is suppressed.
        if (
            message.campaign_id is None
            and message.to_email
            and suppression_add(account_id=message.account_id, email=message.to_email, reason="unsubscribed")
        ):
            now = timezone.now()
            _stats(message, Counter({"unsubscribes": 1}), now)
            _event(message, EventType.UNSUBSCRIBE, now)
            return True
        return False
    if reason is None:
        name = Campaign.objects.filter(pk=message.campaign_id).values_list("name", flat=True).first()
        reason = f"Unsubscribed from campaign '{name}'" if name else "Unsubscribed from an email"
    if subscriber_unsubscribe(subscriber=subscriber, reason=reason[:500], origin="user"):
        now = timezone.now()
        _stats(message, Counter({"unsubscribes": 1}), now)
        _event(message, EventType.UNSUBSCRIBE, now)
        return True
    return False


def _status(message_id: int) -> str | None:
    return Message.objects.filter(pk=message_id).values_list("status", flat=True).first()


def message_for_header(value: str) -> Message | None:
    message_id = read_message_id_header(value)
    return None if message_id is None else Message.objects.filter(pk=message_id).first()


@transaction.atomic
def report_delivery_problem(*, message: Message, type: str, detail: str, at) -> bool:
    """An asynchronous bounce or a complaint for a sent message; False when it was already recorded.

    A bounce can come before its sender recorded the message (a provider's webhook is quick): the message, still
    ``sending``, is recorded bounced here and counted in its campaign's task, and the sender's record, which
    writes only rows still ``sending``, leaves it so."""
    task_id = None
    if type != EventType.COMPLAINT and message.campaign_id and _status(message.pk) == MessageStatus.SENDING:
        # The task first, then the message: the order its sender records in.
        task_id = Campaign.objects.filter(pk=message.campaign_id).values_list("task_id", flat=True).first()
        if task_id:
            lock_task(task_id)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if type == EventType.COMPLAINT:
        if Event.objects.filter(message_id=message.pk, type=EventType.COMPLAINT).exists():
            return False
        _event(message, EventType.COMPLAINT, at, detail=detail[:1000])
        _stats(message, Counter({"complaints": 1}), at)
        subscriber = Subscriber.objects.filter(pk=message.subscriber_id).first() if message.subscriber_id else None
        if subscriber is not None:
            complained(message, subscriber)
            if subscriber.status == Status.ACTIVE:
                subscriber_unsubscribe(subscriber=subscriber, reason="Marked the email as spam", origin="user")
        return True
    if message.status not in (MessageStatus.SENT, MessageStatus.UNKNOWN, MessageStatus.SENDING):
        return False  # never delivered, or its bounce is already recorded (an unknown one was delivered after all)
    hard = type == EventType.HARD_BOUNCE
    status = MessageStatus.HARD_BOUNCE if hard else MessageStatus.SOFT_BOUNCE
    Message.objects.filter(pk=message.pk).update(status=status, smtp_response=detail[:1000])
    _event(message, type, at, detail=detail[:1000])
    bounced_later(message, type, detail)
    # The message moves from one outcome to another, so the outcome counters still add up to the recipients.
    previous = {MessageStatus.SENT: "sent", MessageStatus.UNKNOWN: "unknown"}.get(message.status)
    bounces = "hardBounces" if hard else "softBounces"
    # Daily: the bounce on its own day; the message no longer counts as sent on the day it was sent.
    daily = Counter({bounces: 1, (utc_day(message.sent_at or at), "sent"): -(previous == "sent")})
    _stats(message, Counter({bounces: 1, **({previous: -1} if previous else {})}), at, daily)
    if previous is None and task_id:  # one more of the task's messages is done
        task_progress_add(task_id=task_id, processed=1, failed=1, beat=False)
    if message.subscriber_id:
        subscriber_record_bounce(
            subscriber_id=message.subscriber_id, hard=hard, threshold=settings.SOFT_BOUNCE_THRESHOLD
        )
    return True


# --- What a provider reports (campaigns/provider_events.py) --------------------------------------------------


@transaction.atomic
def report_accepted(*, message: Message, at) -> bool:
    """The provider took the message: an ``unknown`` one (its call's answer was lost) was sent after all."""
    sent_at = message.claimed_at or at
    if not Message.objects.filter(pk=message.pk, status=MessageStatus.UNKNOWN).update(
        status=MessageStatus.SENT, sent_at=sent_at
    ):
        return False
    _stats(message, Counter({"sent": 1, "unknown": -1}), at, Counter({(utc_day(sent_at), "sent"): 1}))
    return True


@transaction.atomic
def report_open(*, message: Message, at, detail: str) -> bool:
    """The provider saw the message opened: counted only as its first open (our pixel saw none)."""
    if not Message.objects.filter(pk=message.pk, opened_at__isnull=True).update(opened_at=at):
        return False
    _stats(message, Counter({"opens": 1, "uniqueOpens": 1}), at)
    _event(message, EventType.OPEN, at, detail=detail)
    if message.subscriber_id:
        subscriber_record_open(subscriber_id=message.subscriber_id, at=at)
    return True


@transaction.atomic
def report_click(*, message: Message, url: str, at, detail: str) -> bool:
    """The provider saw a link clicked: counted only as the message's first click (our tracked links saw none).
    The provider reports the URL it saw: one of our tracked links (it wraps them) names the link clicked."""
    clicked_at = Message.objects.select_for_update().filter(pk=message.pk).values_list("clicked_at", flat=True).get()
    if clicked_at is not None:
        return False
    Message.objects.filter(pk=message.pk).update(clicked_at=at)
    position = _tracked_position(message, url)
    target = _link_target(message, position) if position is not None else None
    _stats(message, Counter({"clicks": 1, "uniqueClicks": 1}), at)
    if target is not None and message.campaign_id:
        link_add(message.campaign_id, position, unique=True)
    _event(message, EventType.CLICK, at, url=target or url[:2000] or None, detail=detail)
    return True


def _tracked_position(message: Message, url: str) -> int | None:
    """The position of this message's tracked link ``url`` (``…/t/c/{token}/{n}``), else None."""
    parts = urlsplit(url or "").path.rstrip("/").split("/")
    if len(parts) < 4 or parts[-4:-2] != ["t", "c"] or not parts[-1].isdigit():
        return None
    return int(parts[-1]) if read_token(parts[-2]) == message.pk else None


def _link_target(message: Message, position: int) -> str | None:
    if message.campaign_id is None:
        own = _own_links_of(message.pk)
        return own[0][position] if own is not None and position < len(own[0]) else None
    return (
        CampaignLink.objects.filter(campaign_id=message.campaign_id, position=position)
        .values_list("url", flat=True)
        .first()
    )
