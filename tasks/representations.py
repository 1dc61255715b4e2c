from api.formats import iso as _iso
from api.links import account_home, link, url
from tasks.models import CAMPAIGN_RESULT_KEYS, IMPORT_RESULT_KEYS, TaskType
from tasks.services import allowed_actions

ACTION_LINKS = {"pause": ("/rels/pause-task", "Pause task"), "start": ("/rels/start-task", "Start task"),
                "stop": ("/rels/stop-task", "Stop task"), "cancel": ("/rels/cancel-task", "Cancel task")}


def task_href(account_name: str, task_id: int) -> str:
    return url("task-detail", account_name=account_name, task_id=task_id)


def tasks_href(account_name: str) -> str:
    return url("task-collection", account_name=account_name)


def errors_href(account_name: str, task_id: int) -> str:
    return url("task-errors", account_name=account_name, task_id=task_id)


def action_links(account_name: str, task) -> list[dict]:
    return [link(url(f"task-{action}", account_name=account_name, task_id=task.pk), *ACTION_LINKS[action])
            for action in allowed_actions(task)]


def _summary(task) -> dict:
    return {
        "taskId": task.pk,
        "type": task.type,
        "status": task.status,
        "progress": {"total": task.total, "processed": task.processed, "succeeded": task.succeeded,
                     "failed": task.failed, "percent": task.percent},
        "createdAt": _iso(task.created_at),
    }


def task_item(account_name: str, task) -> dict:
    return {**_summary(task), "_links": [link(task_href(account_name, task.pk), "item /rels/task", "Task details"),
                                         *action_links(account_name, task)]}


def task_detail(account_name: str, task) -> dict:
    href = task_href(account_name, task.pk)
    links = [link(href, "self /rels/task", "Task details"),
             link(errors_href(account_name, task.pk), "/rels/task-errors", "Task errors")]
    if task.type == TaskType.IMPORT and task.list_id:
        links.append(link(url("list-detail", account_name=account_name, list_id=task.list_id),
                          "related /rels/list", "Related list"))
    campaign_id = _campaign_id(task)
    if campaign_id:
        links.append(link(url("campaign-detail", account_name=account_name, campaign_id=campaign_id),
                          "related /rels/campaign", "Campaign being sent"))
    links += [link(tasks_href(account_name), "parent /rels/tasks-collection", "Tasks"), account_home(account_name),
              *action_links(account_name, task)]
    return {
        **_summary(task),
        "startedAt": _iso(task.started_at),
        "finishedAt": _iso(task.finished_at),
        "heartbeatAt": _iso(task.heartbeat_at),
        "reason": task.reason,
        "result": _result(task, campaign_id),
        "errorsCount": task.errors_count,
        "_links": links,
    }


def _campaign_id(task) -> int | None:
    if task.type != TaskType.CAMPAIGN_SEND:
        return None
    from campaigns.models import Campaign
    return Campaign.objects.filter(task_id=task.pk).values_list("pk", flat=True).first()


def _result(task, campaign_id: int | None) -> dict:
    """An import's outcome counts; a campaign's sending counters."""
    if task.type == TaskType.CAMPAIGN_SEND:
        from campaigns.selectors import campaign_stats
        stats = campaign_stats([campaign_id])[campaign_id] if campaign_id else {}
        return {key: stats.get(key, 0) for key in CAMPAIGN_RESULT_KEYS}
    return {key: task.result.get(key, 0) for key in IMPORT_RESULT_KEYS}


def task_written_links(account_name: str, task_id: int) -> list[dict]:
    return [link(task_href(account_name, task_id), "related /rels/task", "Task details"),
            link(tasks_href(account_name), "parent /rels/tasks-collection", "Tasks"),
            account_home(account_name)]
