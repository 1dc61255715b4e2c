"""The double opt-in lifecycle of consent records (a public module: the confirmation app, signup forms).

``subscribers.services.subscription_request`` writes a pending consent on a double opt-in list and asks the
registered sender (``confirmation_sender_register``) for its confirmation email; here the link confirms it
(``consent_confirm``: the membership is made, counted and sent to from then on), the sender marks what it
queued (``consent_sent``), claims an import's due ones (``consents_due_claim``), and the sweeper expires those
never confirmed (``consents_expire``: deleted, nothing kept of someone who did not agree).
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from subscribers import confirmations, events, sql
from subscribers.membership import USER_AGENT_MAX, membership_add
from subscribers.models import Consent, Membership, Subscriber


def confirmation_sender_register(*, send: Callable[[Consent], None], due: Callable[[int], None]) -> None:
    """The app that sends confirmation emails registers how (from its ``AppConfig.ready``): ``send(consent)``
    queues one pending consent's email in the caller's transaction, ``due(list_id)`` hears that an import left
    pending consents of the list waiting for theirs."""
    confirmations.register(send=send, due=due)


def request_stamp(consent: Consent) -> int:
    """The request a consent row records, as a number a link can carry: its time in microseconds."""
    return round(consent.created_at.timestamp() * 1_000_000)


def _consent_locked(consent_id: int) -> Consent | None:
    """The consent row, locked after its subscriber's (the order every subscriber write takes)."""
    subscriber_id = Consent.objects.filter(pk=consent_id).values_list("subscriber_id", flat=True).first()
    if subscriber_id is None:
        return None
    Subscriber.objects.select_for_update().filter(pk=subscriber_id).values_list("pk").first()
    return Consent.objects.select_for_update().filter(pk=consent_id).first()


CONFIRMED, ALREADY, GONE = "confirmed", "already-confirmed", "gone"


@transaction.atomic
def consent_confirm(*, consent_id: int, stamp: int, ip: str | None, user_agent: str | None) -> str:
    """The confirmation link was followed: the pending membership becomes a membership (counted, sent to) and
    the consent record says when and from where. ``stamp`` names the request the link was made for
    (``request_stamp``): a link of an earlier, lapsed request confirms nothing. CONFIRMED, ALREADY (nothing
    changes) or GONE."""
    consent = _consent_locked(consent_id)
    if consent is None or request_stamp(consent) != stamp:
        return GONE
    if not consent.pending:
        return ALREADY
    subscriber = Subscriber.objects.get(pk=consent.subscriber_id)  # locked already
    consent.confirmed_at = timezone.now()
    consent.confirm_ip = ip
    consent.confirm_user_agent = (user_agent or "")[:USER_AGENT_MAX] or None
    consent.save(update_fields=["confirmed_at", "confirm_ip", "confirm_user_agent"])
    membership_add(subscriber, consent.list_id, consent=None)
    events.confirmed(subscriber, consent.list_id)
    return CONFIRMED


def consent_sent(*, consent: Consent) -> int:
    """A confirmation email was queued for ``consent`` (in the caller's transaction): its round, which names
    the email's idempotency key."""
    consent.sends += 1
    consent.sent_at = timezone.now()
    Consent.objects.filter(pk=consent.pk).update(sends=consent.sends, sent_at=consent.sent_at)
    return consent.sends


def consents_due_claim(*, list_id: int | None, limit: int) -> list[Consent]:
    """Inside a transaction: up to ``limit`` pending consents whose confirmation was never sent (an import's),
    locked past other senders."""
    rows = Consent.objects.filter(double_opt_in=True, confirmed_at__isnull=True, sent_at__isnull=True)
    if list_id is not None:
        rows = rows.filter(list_id=list_id)
    return list(
        rows.select_for_update(skip_locked=True, of=("self",)).select_related("subscriber").order_by("pk")[:limit]
    )


def consents_expire(*, before: datetime, limit: int = 10_000) -> int:
    """Delete pending consents whose last confirmation email went before ``before`` (or, never sent, that were
    asked before it): the request lapsed and nothing is kept of it. How many went (at most ``limit`` a call)."""
    return sql.expire_pending(before, limit)


def membership_pending(*, subscriber: Subscriber, list_id: int) -> Consent | None:
    return Consent.objects.filter(
        subscriber=subscriber, list_id=list_id, double_opt_in=True, confirmed_at__isnull=True
    ).first()


def is_member(*, subscriber: Subscriber, list_id: int) -> bool:
    return Membership.objects.filter(subscriber=subscriber, list_id=list_id).exists()


def consent_find(*, consent_id: int) -> Consent | None:
    return Consent.objects.filter(pk=consent_id).first()


def _pending():
    return Consent.objects.filter(double_opt_in=True, confirmed_at__isnull=True)


def consents_pending_exist() -> bool:
    """Whether any membership waits for its confirmation (the sweeper keeps running to expire it)."""
    return _pending().exists()


def consents_due_exist(*, asked_before: datetime) -> bool:
    """Whether a pending consent asked before then still has no email (its job was lost)."""
    return _pending().filter(sent_at__isnull=True, created_at__lt=asked_before).exists()
