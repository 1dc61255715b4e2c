from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from tasks.models import Task, TaskError
from tasks.services import task_count


def task_get(*, account, task_id: int) -> Task:
    task = Task.objects.filter(account=account, pk=task_id).first()
    if task is None:
        raise ApiProblem(NOT_FOUND, f"The account has no task {task_id}.")
    return task


def task_get_by_id(*, task_id: int) -> Task:
    return Task.objects.get(pk=task_id)


def task_page(
    *, account, status: str | None, params: PageParams, types: list[str] | None = None
) -> tuple[list[Task], int]:
    """``types``: only tasks of those kinds (a key that reaches some areas only), counted then; None: every kind, as
    the counters count them."""
    rows = Task.objects.filter(account=account)
    if status:
        rows = rows.filter(status=status)
    if types is None:
        total = task_count(account=account, status=status)
    else:
        rows = rows.filter(type__in=types)
        total = rows.count()  # a limited key's view: the account's counters count every kind
    return page_slice(rows.order_by("-id"), total, params), total


def task_error_page(*, task: Task, params: PageParams) -> tuple[list[TaskError], int]:
    return page_slice(TaskError.objects.filter(task=task).order_by("row"), task.errors_count, params), task.errors_count


def task_errors_all(*, task: Task):
    return TaskError.objects.filter(task=task).order_by("row").values_list("row", "email", "problem").iterator(2000)


def task_find(*, task_id: int) -> Task | None:
    """The task ``task_id`` of any account (the operator's commands), or None."""
    return Task.objects.select_related("account").filter(pk=task_id).first()
