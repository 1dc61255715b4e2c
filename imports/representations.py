from api.links import account_home, link, url
from lists.representations import list_href
from tasks.representations import task_href


def import_created_links(account_name: str, task_id: int, list_id: int) -> list[dict]:
    """The 202's links: the task created, how to cancel it, the list it fills."""
    cancel = url("task-cancel", account_name=account_name, task_id=task_id)
    return [
        link(task_href(account_name, task_id), "related /rels/task", "Created task"),
        link(cancel, "related /rels/cancel-task", "Cancel task"),
        link(list_href(account_name, list_id), "parent /rels/list", "Related list"),
        account_home(account_name),
    ]
