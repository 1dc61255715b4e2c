import csv
import io
from collections.abc import Iterable, Iterator

from api.cells import csv_cell
from api.formats import iso as _iso
from api.links import account_home, link, url
from api.pagination import PageParams, page_envelope
from tasks import registry
from tasks.states import allowed_actions

ACTION_LINKS = {
    "pause": ("/rels/pause-task", "Pause task"),
    "start": ("/rels/start-task", "Start task"),
    "stop": ("/rels/stop-task", "Stop task"),
    "cancel": ("/rels/cancel-task", "Cancel task"),
}


def task_href(account_name: str, task_id: int) -> str:
    return url("task-detail", account_name=account_name, task_id=task_id)


def tasks_href(account_name: str) -> str:
    return url("task-collection", account_name=account_name)


def errors_href(account_name: str, task_id: int) -> str:
    return url("task-errors", account_name=account_name, task_id=task_id)


def action_links(account_name: str, task, *, rel_prefix: str = "") -> list[dict]:
    """The actions allowed now; a collection item's carry the received `item` token (`item /rels/cancel-task`)."""
    return [
        link(url(f"task-{action}", account_name=account_name, task_id=task.pk), rel_prefix + rel, description)
        for action in allowed_actions(task)
        for rel, description in [ACTION_LINKS[action]]
    ]


def _summary(task) -> dict:
    return {
        "taskId": task.pk,
        "type": task.type,
        "status": task.status,
        "progress": {
            "total": task.total,
            "processed": task.processed,
            "succeeded": task.succeeded,
            "failed": task.failed,
            "percent": task.percent,
        },
        "createdAt": _iso(task.created_at),
    }


def task_item(account_name: str, task) -> dict:
    return {
        **_summary(task),
        "_links": [
            link(task_href(account_name, task.pk), "item /rels/task", "Task details"),
            *action_links(account_name, task, rel_prefix="item "),
        ],
    }


def task_detail(account_name: str, task) -> dict:
    href = task_href(account_name, task.pk)
    kind = registry.find(task.type)
    links = [
        link(href, "self /rels/task", "Task details"),
        link(errors_href(account_name, task.pk), "/rels/task-errors", "Task errors"),
    ]
    if kind is not None and kind.links is not None:
        links += kind.links(account_name, task)
    links += [
        link(tasks_href(account_name), "parent /rels/tasks-collection", "Tasks"),
        account_home(account_name),
        *action_links(account_name, task),
    ]
    return {
        **_summary(task),
        "startedAt": _iso(task.started_at),
        "finishedAt": _iso(task.finished_at),
        "heartbeatAt": _iso(task.heartbeat_at),
        "reason": task.reason,
        "result": kind.result_of(task) if kind is not None else dict(task.result or {}),
        "errorsCount": task.errors_count,
        "_links": links,
    }


def task_written_links(account_name: str, task_id: int) -> list[dict]:
    return [
        link(task_href(account_name, task_id), "related /rels/task", "Task details"),
        link(tasks_href(account_name), "parent /rels/tasks-collection", "Tasks"),
        account_home(account_name),
    ]


def tasks_page(account_name: str, tasks, total: int, params: PageParams, *, status: str | None) -> dict:
    return page_envelope(
        [task_item(account_name, task) for task in tasks],
        total,
        params,
        path=tasks_href(account_name),
        collection_rel="/rels/tasks-collection",
        affordances=[account_home(account_name, "parent /rels/account-home")],
        filters={"status": status},
    )


def task_errors_page(account_name: str, task, errors, total: int, params: PageParams) -> dict:
    return page_envelope(
        [{"row": error.row, "emailAddress": error.email, "problem": error.problem} for error in errors],
        total,
        params,
        path=errors_href(account_name, task.pk),
        collection_rel="/rels/task-errors",
        affordances=[
            link(task_href(account_name, task.pk), "parent /rels/task", "Task details"),
            account_home(account_name),
        ],
    )


def task_errors_csv(rows: Iterable[tuple]) -> Iterator[str]:
    """The whole error report ((row, email, problem) rows) as CSV text, in pieces of 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "emailAddress", "problem"])
    for number, (row, email, problem) in enumerate(rows):
        writer.writerow([row, csv_cell(email), csv_cell(problem)])
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def task_summary(task) -> list[str]:
    """A task as lines of text for an operator (show_task, import_subscribers): status, progress, result, errors."""
    account_name = task.account.name
    lines = [
        f"task {task.pk} ({task.type}) of {account_name}: {task.status}",
        f"progress: {task.percent:.1f}% ({task.processed} of {task.total})",
    ]
    kind = registry.find(task.type)
    result = kind.result_of(task) if kind is not None else dict(task.result or {})
    if result:
        lines.append("result: " + ", ".join(f"{name} {count}" for name, count in result.items()))
    if task.reason:
        lines.append(f"reason: {task.reason}")
    lines.append(
        f"row errors: {task.errors_count}, listed by GET {errors_href(account_name, task.pk)} "
        "(Accept: text/csv for the whole report)"
    )
    return lines
