"""task_chunk_record with chunks that commit out of order (an import's parallel writers): the checkpoint counts only
the items done without a gap; a chunk done beyond a gap waits in ``ahead`` until the checkpoint reaches it."""

from collections import Counter

from django.db import transaction

from tasks.models import Task
from tasks.services import task_chunk_record, task_create

KEYS = ("new",)


def _record(task_id: int, first: int | None, size: int) -> Task:
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task_id)
        added = Counter(new=size)
        task_chunk_record(task=locked, first=first, size=size, errors=[], result_add=added, result_keys=KEYS)
    return Task.objects.get(pk=task_id)


def test_the_checkpoint_moves_over_the_chunks_done_without_a_gap(owner):
    task = task_create(account=owner.account, type="import", total=100)
    steps = [(20, 10), (40, 10), (0, 20), (30, 10), (50, 50)]  # chunk [first, size], in the order they commit
    seen = [_record(task.pk, first, size) for first, size in steps]
    assert [(t.checkpoint, t.ahead) for t in seen] == [
        (0, [[20, 10]]),
        (0, [[20, 10], [40, 10]]),
        (30, [[40, 10]]),  # 0..19, then the 20..29 that waited
        (50, []),
        (100, []),
    ]
    assert [t.processed for t in seen] == [10, 20, 40, 50, 100]
    assert seen[-1].result == {"new": 100}


def test_without_a_first_item_a_chunk_starts_at_the_checkpoint(owner):
    task = task_create(account=owner.account, type="import", total=30)
    assert _record(task.pk, None, 10).checkpoint == 10
    assert _record(task.pk, None, 20).checkpoint == 30
