"""Submitting an import: check the payload and the callback, store both, queue the task."""

from django.db import transaction

from api.problems import ApiProblem
from fields.selectors import field_types
from imports.models import IMPORT
from imports.problems import IMPORT_FILE_INVALID
from imports.sources import InvalidSource, Prepared, prepare
from tasks.callbacks import callback_check
from tasks.models import Task
from tasks.payload import payload_store
from tasks.services import enqueue_task, task_create


@transaction.atomic
def import_submit(
    *,
    account,
    mailing_list,
    fmt: str,
    data: bytes | None = None,
    prepared: Prepared | None = None,
    callback: str | None = None,
    enqueue: bool = True,
) -> Task:
    """Everything a worker needs is stored before this returns: any worker can run the import."""
    if callback:
        callback_check(callback)
    if prepared is None:
        known = {name for name, _ in field_types(account=account)}
        try:
            prepared = prepare(fmt, data, known)
        except InvalidSource as exc:
            raise ApiProblem(IMPORT_FILE_INVALID, str(exc)) from None
    task = task_create(
        account=account,
        type=IMPORT,
        list=mailing_list,
        total=prepared.total,
        source_format=prepared.format,
        source_options=prepared.options,
        callback_url=callback or None,
    )
    payload_store(task=task, data=prepared.data)
    if enqueue:
        enqueue_task(task)
    return task
