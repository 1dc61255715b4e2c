"""Imports in the back office: a file uploaded into a list (the API's `import_submit`: checked the same way,
refusals shown on the form), then the import's page: the columns as they were mapped, its first rows, its
progress (the page refreshes itself while it runs) and its error report as CSV."""

from itertools import islice
from pathlib import PurePath

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from api.admin import AccountScopedChoiceField, ServiceAdmin, ServiceForm
from api.charts import progress_bar
from imports.models import ImportTask
from imports.services import import_submit
from imports.sources import CONTENT_TYPES, EXTENSIONS, iter_rows
from lists.models import MailingList
from tasks.payload import payload_exists, payload_open
from tasks.states import LIVE

PREVIEW_ROWS = 10
SPREADSHEET_FORMATS = ("csv", "xls", "xlsx")


class ImportForm(ServiceForm):
    mailing_list = AccountScopedChoiceField(
        queryset=MailingList.objects.filter(active=True).select_related("account").order_by("account__name", "name"),
        label="Into the list",
    )
    file = forms.FileField(
        help_text="CSV, XLS or XLSX. Its first row names the columns: the email column ('email' or "
        "'emailAddress') and fields of the account."
    )
    problem_fields = {"file": "file"}

    class Meta:
        model = ImportTask
        fields = ()

    def write(self):
        upload = self.cleaned_data["file"]
        fmt = CONTENT_TYPES.get(upload.content_type or "") or EXTENSIONS.get(PurePath(upload.name or "").suffix.lower())
        if fmt not in SPREADSHEET_FORMATS:
            self.add_error("file", "Choose a CSV, XLS or XLSX file.")
            return None
        mailing_list = self.cleaned_data["mailing_list"]
        task = import_submit(account=mailing_list.account, mailing_list=mailing_list, fmt=fmt, data=upload.read())
        return ImportTask.objects.get(pk=task.pk)


@admin.register(ImportTask)
class ImportAdmin(ServiceAdmin):
    form = ImportForm
    list_display = ("id", "list", "account", "status", "progress", "errors_count", "created_at")
    list_filter = ("status",)
    search_fields = ("=id", "account__name", "list__name")
    list_select_related = ("account", "list")
    shown = ("account", "list", "status", "progress", "outcome", "errors", "columns", "first_rows", "created_at")
    change_form_template = "admin/tasks/task/change_form_live.html"

    def get_fields(self, request, obj=None):
        return ("mailing_list", "file") if obj is None else self.shown

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.shown

    def has_change_permission(self, request, obj=None):
        return False  # its page is for reading; pausing or stopping it is the tasks' page's

    def has_delete_permission(self, request, obj=None):
        return False

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:imports_importtask_change", args=[obj.pk]))  # watch it run

    def change_view(self, request, object_id, form_url="", extra_context=None):
        live = ImportTask.objects.filter(pk=object_id, status__in=LIVE).exists()
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "refresh": live})

    @admin.display(description="progress")
    def progress(self, task):
        return progress_bar(task.processed, task.total)

    @admin.display(description="result")
    def outcome(self, task):
        if not task.result:
            return "—"
        rows = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", sorted(task.result.items()))
        return format_html("<table>{}</table>", rows)

    @admin.display(description="errors")
    def errors(self, task):
        if not task.errors_count:
            return "none"
        href = reverse("admin:tasks_task_errors_csv", args=[task.pk])
        return format_html('{} rows refused: <a href="{}">the error report (CSV)</a>', task.errors_count, href)

    @admin.display(description="columns")
    def columns(self, task):
        options = task.source_options or {}
        if "email_column" not in options:
            return "—"
        mapped = [(int(options["email_column"]) + 1, "the email address")]
        mapped += [(int(index) + 1, f"field {name}") for index, name in options.get("fields", {}).items()]
        rows = format_html_join("", "<tr><td>column {}</td><td>{}</td></tr>", sorted(mapped))
        return format_html("<table>{}</table>", rows)

    @admin.display(description="first rows")
    def first_rows(self, task):
        if task.source_format not in SPREADSHEET_FORMATS or not payload_exists(task_id=task.pk):
            return "— (shown while the import waits or runs: its file is deleted once it is done)"
        with payload_open(task=task, seekable=task.source_format != "csv") as source:
            rows = list(islice(iter_rows(task.source_format, source, task.source_options), PREVIEW_ROWS))
        names = sorted({name for row in rows for name in row.fields})
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td>{}</tr>",
            (
                (row.number, row.email, format_html_join("", "<td>{}</td>", ((row.fields.get(n, ""),) for n in names)))
                for row in rows
            ),
        )
        head = format_html_join("", "<th>{}</th>", ((name,) for name in names))
        return format_html("<table><tr><th>row</th><th>email</th>{}</tr>{}</table>", head, body)
