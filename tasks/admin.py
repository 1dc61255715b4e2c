from django.contrib import admin
from django.utils.html import format_html

from api.admin import service_action
from tasks.models import Task
from tasks.services import task_pause, task_start, task_stop


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    @admin.display(description="progress")
    def progress_bar(self, task):
        return format_html('<progress max="100" value="{}"></progress> {}%', task.percent, task.percent)

    @admin.display(description="error report")
    def error_report(self, task):
        if not task.errors_count:
            return "no errors"
        href = f"/accounts/{task.account.name}/tasks/{task.pk}/errors"
        return format_html(
            '{} rows; first ones: {}<br><a href="{}">the full report (API, CSV with Accept: text/csv)</a>',
            task.errors_count,
            "; ".join(f"row {e.row}: {e.problem}" for e in task.errors.order_by("row")[:5]),
            href,
        )
