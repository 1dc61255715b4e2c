"""The import task kind: a file of subscribers written into a list, chunk by chunk, by one runner."""

from api.links import link
from imports.models import IMPORT
from imports.runner import RESULT_KEYS, run_import
from lists.representations import list_href
from tasks.registry import TaskKind, register


def _links(account_name: str, task) -> list[dict]:
    if not task.list_id:
        return []
    return [link(list_href(account_name, task.list_id), "related /rels/list", "Related list")]


register(TaskKind(type=IMPORT, title="Imports", run=run_import, queue="imports", result_keys=RESULT_KEYS, links=_links))
