"""The account's subscribers per status bucket (``StatusCount``) and, through the lists app, each list's active
members: moved in the transaction of every change, recounted from the rows only to repair."""

from collections import Counter

from django.db.models import Count, Q

from lists.selectors import list_ids_of
from lists.services import list_members_repair, lists_members_add
from subscribers.models import NEVER_OPEN, Membership, Status, StatusCount, Subscriber
from subscribers.sql import LISTS_OF_SUBSCRIBER


def status_counts_move(account_id: int, old: frozenset[str], new: frozenset[str]) -> None:
    deltas = Counter(dict.fromkeys(old - new, -1))
    deltas.update(dict.fromkeys(new - old, 1))
    status_counts_add(account_id, deltas)


def status_counts_add(account_id: int, deltas: Counter) -> None:
    StatusCount.add(account_id, deltas)


def subscriber_count(account_id: int, bucket: str | None) -> int:
    """Subscribers of the account in ``bucket`` (a status or never-open); all when None."""
    rows = StatusCount.objects.filter(account_id=account_id)
    rows = rows.filter(bucket__in=Status.values) if bucket is None else rows.filter(bucket=bucket)
    return sum(rows.values_list("count", flat=True))


def list_counts_move(subscriber_id: int, delta: int) -> None:
    """The subscriber became active (+1) or stopped being active (-1): its lists' counts, in one statement."""
    lists_members_add(delta=delta, list_ids_sql=LISTS_OF_SUBSCRIBER, params=[subscriber_id])


def counters_recount(account_id: int) -> None:
    """Repair: recompute the account's status and list counters from the rows (set-based)."""
    StatusCount.recount(
        Subscriber.objects.filter(account_id=account_id),
        account_id=account_id,
        buckets=Status.values,
        extra={NEVER_OPEN: Q(status=Status.ACTIVE, last_open_at__isnull=True)},
    )
    active = (
        Membership.objects.filter(list_id__in=list_ids_of(account_id=account_id), subscriber__status=Status.ACTIVE)
        .values_list("list_id")
        .annotate(n=Count("id"))
    )
    list_members_repair(account_id=account_id, counts=dict(active))


def subscriber_counts_recount(*, account) -> None:
    """``counters_recount`` as a repairer of ``manage.py recount_counters`` (api.counters)."""
    counters_recount(account.pk)
