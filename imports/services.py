"""Submitting an import: check the payload and the callback, store both, queue the task. In the back office a
file is staged first (``import_stage``): its preview is shown, and ``import_staged_start`` submits it."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.audit import record
from api.problems import NOT_FOUND, ApiProblem
from fields.selectors import field_types
from imports.models import IMPORT, StagedImport
from imports.preview import import_preview
from imports.problems import IMPORT_FILE_INVALID
from imports.runner import DOUBLE_OPT_IN
from imports.selectors import GONE, import_staged_get
from imports.sources import InvalidSource, Prepared, prepare
from subscribers.services import ConsentRequest
from tasks.callbacks import callback_check
from tasks.models import Task
from tasks.payload import payload_store
from tasks.queue import schedule_sweep
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
    double_opt_in: bool = False,
    consent: ConsentRequest | None = None,
) -> Task:
    """Everything a worker needs is stored before this returns: any worker can run the import.

    ``double_opt_in``: each address not yet in the list gets a pending membership and a confirmation email
    instead. ``consent``: the submitting request, whose IP address and user agent every consent record of the
    import keeps."""
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
        source_options={**prepared.options, **_asked(double_opt_in, consent)},
        callback_url=callback or None,
    )
    payload_store(task=task, data=prepared.data)
    if enqueue:
        enqueue_task(task)
    record(
        account_id=account.pk,
        action="import.submit",
        object_type="task",
        object_id=task.pk,
        details={"listId": mailing_list.pk, "format": prepared.format, "total": prepared.total},
    )
    return task


def _asked(double_opt_in: bool, consent: ConsentRequest | None) -> dict:
    asked = {DOUBLE_OPT_IN: True} if double_opt_in else {}
    if consent is not None and consent.ip:
        asked["requestIp"] = consent.ip
    if consent is not None and consent.user_agent:
        asked["requestUserAgent"] = consent.user_agent
    return asked


@transaction.atomic
def import_stage(*, mailing_list, user, fmt: str, file_name: str, data: bytes) -> StagedImport:
    """Keep an uploaded file, with its preview, for ``user`` to start or cancel; nothing is queued. The sweeper is
    armed: it deletes the file once expired if nobody does."""
    imports_staged_expire()  # abandoned uploads go at the latest with the next one
    types = dict(field_types(account=mailing_list.account))
    staged = StagedImport.objects.create(
        account=mailing_list.account,
        list=mailing_list,
        user=user,
        file_name=file_name[:255],
        format=fmt,
        size=len(data),
        data=data,
        preview=import_preview(fmt, data, types),
        expires_at=timezone.now() + timedelta(seconds=settings.IMPORT_STAGED_SECONDS),
    )
    schedule_sweep()
    return staged


@transaction.atomic
def import_staged_start(*, staged_id, user) -> Task:
    """Submit a staged file as the API submits one (checked again: the account's fields may have changed), once:
    the staged row is locked and deleted with the submission, so a second start finds nothing."""
    staged = import_staged_get(staged_id=staged_id, user=user, lock=True)
    problems = staged.preview.get("problems")
    if problems:  # seen in the preview (a big workbook's header too, which the API leaves to the job)
        raise ApiProblem(IMPORT_FILE_INVALID, problems[0])
    task = import_submit(account=staged.account, mailing_list=staged.list, fmt=staged.format, data=bytes(staged.data))
    staged.delete()
    return task


def import_staged_cancel(*, staged_id, user) -> None:
    deleted, _ = StagedImport.objects.filter(pk=staged_id, user=user).delete()
    if not deleted:
        raise ApiProblem(NOT_FOUND, GONE)


def imports_staged_expire() -> int:
    """Delete the staged uploads past their expiry; how many."""
    deleted, _ = StagedImport.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
