"""Erasing a contact (DELETE /api/v1/contacts/{emailMd5}): the personal data goes, the counts stay.

The subscriber row is deleted (its address and fields with it); its campaign messages are kept with the
subscriber unset and ``to_email`` and the server's replies blanked (campaigns does that, told by the
``subscriber_erasing`` signal in the same transaction), so every campaign's counters and events are
unchanged. Its memberships go with the list counters moved in the same transaction, the status counters too, and a
``Suppression`` keyed by the address's MD5 stops an import (skipped) or a subscribe (409.2 unless
``resubscribe``) from bringing the address back by accident.
"""
from django.db import connection, transaction

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


def is_suppressed(account_id: int, email_md5: str) -> bool:
    with connection.cursor() as cursor:  # asked by every subscribe and create: plain SQL
        cursor.execute(f"SELECT 1 FROM {Suppression._meta.db_table} WHERE account_id = %s AND email_md5 = %s",
                       [account_id, email_md5])
        return cursor.fetchone() is not None


def suppression_lift(account_id: int, email_md5: str) -> None:
    Suppression.objects.filter(account_id=account_id, email_md5=email_md5).delete()
