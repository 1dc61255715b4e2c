from collections import Counter

from django.db import connection

from api.counters import bump_buckets
from subscribers.models import Status, StatusCount

TABLE = StatusCount._meta.db_table


def status_counts_move(account_id: int, old: frozenset[str], new: frozenset[str]) -> None:
    deltas = Counter({bucket: -1 for bucket in old - new})
    deltas.update({bucket: 1 for bucket in new - old})
    status_counts_add(account_id, deltas)


def status_counts_add(account_id: int, deltas: Counter) -> None:
    bump_buckets(TABLE, ("account_id", "bucket"), account_id, deltas)


def subscriber_count(account_id: int, bucket: str | None) -> int:
    """Subscribers of the account in ``bucket`` (a status or never-open); all when None."""
    rows = StatusCount.objects.filter(account_id=account_id)
    if bucket is None:
        rows = rows.filter(bucket__in=Status.values)
    else:
        rows = rows.filter(bucket=bucket)
    return sum(rows.values_list("count", flat=True))


def list_counts_move(subscriber_id: int, delta: int) -> None:
    """The subscriber became active (+1) or stopped being active (-1): fix its lists' counts."""
    if delta == 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lists_list SET subscribers_count = subscribers_count + %s "
            "WHERE id IN (SELECT list_id FROM subscribers_membership WHERE subscriber_id = %s)",
            [delta, subscriber_id],
        )


def counters_recount(account_id: int) -> None:
    """Repair: recompute the account's status and list counters from the rows (set-based)."""
    from django.db.models import Count, Q

    from lists.models import MailingList
    from subscribers.models import NEVER_OPEN, Subscriber

    subscribers = Subscriber.objects.filter(account_id=account_id)
    counts = dict(subscribers.values_list("status").annotate(n=Count("id")))
    counts[NEVER_OPEN] = subscribers.filter(status=Status.ACTIVE, last_open_at__isnull=True).count()
    for bucket in [*Status.values, NEVER_OPEN]:
        StatusCount.objects.update_or_create(account_id=account_id, bucket=bucket,
                                             defaults={"count": counts.get(bucket, 0)})
    lists = MailingList.objects.filter(account_id=account_id).annotate(
        active_members=Count("memberships", filter=Q(memberships__subscriber__status=Status.ACTIVE)))
    for mailing_list in lists:
        if mailing_list.subscribers_count != mailing_list.active_members:
            MailingList.objects.filter(pk=mailing_list.pk).update(subscribers_count=mailing_list.active_members)
