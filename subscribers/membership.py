"""Joining and leaving a list, with the consent record of each membership (subscribers' own module: the
services call it). On a double opt-in list joining writes only the consent record, the *pending* membership:
no ``Membership`` row until it is confirmed (subscribers/consents.py), so nothing counts it or sends to it."""

from dataclasses import dataclass

from django.utils import timezone

from lists.selectors import lists_double_opt_in
from lists.services import list_members_add
from subscribers import confirmations, sql
from subscribers.models import Consent, ConsentSource, Membership, Status, Subscriber

USER_AGENT_MAX = 500


@dataclass(frozen=True)
class ConsentRequest:
    """Where a subscription came from, for its consent record: ``source`` (api, form, import, admin) and the
    asking request's IP address and user agent, when there is one."""

    source: str
    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def of(cls, source: str, request=None) -> "ConsentRequest":
        if request is None:
            return cls(source)
        agent = (request.META.get("HTTP_USER_AGENT") or "")[:USER_AGENT_MAX] or None
        return cls(source, request.META.get("REMOTE_ADDR") or None, agent)


API = ConsentRequest(ConsentSource.API)


def membership_add(
    subscriber: Subscriber, list_id: int, *, new_subscriber: bool = False, consent: ConsentRequest | None = API
) -> None:
    """The membership, and its consent record from ``consent`` (None: the record exists, a confirmed one)."""
    now = timezone.now()
    if new_subscriber:  # created in this transaction: no membership can exist yet (every create: plain SQL)
        sql.insert_membership(list_id, subscriber.pk, now)
    elif not Membership.objects.get_or_create(list_id=list_id, subscriber=subscriber)[1]:
        return  # already in the list
    if consent is not None:
        sql.insert_consent(list_id, subscriber.pk, consent, now, double_opt_in=False)
    if subscriber.status == Status.ACTIVE:
        list_members_add(list_id=list_id, delta=1)


def membership_join(
    subscriber: Subscriber,
    list_id: int,
    consent: ConsentRequest,
    *,
    double_opt_in: bool,
    new_subscriber: bool = False,
) -> tuple[bool, Consent | None]:
    """Add the subscriber to the list, or, on a double opt-in list, write its pending membership: (pending, the
    consent whose confirmation is now due, if any). A member, or a pending one, stays as it is."""
    if not double_opt_in:
        membership_add(subscriber, list_id, new_subscriber=new_subscriber, consent=consent)
        return False, None
    if not new_subscriber and Membership.objects.filter(list_id=list_id, subscriber=subscriber).exists():
        return False, None
    requested, created = Consent.objects.get_or_create(
        list_id=list_id,
        subscriber=subscriber,
        defaults={
            "source": consent.source,
            "ip": consent.ip,
            "user_agent": consent.user_agent,
            "created_at": timezone.now(),
            "double_opt_in": True,
        },
    )
    return True, requested if created else None


def memberships_join(
    subscriber: Subscriber, list_ids, *, new_subscriber: bool = False, consent: ConsentRequest = API
) -> None:
    """A write naming lists (a contact's create, a PUT): each joined as ``subscription_request`` would; the
    confirmations due are queued."""
    double = lists_double_opt_in(list_ids=list_ids)
    for list_id in sorted(set(list_ids)):
        if list_id not in double:
            membership_add(subscriber, list_id, new_subscriber=new_subscriber, consent=consent)
            continue
        _, requested = membership_join(subscriber, list_id, consent, double_opt_in=True, new_subscriber=new_subscriber)
        if requested is not None:
            confirmations.send(requested)


def membership_remove(subscriber: Subscriber, list_id: int) -> bool:
    """The membership, or the pending one, and its consent record: whether there was either."""
    deleted, _ = Membership.objects.filter(list_id=list_id, subscriber=subscriber).delete()
    if deleted and subscriber.status == Status.ACTIVE:
        list_members_add(list_id=list_id, delta=-1)
    withdrawn, _ = Consent.objects.filter(list_id=list_id, subscriber=subscriber).delete()
    return bool(deleted or withdrawn)
