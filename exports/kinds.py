"""The export task kind: an account's subscribers or a campaign's report written as CSV or XLSX, page by page,
by one runner; and the sweeper's deletion of export files past their retention."""

import logging

from django.utils import timezone

from api.links import link
from exports.models import EXPORT, RESULT_KEYS
from exports.representations import download_href
from exports.runner import run_export
from exports.selectors import export_file_deleted_at, exports_pending
from exports.services import export_files_delete, exports_expire
from tasks.models import TaskStatus
from tasks.registry import TaskKind, register, register_recovery

logger = logging.getLogger("tasks")


def _kept(task) -> bool:
    deleted_at = export_file_deleted_at(task)
    return task.status == TaskStatus.DONE and deleted_at is not None and deleted_at > timezone.now()


def _links(account_name: str, task) -> list[dict]:
    if not _kept(task):
        return []
    fmt = task.source_format.upper()
    return [link(download_href(task.pk), "related /rels/export-file", f"Download the export ({fmt})")]


def _back_office(task) -> tuple[str, str] | None:
    if not _kept(task):
        return None
    return f"its file ({task.source_format.upper()}, {task.result.get('rows', 0)} rows): download", download_href(
        task.pk
    )


def _on_transition(task, previous: str) -> None:
    if task.status == TaskStatus.CANCELED:  # a canceled export leaves nothing behind
        export_files_delete(task=task)


register(
    TaskKind(
        type=EXPORT,
        title="Exports",
        run=run_export,
        queue="imports",  # bulk file work, beside imports: a send never waits behind an export
        result_keys=RESULT_KEYS,
        links=_links,
        back_office=_back_office,
        scope="exports",
        on_transition=_on_transition,
    )
)


def _expire_files() -> None:
    if deleted := exports_expire():
        logger.info("deleted %s pieces of export files past their retention", deleted)


# Files outlive their task's end by EXPORT_RETENTION_SECONDS; the sweeper deletes them then.
register_recovery("export-files", _expire_files, exports_pending)
