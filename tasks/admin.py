from django.contrib import admin
from django.http import StreamingHttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from api.admin import service_action
from api.scoping import AccountScopedAdmin
from tasks import registry
from tasks.models import Task
from tasks.representations import task_errors_csv
from tasks.selectors import task_errors_all
from tasks.services import task_pause, task_start, task_stop
from tasks.states import LIVE


@admin.register(Task)
class TaskAdmin(AccountScopedAdmin):
    list_display = ("id", "type", "status", "progress_bar", "account", "list", "created_at", "finished_at")
    list_filter = ("status", "type")
    search_fields = ("=id", "account__name")
    list_select_related = ("account", "list")
    actions = [
        service_action("pause", task_pause, description="Pause selected tasks", verb="Paused", noun="task"),
        service_action("resume", task_start, description="Resume (start) selected tasks", verb="Queued", noun="task"),
        service_action("stop", task_stop, description="Stop selected tasks", verb="Stopped", noun="task"),
    ]
    fields = (
        "account",
        "type",
        "works_on",
        "status",
        "progress_bar",
        "list",
        "total",
        "processed",
        "succeeded",
        "failed",
        "result",
        "errors_count",
        "error_report",
        "reason",
        "created_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "callback_url",
        "callback_status",
        "callback_attempts",
        "callback_error",
    )
    readonly_fields = fields
    change_form_template = "admin/tasks/task/change_form_live.html"

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        errors = path(
            "<int:task_id>/errors.csv",
            self.admin_site.admin_view(self.errors_csv),
            name="tasks_task_errors_csv",
        )
        return [errors, *super().get_urls()]

    def errors_csv(self, request, task_id: int):
        """The task's whole error report as CSV, for the signed-in staff member (the API's needs a key)."""
        task = self.scoped_object_or_404(request, task_id)
        response = StreamingHttpResponse(task_errors_csv(task_errors_all(task=task)), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="task-{task.pk}-errors.csv"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        live = Task.objects.filter(pk=object_id, status__in=LIVE).exists()
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "refresh": live})

    @admin.display(description="works on")
    def works_on(self, task):
        """What the task works on, as its kind names it (a campaign, an import): the kind's back-office link."""
        kind = registry.find(task.type)
        found = kind.back_office(task) if kind is not None and kind.back_office is not None else None
        if found is None:
            return "—"
        label, href = found
        return format_html('<a href="{}">{}</a>', href, label)

    @admin.display(description="progress")
    def progress_bar(self, task):
        return format_html('<progress max="100" value="{}"></progress> {}%', task.percent, task.percent)

    @admin.display(description="error report")
    def error_report(self, task):
        if not task.errors_count:
            return "no errors"
        href = reverse("admin:tasks_task_errors_csv", args=[task.pk])
        return format_html(
            '{} rows; first ones: {}<br><a href="{}">the full report (CSV)</a>',
            task.errors_count,
            "; ".join(f"row {e.row}: {e.problem}" for e in task.errors.order_by("row")[:5]),
            href,
        )
