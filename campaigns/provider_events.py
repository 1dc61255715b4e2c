"""What an email service provider reports about a message it took: its event webhooks, normalised by anymail and
sent on ``anymail.signals.tracking`` (providers/ receives them), applied as the SMTP path's reports are.

The message is the one whose stored provider id (campaigns/provider.py) is the event's, else the one named by the
token in the event's metadata (each message carries its Message-ID's token there: an event still finds a message
whose call's answer was lost, which has no provider id). Then:

- queued, sent, delivered: the provider took it, so an ``unknown`` message is ``sent`` after all;
- bounced: a hard bounce, or a soft one where the provider says the failure was temporary; rejected (the provider
  will not send it: an address on its suppression list, or invalid) is a hard bounce, or a complaint or an
  unsubscribe when that is why; the same bounce handling as the bounce webhook (campaigns/tracking.py);
- complained: a complaint (an active subscriber is unsubscribed); unsubscribed: the subscriber unsubscribes;
- opened, clicked: counted only as the message's first open or click (``opened_at``, ``clicked_at``): our pixel
  and tracked links are in every message, so the provider's later ones are the same reader seen a second time;
- deferred, failed, autoresponded, subscribed, unknown: nothing (the provider retries a deferred one itself).

Each event's outcome: ``recorded``, ``already-recorded`` (nothing new: reports are idempotent, a provider may
post one again), ``ignored`` or ``unknown-message``.
"""

import logging

from anymail.signals import EventType as Anymail, RejectReason
from django.utils import timezone

from campaigns.models import EventType, Message, MessageStatus
from campaigns.provider import METADATA_KEY
from campaigns.tokens import read_message_id_header
from campaigns.tracking import (
    report_accepted,
    report_click,
    report_delivery_problem,
    report_open,
    unsubscribe_message,
)

logger = logging.getLogger("campaigns")
ACCEPTED = {Anymail.QUEUED, Anymail.SENT, Anymail.DELIVERED}
# SparkPost's bounce classes that are permanent (the others are temporary, blocks included).
SPARKPOST_HARD = {"10", "25", "30", "90"}


def message_reported(event) -> Message | None:
    """The message an event is about: by the provider's id, else by our token in its metadata."""
    provider_id = str(event.message_id or "")[:255]
    if provider_id:
        found = list(Message.objects.filter(provider_id=provider_id).order_by("-id")[:10])
        recipient = (event.recipient or "").lower()
        mine = [message for message in found if message.to_email.lower() == recipient] or found
        if mine:
            return mine[0]
    token = (event.metadata or {}).get(METADATA_KEY) if isinstance(event.metadata, dict) else None
    message_id = read_message_id_header(str(token)) if token else None
    message = Message.objects.filter(pk=message_id).first() if message_id is not None else None
    if message is not None and provider_id and not message.provider_id:
        Message.objects.filter(pk=message.pk, provider_id="").update(provider_id=provider_id)
    return message


def _raw(event) -> dict:
    raw = event.esp_event
    return raw if hasattr(raw, "get") else {}


def _temporary(esp_name: str, event) -> bool:
    """Whether the provider says a bounce was temporary (a soft bounce); anymail calls both ``bounced``."""
    raw = _raw(event)
    if esp_name == "Amazon SES":
        return (raw.get("bounce") or {}).get("bounceType") != "Permanent"
    if esp_name == "Postmark":
        return raw.get("Type") == "SoftBounce"
    if esp_name == "Brevo":
        return raw.get("event") == "soft_bounce"
    if esp_name == "SendGrid":
        return raw.get("type") == "blocked"
    if esp_name == "Mailjet":
        return raw.get("hard_bounce") is False
    if esp_name == "SparkPost":
        inner = next(iter((raw.get("msys") or {}).values()), {}) if isinstance(raw.get("msys"), dict) else {}
        return str(inner.get("bounce_class", "")) not in SPARKPOST_HARD
    return False


def _detail(esp_name: str, event) -> str:
    said = " ".join(str(part) for part in (event.description, event.mta_response) if part)
    return f"{esp_name}: {said}".strip().rstrip(":")[:1000]


def provider_event_record(*, esp_name: str, event) -> str:
    """Apply one anymail tracking event; its outcome (see the module's docstring)."""
    kind = event.event_type
    if kind not in ACCEPTED | {
        Anymail.BOUNCED,
        Anymail.REJECTED,
        Anymail.COMPLAINED,
        Anymail.UNSUBSCRIBED,
        Anymail.OPENED,
        Anymail.CLICKED,
    }:
        return "ignored"
    message = message_reported(event)
    if message is None:
        return "unknown-message"
    at = event.timestamp or timezone.now()
    done = _apply(esp_name, event, kind, message, at)
    if done is None:
        return "ignored"
    return "recorded" if done else "already-recorded"


def _apply(esp_name: str, event, kind: str, message: Message, at) -> bool | None:
    detail = _detail(esp_name, event)
    if kind in ACCEPTED:
        return message.status == MessageStatus.UNKNOWN and report_accepted(message=message, at=at)
    if kind == Anymail.REJECTED:
        reason = event.reject_reason
        if reason == RejectReason.SPAM:
            kind = Anymail.COMPLAINED
        elif reason == RejectReason.UNSUBSCRIBED:
            kind = Anymail.UNSUBSCRIBED
        elif reason in (RejectReason.BOUNCED, RejectReason.INVALID):
            return report_delivery_problem(message=message, type=EventType.HARD_BOUNCE, detail=detail, at=at)
        else:
            logger.info("%s rejected message %s (%s): nothing recorded", esp_name, message.pk, reason)
            return None
    if kind == Anymail.BOUNCED:
        soft = _temporary(esp_name, event)
        bounce = EventType.SOFT_BOUNCE if soft else EventType.HARD_BOUNCE
        return report_delivery_problem(message=message, type=bounce, detail=detail, at=at)
    if kind == Anymail.COMPLAINED:
        return report_delivery_problem(message=message, type=EventType.COMPLAINT, detail=detail, at=at)
    if kind == Anymail.UNSUBSCRIBED:
        return unsubscribe_message(message=message, reason=f"Unsubscribed through {esp_name}")
    if kind == Anymail.OPENED:
        return report_open(message=message, at=at, detail=f"reported by {esp_name}")
    return report_click(message=message, url=event.click_url or "", at=at, detail=f"reported by {esp_name}")


def provider_event_received(sender, event, esp_name: str, **kwargs) -> str:
    """The receiver of ``anymail.signals.tracking`` (connected in campaigns/apps.py): its answer is the outcome."""
    return provider_event_record(esp_name=esp_name, event=event)
