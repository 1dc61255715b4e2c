"""The import task kind: a file of subscribers written into a list, chunk by chunk, by one runner."""

from django.urls import reverse

from api.links import link
from imports.models import IMPORT
from imports.runner import RESULT_KEYS, run_import
from lists.representations import list_href
from tasks.registry import TaskKind, register


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
    )
)
