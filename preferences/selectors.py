"""What a preference page shows: whose it is, the account's public lists, which of them are ticked, and what the
subscriber may do from it."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from campaigns.models import Campaign, Message
from campaigns.tracking import message_for_preferences_token
from lists.models import MailingList
from lists.selectors import lists_public
from subscribers.models import Membership, Status, Subscriber

# What the page offers, by the subscriber's status.
CHANGEABLE = frozenset({Status.ACTIVE, Status.SOFT_BOUNCE})  # lists, and unsubscribe from everything
SELF_RESUBSCRIBABLE = frozenset({Status.UNSUBSCRIBED_BY_USER})  # they left themselves, so may come back
# Hard-bounced (the address does not take mail) and unsubscribed-by-admin (the account decided): the page explains,
# and changes nothing.


@dataclass
class Preferences:
    message: Message
    subscriber: Subscriber | None  # None: erased since the message was sent
    sender: str  # who the subscriber knows the emails from
    lists: list[MailingList]  # the account's public lists
    ticked: set[int]  # those the subscriber is in
    can_add: bool  # the link is recent enough to add subscriptions

    @property
    def mode(self) -> str:
        """gone, active (may change lists), unsubscribed (may resubscribe), or blocked (hard-bounce, admin)."""
        if self.subscriber is None:
            return "gone"
        if self.subscriber.status in CHANGEABLE:
            return "active"
        if self.subscriber.status in SELF_RESUBSCRIBABLE:
            return "unsubscribed"
        return "blocked"

    @property
    def email(self) -> str:
        return self.subscriber.email if self.subscriber else self.message.to_email


def subscribe_window() -> timedelta:
    return timedelta(days=settings.PREFERENCES_SUBSCRIBE_DAYS)


def preferences_of(token: str) -> Preferences | None:
    """The page of a valid preference token (a campaign message's), else None."""
    message = message_for_preferences_token(token)
    if message is None:
        return None
    campaign = Campaign.objects.filter(pk=message.campaign_id).values("from_name", "from_email").first() or {}
    subscriber = (
        Subscriber.objects.filter(pk=message.subscriber_id, account_id=message.account_id).first()
        if message.subscriber_id
        else None
    )
    lists = lists_public(account_id=message.account_id)
    ticked = set()
    if subscriber is not None and lists:
        ticked = set(
            Membership.objects.filter(subscriber=subscriber, list_id__in=[row.pk for row in lists]).values_list(
                "list_id", flat=True
            )
        )
    sent_at = message.sent_at or message.created_at
    return Preferences(
        message=message,
        subscriber=subscriber,
        sender=campaign.get("from_name") or campaign.get("from_email") or "the sender",
        lists=lists,
        ticked=ticked,
        can_add=timezone.now() - sent_at <= subscribe_window(),
    )


def masked(email: str) -> str:
    """``j***@e***.com``: enough for its owner to recognise, little for whoever the link was forwarded to."""
    local, _, domain = email.partition("@")
    name, dot, suffix = domain.rpartition(".")
    if not dot:
        name, suffix = domain, ""
    return f"{local[:1]}***@{name[:1]}***{dot}{suffix}"
