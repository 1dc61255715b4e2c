"""The index of an indexed ("filterable") field, built and dropped by a job outside the request.

``CREATE INDEX CONCURRENTLY`` (subscribers/field_indexes.py) takes no lock that stops the subscribers' writes, but
it cannot run in a transaction and takes seconds on a million rows: a field's write sets ``index_status`` and queues
``field_index_sync`` on commit, which answers at once. The job gets the field's id only and makes the database
match the row as it is when the job runs (built if the field is indexed, dropped if it is not or is gone), so it is
safe to run twice, and jobs of one field run one at a time (a session advisory lock on PostgreSQL): the last one
queued, which waits for the others, sees the last write. The sweeper's round (fields/kinds.py) queues the job
again for a field left building (its job lost) and for an index whose field is no longer indexed.
"""

import contextlib
import logging
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from fields.models import Field, IndexStatus
from subscribers.field_indexes import field_index_build, field_index_drop, field_indexes
from tasks.queue import enqueue

logger = logging.getLogger("tasks")
LOCK_CLASS = 0x46494458  # "FIDX": the first key of the advisory lock, the field's id the second
# A field building longer than this without its index is asked for again (its job was lost, or failed).
RETRY_AFTER = timedelta(minutes=2)


@contextlib.contextmanager
def _one_at_a_time(field_id: int):
    if connection.vendor != "postgresql":  # SQLite writes one at a time anyway
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, field_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, field_id])


def field_index_sync(field_id: int) -> None:
    """The job: the field's index built (then ``ready``) if the field is indexed, dropped otherwise."""
    with _one_at_a_time(field_id):
        field = Field.objects.filter(pk=field_id).first()
        if field is not None and field.indexed:
            field_index_build(field_id=field.pk, account_id=field.account_id, name=field.name)
            # Only if it is still wanted: turned off meanwhile, the job queued then drops it.
            Field.objects.filter(pk=field_id, indexed=True).update(index_status=IndexStatus.READY)
        else:
            field_index_drop(field_id=field_id)


def field_index_queue(field_id: int) -> None:
    enqueue(field_index_sync, field_id)


def _waiting() -> tuple[list[int], list[int]]:
    """(fields left building past RETRY_AFTER, indexes whose field is gone or no longer indexed)."""
    present = field_indexes()
    indexed = set(Field.objects.filter(indexed=True).values_list("pk", flat=True))
    building = Field.objects.filter(
        indexed=True, index_status=IndexStatus.BUILDING, index_requested_at__lt=timezone.now() - RETRY_AFTER
    )
    return list(building.values_list("pk", flat=True)), sorted(set(present) - indexed)


def field_indexes_recover() -> None:
    """The sweeper's round: queue the job again for what is still waiting (each queuing moves the field's time)."""
    stale, orphans = _waiting()
    Field.objects.filter(pk__in=stale).update(index_requested_at=timezone.now())
    for field_id in [*stale, *orphans]:
        field_index_queue(field_id)
    if stale or orphans:
        logger.warning("field indexes queued again: building %s, to drop %s", stale, orphans)


def field_indexes_pending() -> bool:
    """Anything the sweeper must keep watching: a field building, or an index left to drop."""
    if Field.objects.filter(indexed=True, index_status=IndexStatus.BUILDING).exists():
        return True
    return bool(set(field_indexes()) - set(Field.objects.filter(indexed=True).values_list("pk", flat=True)))
