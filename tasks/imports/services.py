"""Submitting an import: check the payload and the callback, store both, queue the task."""
from django.db import transaction

from api.problems import ApiProblem
from fields.models import Field
from tasks.callbacks import callback_check
from tasks.imports.sources import InvalidSource, Prepared, prepare
from tasks.imports.storage import source_store
from tasks.jobs import enqueue_task
from tasks.models import Task, TaskType
from tasks.problems import IMPORT_FILE_INVALID
from tasks.services import task_create


@transaction.atomic
def import_submit(*, account, mailing_list, fmt: str, data: bytes | None = None, prepared: Prepared | None = None,
                  callback: str | None = None, enqueue: bool = True) -> Task:
    """Everything a worker needs is stored before this returns: any worker can run the import."""
    if callback:
        callback_check(callback)
    if prepared is None:
        known = set(Field.objects.filter(account=account).values_list("name", flat=True))
        try:
            prepared = prepare(fmt, data, known)
        except InvalidSource as exc:
            raise ApiProblem(IMPORT_FILE_INVALID, str(exc)) from None
    task = task_create(account=account, type=TaskType.IMPORT, list=mailing_list, total=prepared.total,
                       source_format=prepared.format, source_options=prepared.options, callback_url=callback or None)
    source_store(task=task, data=prepared.data)
    if enqueue:
        enqueue_task(task)
    return task
