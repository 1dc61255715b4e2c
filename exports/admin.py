"""The back office's "Export" actions: on the subscribers' page (the account of the selection: all of its
subscribers, a list, a segment or a status) and on the campaigns' page (a selected campaign's report). A form
between asks what and in which format; the export is the API's task (``export_submit``), whose page in the
back office shows its progress and, once done, the download link."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from api.problems import ApiProblem
from campaigns.models import Campaign
from exports.models import CAMPAIGN_REPORT, FORMATS, SUBSCRIBERS
from exports.services import export_submit
from lists.selectors import lists_of
from segments.models import Segment
from subscribers.models import Status, Subscriber

FORMAT_CHOICES = [(fmt, fmt.upper()) for fmt in FORMATS]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES)
    list_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="List")
    segment_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Segment")
    status = forms.ChoiceField(required=False, label="Status")

    def __init__(self, *args, account=None, report=False, **kwargs):
        super().__init__(*args, **kwargs)
        if report:
            for name in ("list_id", "segment_id", "status"):
                del self.fields[name]
            return
        every = [("", "any")]
        self.fields["list_id"].choices = every + [(str(lst.pk), lst.name) for lst in lists_of(account=account)]
        segments = Segment.objects.filter(account=account).order_by("name").values_list("pk", "name")
        self.fields["segment_id"].choices = every + [(str(pk), name) for pk, name in segments]
        self.fields["status"].choices = every + [(value, value) for value in Status.values]


def _task_page(task) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:tasks_task_change", args=[task.pk]))


def _form_page(model_admin, request, queryset, form, *, title: str, action: str, subject: str):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subject": subject,
        "form": form,
        "action": action,
        "selected": queryset.values_list("pk", flat=True),
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/exports/export_form.html", context)


@admin.action(description="Export subscribers of this account (CSV or XLSX)…")
def export_subscribers(model_admin, request, queryset):
    accounts = {subscriber.account for subscriber in queryset.select_related("account")}
    if len(accounts) != 1:
        model_admin.message_user(request, "Select subscribers of one account.", level=messages.ERROR)
        return None
    account = accounts.pop()
    form = ExportForm(request.POST if "apply" in request.POST else None, account=account)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = export_submit(
                account=account,
                kind=SUBSCRIBERS,
                fmt=data["format"],
                list_id=data["list_id"],
                segment_id=data["segment_id"],
                status=data["status"] or None,
            )
        except ApiProblem as problem:
            model_admin.message_user(request, problem.problem_detail, level=messages.ERROR)
            return None
        model_admin.message_user(request, f"Export task {task.pk} queued.", level=messages.SUCCESS)
        return _task_page(task)
    title = "Export subscribers"
    return _form_page(
        model_admin, request, queryset, form, title=title, action="export_subscribers", subject=account.name
    )


@admin.action(description="Export the report of this campaign (CSV or XLSX)…")
def export_campaign_report(model_admin, request, queryset):
    if queryset.count() != 1:
        model_admin.message_user(request, "Select one campaign.", level=messages.ERROR)
        return None
    campaign = queryset.select_related("account").get()
    form = ExportForm(request.POST if "apply" in request.POST else None, report=True)
    if form.is_valid():
        task = export_submit(
            account=campaign.account, kind=CAMPAIGN_REPORT, fmt=form.cleaned_data["format"], campaign_id=campaign.pk
        )
        model_admin.message_user(request, f"Export task {task.pk} queued.", level=messages.SUCCESS)
        return _task_page(task)
    title = "Export a campaign report"
    return _form_page(
        model_admin, request, queryset, form, title=title, action="export_campaign_report", subject=campaign.name
    )


# The subscribers' and campaigns' admins are their apps'; the exports app adds its actions to them.
for model, action in ((Subscriber, export_subscribers), (Campaign, export_campaign_report)):
    model_admin = admin.site.get_model_admin(model)
    model_admin.actions = [*(model_admin.actions or ()), action]
