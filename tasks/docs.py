from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from tasks import (
    problems,  # noqa: F401  (the group's problem types, for /errors)
    registry,
)
from tasks.models import TaskStatus

TIME = {"type": ["string", "null"], "format": "date-time"}
COUNT = {"type": "integer", "minimum": 0}

profile(
    "task",
    "Task",
    {
        "description": "A background task (an import, or a campaign's sending, …) and the actions allowed now.",
        "type": "object",
        "required": ["taskId", "type", "status", "progress", "createdAt", "_links"],
        "properties": {
            "taskId": {"type": "integer"},
            "type": {"enum": registry.TYPES},
            "status": {"enum": TaskStatus.values},
            "progress": {
                "type": "object",
                "required": ["total", "processed", "succeeded", "failed", "percent"],
                "properties": {
                    "total": COUNT,
                    "processed": COUNT,
                    "succeeded": COUNT,
                    "failed": COUNT,
                    "percent": {"type": "number", "minimum": 0, "maximum": 100},
                },
            },
            "createdAt": {"type": "string", "format": "date-time"},
            "startedAt": TIME,
            "finishedAt": TIME,
            "heartbeatAt": TIME,
            "reason": {"type": ["string", "null"]},
            "result": {
                "type": "object",
                "description": " ".join(
                    f"{kind.title or kind.type}: {', '.join(kind.result_keys)}." for kind in registry.kinds()
                ),
                "properties": {key: COUNT for kind in registry.kinds() for key in kind.result_keys},
            },
            "errorsCount": COUNT,
            "_links": {"type": "array", "items": ref("link")},
        },
    },
)
profile(
    "tasks-collection", "Tasks collection", collection_schema("task", "A page of the account's tasks, newest first.")
)
profile(
    "task-error",
    "Task error",
    {
        "type": "object",
        "required": ["row", "emailAddress", "problem"],
        "properties": {
            "row": {"type": "integer", "minimum": 1},
            "emailAddress": {"type": "string"},
            "problem": {"type": "string"},
        },
    },
)
profile(
    "task-errors-collection",
    "Task errors",
    collection_schema("task-error", "A page of the rows a task could not process, in row order."),
)
AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
ACTION = ("404.1-not-found", "409.1-task-action-not-allowed", *AUTH)
rel(
    "tasks-collection",
    "Tasks",
    "A page of the account's tasks, newest first (filter `status`).",
    response_profile="tasks-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "task",
    "Task",
    "A task: type, status, progress, times, result and the actions allowed now.",
    response_profile="task",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "task-errors",
    "Task errors",
    "The rows a task could not process (`row`, `emailAddress`, `problem`), paginated; with "
    "`Accept: text/csv` the whole report as CSV.",
    response_profile="task-errors-collection",
    problems=("400.3-invalid-parameter", "404.1-not-found", *AUTH),
)
rel(
    "pause-task",
    "Pause a task",
    "POST: a queued or in-progress task pauses at the chunk in flight (an import rolls it back, to write it on start).",
    method="POST",
    response_profile="message",
    problems=ACTION,
)
rel(
    "start-task",
    "Start a task",
    "POST: a paused or failed task, or one whose worker died, is queued again and resumes from its checkpoint.",
    method="POST",
    response_profile="message",
    problems=ACTION,
)
rel(
    "stop-task",
    "Stop a task",
    "POST: the task ends at the chunk in flight (an import rolls it back), keeping what it did, as canceled (final).",
    method="POST",
    response_profile="message",
    problems=ACTION,
)
rel(
    "cancel-task",
    "Cancel a task",
    "POST: an alias of stop-task.",
    method="POST",
    response_profile="message",
    problems=ACTION,
)
model(
    "task",
    "Task",
    "A long job run in the background, of one of the kinds "
    + ", ".join(f"`{kind.type}` ({kind.title})" if kind.title else f"`{kind.type}`" for kind in registry.kinds())
    + ". Its row in the "
    "database is the truth; workers move it from queued to in-progress to done (or error), in chunks, "
    "recording a checkpoint and a heartbeat after each. A task whose worker died (stale heartbeat) is "
    "queued again automatically and resumes from its checkpoint, as `start` does.",
    profile="task",
)


def _task_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"task_id": "taskId"})


affordance(300, lambda account: url("task-collection", account_name=account), "/rels/tasks-collection", "Tasks")
affordance(301, _task_template("task-detail"), "/rels/task", "Task details", templated=True)
affordance(302, _task_template("task-errors"), "/rels/task-errors", "Task errors", templated=True)
affordance(303, _task_template("task-stop"), "/rels/stop-task", "Stop task", templated=True)
affordance(304, _task_template("task-pause"), "/rels/pause-task", "Pause task", templated=True)
affordance(305, _task_template("task-start"), "/rels/start-task", "Start task", templated=True)
affordance(306, _task_template("task-cancel"), "/rels/cancel-task", "Cancel task", templated=True)
