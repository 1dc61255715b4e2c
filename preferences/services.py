"""The preference page's writes: each is the subscribers' and campaigns' own services, run for the one subscriber
the token names, over the account's public lists only (a list that is not public is neither shown nor changed,
whatever a POST says)."""

from dataclasses import dataclass

from django.db import transaction

from campaigns.tracking import unsubscribe_message
from preferences.selectors import CHANGEABLE, SELF_RESUBSCRIBABLE, Preferences
from subscribers.emails import Email
from subscribers.models import Membership, Subscriber
from subscribers.services import subscriber_remove_from_list, subscriber_subscribe

UNSUBSCRIBE_REASON = "Unsubscribed on the preference page"


class Refused(Exception):
    """What the subscriber asked cannot be done from this page: the sentence says why."""


@dataclass(frozen=True)
class Changes:
    joined: list[int]
    left: list[int]


def _locked(preferences: Preferences, allowed: frozenset) -> Subscriber:
    """The subscriber's row, locked, in a status that allows the action (checked again under the lock: the
    page may have been rendered before a bounce or an admin's change)."""
    if preferences.subscriber is None:
        raise Refused("This address is no longer on any list.")
    subscriber = Subscriber.objects.select_for_update().get(pk=preferences.subscriber.pk)
    if subscriber.status not in allowed:
        raise Refused("Your subscriptions cannot be changed from this page.")
    return subscriber


def _apply(subscriber: Subscriber, preferences: Preferences, wanted: set[int], *, resubscribe: bool) -> Changes:
    by_id = {row.pk: row for row in preferences.lists}
    wanted = wanted & by_id.keys()
    # Read again under the lock: the page may be older than another change (a second tab, the API).
    current = set(
        Membership.objects.filter(subscriber=subscriber, list_id__in=list(by_id)).values_list("list_id", flat=True)
    )
    joining = sorted(wanted - current)
    if (joining or resubscribe) and not preferences.can_add:
        raise Refused("This link is too old to subscribe again: use the link in a more recent email.")
    leaving = sorted(current - wanted)
    for list_id in leaving:  # first: while unsubscribed they move no counter
        subscriber_remove_from_list(subscriber=subscriber, mailing_list=by_id[list_id])
    # Resubscribing goes through a subscribe with ``resubscribe`` (the subscriber becomes active again, the
    # counters of all its lists move), to a list joined now or else to one it is still in.
    subscribing = joining or sorted(wanted)[:1] if resubscribe else joining
    email, account = Email(address=subscriber.email, md5=subscriber.email_md5), subscriber.account
    for position, list_id in enumerate(subscribing):
        subscriber_subscribe(
            account=account,
            mailing_list=by_id[list_id],
            email=email,
            to_set={},
            to_unset=set(),
            resubscribe=resubscribe and position == 0,
        )
    return Changes(joined=joining, left=leaving)


@transaction.atomic
def preferences_save(*, preferences: Preferences, wanted: set[int]) -> Changes:
    """The subscriber's public lists become ``wanted`` (ids of other lists are ignored)."""
    subscriber = _locked(preferences, CHANGEABLE)
    return _apply(subscriber, preferences, wanted, resubscribe=False)


@transaction.atomic
def preferences_resubscribe(*, preferences: Preferences, wanted: set[int]) -> Changes:
    """An unsubscribed-by-user subscriber comes back, to the ``wanted`` public lists (at least one)."""
    subscriber = _locked(preferences, SELF_RESUBSCRIBABLE)
    if not wanted & {row.pk for row in preferences.lists}:
        raise Refused("Tick at least one list to subscribe again.")
    return _apply(subscriber, preferences, wanted, resubscribe=True)


@transaction.atomic
def preferences_unsubscribe(*, preferences: Preferences) -> bool:
    """Unsubscribe from everything, as the message's unsubscribe link does (the campaign counts it)."""
    _locked(preferences, CHANGEABLE)
    return unsubscribe_message(message=preferences.message, reason=UNSUBSCRIBE_REASON)
