"""The import task kind: a file of subscribers written into a list, chunk by chunk, by one runner; and the
sweeper's deletion of the back office's expired staged uploads."""

import logging

from django.urls import reverse

from api.links import link
from imports.models import IMPORT
from imports.runner import RESULT_KEYS, run_import
from imports.selectors import imports_staged_pending
from imports.services import imports_staged_expire
from lists.representations import list_href
from tasks.registry import TaskKind, register, register_recovery

logger = logging.getLogger("tasks")


def _links(account_name: str, task) -> list[dict]:
    if not task.list_id:
        return []
    return [link(list_href(account_name, task.list_id), "related /rels/list", "Related list")]


def _back_office(task) -> tuple[str, str]:
    return f"its import into {task.list.name if task.list_id else 'a deleted list'}", reverse(
        "admin:imports_importtask_change", args=[task.pk]
    )


register(
    TaskKind(
        type=IMPORT,
        title="Imports",
        run=run_import,
        queue="imports",
        result_keys=RESULT_KEYS,
        links=_links,
        back_office=_back_office,
        scope="imports",
    )
)


def _expire_staged() -> None:
    if deleted := imports_staged_expire():
        logger.info("deleted %s expired staged import uploads", deleted)


# The back office's staged uploads are no task; the sweeper deletes them once expired.
register_recovery("staged-imports", _expire_staged, imports_staged_pending)
