"""An email as /api/v1/emails shows it: a campaign's message or a single email, with its ``_links``."""

from api.formats import iso as _iso
from api.links import link
from api.v1 import Collection, Page, Query, envelope
from campaigns.models import Event, EventType, Message, MessageStatus

PUBLIC_STATUS = {MessageStatus.HARD_BOUNCE: "bounced", MessageStatus.SOFT_BOUNCE: "bounced"}
EVENT_NAMES = {
    EventType.OPEN: "opened",
    EventType.CLICK: "clicked",
    EventType.UNSUBSCRIBE: "unsubscribed",
    EventType.HARD_BOUNCE: "bounced",
    EventType.SOFT_BOUNCE: "bounced",
    EventType.COMPLAINT: "complained",
}


def emails_href() -> str:
    return "/api/v1/emails"


def email_href(message_id: int) -> str:
    return f"/api/v1/emails/{message_id}"


def _single(message: Message):
    """The single email's content (None for a campaign's message, even one whose campaign was deleted)."""
    return getattr(message, "single", None) if message.campaign_id is None else None


def email_summary(message: Message) -> dict:
    single = _single(message)
    subject = single.subject if single else (message.campaign.subject if message.campaign else "")
    links = [link(email_href(message.pk), "self /rels/email", "This email")]
    if message.campaign_id:
        links.append(link(f"/api/v1/campaigns/{message.campaign_id}", "/rels/campaign", "Its campaign"))
    return {
        "emailId": message.pk,
        "to": message.to_email,
        "subject": subject,
        "campaignId": message.campaign_id,
        "status": PUBLIC_STATUS.get(message.status, message.status),
        "attempts": message.attempts,
        "createdAt": _iso(message.created_at),
        "sentAt": _iso(message.sent_at),
        "_links": links,
    }


def email_detail(message: Message, *, events: list[Event] | tuple = ()) -> dict:
    """``events``: the message's, oldest first (none for one just queued); the timeline starts with its send."""
    body = email_summary(message)
    timeline = []
    if message.sent_at:
        timeline.append({"type": "sent", "at": _iso(message.sent_at)})
    for event in events:
        item = {"type": EVENT_NAMES.get(event.type, event.type), "at": _iso(event.at)}
        if event.url:
            item["url"] = event.url
        if event.detail:
            item["detail"] = event.detail
        timeline.append(item)
    timeline.sort(key=lambda item: item["at"])
    single = _single(message)
    campaign = message.campaign
    body.update(
        fromName=single.from_name if single else campaign.from_name if campaign else "",
        fromEmail=single.from_email if single else campaign.from_email if campaign else "",
        events=timeline,
    )
    body["_links"].append(link(emails_href(), "collection /rels/emails-collection", "The account's emails"))
    return body


def emails_page(page: Page, collection: Collection, query: Query) -> dict:
    return envelope(
        [email_summary(row) for row in page.rows],
        page,
        collection,
        query,
        path=emails_href(),
        collection_rel="/rels/emails-collection",
    )
