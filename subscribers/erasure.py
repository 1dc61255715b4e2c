"""Erasing a contact (DELETE /api/v1/contacts/{emailMd5}): the personal data goes, the counts stay.

The subscriber row is deleted (its address and fields with it); its memberships go with the list counters moved
in the same transaction, the status counters too, and a ``Suppression`` keyed by the address's MD5 stops an import
(skipped) or a subscribe (409.2 unless ``resubscribe``) from bringing the address back by accident.

Other apps' rows that name the subscriber (a campaign's messages and events) are theirs to forget: they hear
the ``subscriber_erasing`` signal (subscribers.signals), sent in the erasure's transaction before the row goes
(campaigns/ keeps its messages with the subscriber unset and the address blanked, so every campaign's counters
and events are unchanged).
"""

from django.db import transaction

from api.audit import record
from subscribers import sql
from subscribers.counters import list_counts_move, status_counts_move
from subscribers.models import Membership, Status, Subscriber, Suppression
from subscribers.signals import subscriber_erasing


@transaction.atomic
def contact_erase(*, subscriber: Subscriber) -> None:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Status.ACTIVE:
        list_counts_move(subscriber.pk, -1)
    status_counts_move(subscriber.account_id, subscriber.buckets, frozenset())
    Membership.objects.filter(subscriber_id=subscriber.pk).delete()
    subscriber_erasing.send(sender=Subscriber, subscriber_id=subscriber.pk)
    Suppression.objects.get_or_create(account_id=subscriber.account_id, email_md5=subscriber.email_md5)
    Subscriber.objects.filter(pk=subscriber.pk).delete()
    record(
        account_id=subscriber.account_id,
        action="subscriber.erase",
        object_type="subscriber",
        object_id=subscriber.email_md5,
    )


def is_suppressed(account_id: int, email_md5: str) -> bool:
    return sql.is_suppressed(account_id, email_md5)  # asked by every subscribe and create: plain SQL


def suppression_lift(account_id: int, email_md5: str) -> None:
    Suppression.objects.filter(account_id=account_id, email_md5=email_md5).delete()
