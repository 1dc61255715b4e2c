from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer

from api.browsable import BrowsableHTMLRenderer
from api.openapi import responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.query import choice_param
from api.renderers import HypermediaJSONRenderer
from api.responses import hypermedia, message
from api.scopes import area_scope, grants, held_scopes, level_of
from api.views import AccountScopedView
from tasks import representations as rep
from tasks.models import Task, TaskStatus
from tasks.registry import find, kinds
from tasks.selectors import task_error_page, task_errors_all, task_get, task_page
from tasks.services import task_pause, task_start, task_stop


class TaskScopes:
    """A task belongs to its kind's area (``TaskKind.scope``): a request needs the scope of at least one kind's
    area to reach the tasks at all (checked by ``api.scopes``), then its own task's (``TaskView.task_for``)."""

    def scopes(self, method: str) -> tuple[str, ...]:
        level = level_of(method)
        return tuple(dict.fromkeys(area_scope(kind.scope, level) for kind in kinds()))


class TaskView(AccountScopedView):
    scope = TaskScopes()

    def task_for(self, task_id: int, level: str) -> Task:
        """The account's task ``task_id`` (404), if the key's scopes reach its kind's area at ``level`` (403.5)."""
        task = task_get(account=self.account, task_id=task_id)
        kind = find(task.type)
        self.require_scope(area_scope(kind.scope if kind else None, level))
        return task

    def readable_types(self) -> list[str] | None:
        """The kinds whose tasks the key may read; None: every kind."""
        held = held_scopes(self.request)
        every = kinds()
        types = [kind.type for kind in every if grants(held, area_scope(kind.scope, "read"))]
        return None if len(types) == len(every) else types


class TaskCollectionView(TaskView):
    @extend_schema(
        operation_id="tasks_list",
        parameters=[*PAGE_PARAMETERS, OpenApiParameter("status", str, enum=list(TaskStatus.values))],
        responses=responses({200: "tasks-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        status = choice_param(request, "status", TaskStatus.values)
        rows, total = task_page(account=self.account, status=status, params=params, types=self.readable_types())
        return hypermedia(rep.tasks_page(self.account.name, rows, total, params, status=status), "tasks-collection")


class TaskDetailView(TaskView):
    @extend_schema(operation_id="tasks_retrieve", responses=responses({200: "task"}, extra_problems=(404,)))
    def get(self, request, account_name, task_id):
        return hypermedia(rep.task_detail(self.account.name, self.task_for(task_id, "read")), "task")


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class TaskErrorsView(TaskView):
    renderer_classes = [HypermediaJSONRenderer, CsvRenderer, BrowsableHTMLRenderer]

    @extend_schema(
        operation_id="tasks_errors",
        parameters=PAGE_PARAMETERS,
        responses={
            **responses({200: "task-errors-collection"}, extra_problems=(400, 404)),
            (200, "text/csv"): {"type": "string"},
        },
    )
    def get(self, request, account_name, task_id):
        task = self.task_for(task_id, "read")
        if request.accepted_renderer.format == "csv":
            return self._csv(task)
        params = page_params(request)
        rows, total = task_error_page(task=task, params=params)
        return hypermedia(rep.task_errors_page(self.account.name, task, rows, total, params), "task-errors-collection")

    @staticmethod
    def _csv(task):
        response = StreamingHttpResponse(
            rep.task_errors_csv(task_errors_all(task=task)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="task-{task.pk}-errors.csv"'
        return response


class TaskActionView(TaskView):
    """POST …/tasks/{taskId}/{pause|start|stop|cancel}; subclasses name the action."""

    action_name = ""
    ACTIONS = {
        "pause": (task_pause, "Task paused"),
        "start": (task_start, "Task queued"),
        "stop": (task_stop, "Task canceled"),
        "cancel": (task_stop, "Task canceled"),
    }

    def post(self, request, account_name, task_id):
        service, text = self.ACTIONS[self.action_name]
        task = service(task=self.task_for(task_id, "write"))
        return message(text, rep.task_written_links(self.account.name, task.pk))


def task_action_view(name: str):
    @extend_schema(
        operation_id=f"tasks_{name}", request=None, responses=responses({200: "message"}, extra_problems=(404, 409))
    )
    def post(self, request, account_name, task_id):
        return TaskActionView.post(self, request, account_name, task_id)

    return type(f"Task{name.capitalize()}View", (TaskActionView,), {"action_name": name, "post": post})
