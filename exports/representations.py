from api.links import account_home, link, url
from exports.tokens import link_expiry, make_token
from tasks.representations import task_href


def export_created_links(account_name: str, task_id: int) -> list[dict]:
    """The 202's links: the task created (its representation has the download link once done), how to cancel."""
    cancel = url("task-cancel", account_name=account_name, task_id=task_id)
    return [
        link(task_href(account_name, task_id), "related /rels/task", "Created task"),
        link(cancel, "related /rels/cancel-task", "Cancel task"),
        account_home(account_name),
    ]


def download_href(task_id: int, now: float | None = None) -> str:
    """A signed link to a finished export's file, valid at least EXPORT_LINK_SECONDS (exports.tokens)."""
    return url("export-download", token=make_token(task_id, link_expiry(now)))
