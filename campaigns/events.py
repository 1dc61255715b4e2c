"""What campaigns tell the event hub (api.events), inside the transaction of each change: a campaign started,
paused or sent; a message delivered, bounced, opened or clicked; a subscriber's complaint. A campaign's batch
tells its outcomes in one write per type, and builds nothing when the account does not listen."""

from collections.abc import Callable, Iterable

from api import events
from campaigns.models import Campaign, CampaignStatus, Message, MessageStatus
from campaigns.outcomes import BOUNCES
from subscribers.representations import subscriber_event

CAMPAIGN_EVENTS = {
    CampaignStatus.SENDING: events.CAMPAIGN_STARTED,
    CampaignStatus.PAUSED: events.CAMPAIGN_PAUSED,
    CampaignStatus.SENT: events.CAMPAIGN_SENT,
}


def campaign_moved(campaign: Campaign, previous: str) -> None:
    """``campaign.started`` (from a draft, a schedule, or resumed), ``campaign.paused``, ``campaign.sent``."""
    type = CAMPAIGN_EVENTS.get(campaign.status)
    if type is None or campaign.status == previous:
        return
    events.emit(
        campaign.account_id,
        type,
        lambda: {
            "campaignId": campaign.pk,
            "name": campaign.name,
            "status": campaign.status,
            "previousStatus": previous,
        },
    )


def _message(message_id: int, campaign_id: int | None, to_email: str, **extra) -> dict:
    return {"messageId": message_id, "campaignId": campaign_id, "emailAddress": to_email, **extra}


def _bounce(status: str, code: int | None, response: str) -> dict:
    kind = "hard" if status == MessageStatus.HARD_BOUNCE else "soft"
    return {"bounce": kind, "detail": f"{code or ''} {response}".strip()[:1000]}


def outcomes_recorded(account_id: int, campaign_id: int | None, outcomes: Callable[[], Iterable[tuple]]) -> None:
    """``outcomes()``: (message id, address, Decision) of the messages whose attempt was just recorded; the sent ones
    are ``email.delivered``, the bounced ones ``email.bounced``. Those to retry tell nothing yet."""
    if not (events.wanted(account_id, events.EMAIL_DELIVERED) or events.wanted(account_id, events.EMAIL_BOUNCED)):
        return
    outcomes = list(outcomes())
    events.emit_many(
        account_id,
        events.EMAIL_DELIVERED,
        lambda: [_message(m, campaign_id, to) for m, to, d in outcomes if d.status == MessageStatus.SENT],
    )
    events.emit_many(
        account_id,
        events.EMAIL_BOUNCED,
        lambda: [
            _message(m, campaign_id, to, **_bounce(d.status, d.code, d.response))
            for m, to, d in outcomes
            if d.status in BOUNCES
        ],
    )


def bounced_later(message: Message, type: str, detail: str) -> None:
    """An asynchronous bounce report."""
    kind = "hard" if type == MessageStatus.HARD_BOUNCE else "soft"
    events.emit(
        message.account_id,
        events.EMAIL_BOUNCED,
        lambda: _message(message.pk, message.campaign_id, message.to_email, bounce=kind, detail=detail[:1000]),
    )


def opened(message: Message, first: bool) -> None:
    events.emit(
        message.account_id,
        events.EMAIL_OPENED,
        lambda: _message(message.pk, message.campaign_id, message.to_email, first=first),
    )


def clicked(message: Message, url: str, first: bool) -> None:
    events.emit(
        message.account_id,
        events.EMAIL_CLICKED,
        lambda: _message(message.pk, message.campaign_id, message.to_email, url=url, first=first),
    )


def complained(message: Message, subscriber) -> None:
    events.emit(
        message.account_id,
        events.SUBSCRIBER_COMPLAINED,
        lambda: subscriber_event(subscriber, messageId=message.pk, campaignId=message.campaign_id),
    )
