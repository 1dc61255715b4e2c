"""Imports in the back office, in two steps as the API's `import_submit` would see them: a file uploaded into a
list is staged (kept in the database, for the person who uploaded it, until it expires) and previewed (its
columns as the import maps them, its first rows, its problems in the API's words); "Start import" submits it
through the same service as the API. Then the import's page: the columns as they were mapped, its first rows,
its progress (the page refreshes itself while it runs) and its error report as CSV."""

from itertools import islice
from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from api.admin import AccountScopedChoiceField, ServiceAdmin
from api.charts import progress_bar
from api.problems import NOT_FOUND, ApiProblem
from imports.models import ImportTask, StagedImport
from imports.selectors import import_staged_get
from imports.services import import_stage, import_staged_cancel, import_staged_start
from imports.sources import CONTENT_TYPES, EXTENSIONS, iter_rows
from lists.models import MailingList
from tasks.payload import payload_exists, payload_open
from tasks.states import LIVE

PREVIEW_ROWS = 10
SPREADSHEET_FORMATS = ("csv", "xls", "xlsx")


class ImportForm(forms.ModelForm):
    mailing_list = AccountScopedChoiceField(
        queryset=MailingList.objects.filter(active=True).select_related("account").order_by("account__name", "name"),
        label="Into the list",
    )
    file = forms.FileField(
        help_text="CSV, XLS or XLSX. Its first row names the columns: the email column ('email' or "
        "'emailAddress') and fields of the account. You will see how it is read before anything is imported."
    )

    class Meta:
        model = ImportTask
        fields = ()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        fmt = CONTENT_TYPES.get(upload.content_type or "") or EXTENSIONS.get(PurePath(upload.name or "").suffix.lower())
        if fmt not in SPREADSHEET_FORMATS:
            raise forms.ValidationError("Choose a CSV, XLS or XLSX file.")
        upload.import_format = fmt
        return upload


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

    def save_form(self, request, form, change):
        """The upload is staged, not imported: the import is queued from its preview (``staged_view``)."""
        upload = form.cleaned_data["file"]
        return import_stage(
            mailing_list=form.cleaned_data["mailing_list"],
            user=request.user,
            fmt=upload.import_format,
            file_name=upload.name or "",
            data=upload.read(),
        )

    def log_addition(self, request, obj, message):
        if not isinstance(obj, StagedImport):  # an import is logged when it is started, not when staged
            super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:imports_importtask_staged", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        live = ImportTask.objects.filter(pk=object_id, status__in=LIVE).exists()
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "refresh": live})

    def get_urls(self):
        staged = path(
            "staged/<uuid:staged_id>/", self.admin_site.admin_view(self.staged_view), name="imports_importtask_staged"
        )
        return [staged, *super().get_urls()]

    def staged_view(self, request, staged_id):
        """A staged upload's preview (GET); "Start import" or "Cancel" (POST). Only its uploader sees it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:imports_importtask_changelist")
        try:
            # its uploader may have lost the editor's role on the list's account since
            self.require_role(request, import_staged_get(staged_id=staged_id, user=request.user))
            if request.method == "POST" and "cancel" in request.POST:
                import_staged_cancel(staged_id=staged_id, user=request.user)
                self.message_user(request, "The upload was canceled: nothing was imported.", messages.INFO)
                return HttpResponseRedirect(changelist)
            if request.method == "POST":
                task = import_staged_start(staged_id=staged_id, user=request.user)
                self.log_addition(request, task, [{"added": {}}])
                return HttpResponseRedirect(reverse("admin:imports_importtask_change", args=[task.pk]))
            staged = import_staged_get(staged_id=staged_id, user=request.user)
        except ApiProblem as problem:
            self.message_user(request, problem.problem_detail, messages.ERROR)
            gone = problem.problem_type is NOT_FOUND
            return HttpResponseRedirect(changelist if gone else request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview: {staged.file_name} into {staged.list.name}",
            "staged": staged,
            "preview": staged.preview,
        }
        return TemplateResponse(request, "admin/imports/importtask/preview.html", context)

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
