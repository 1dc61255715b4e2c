from datetime import timedelta

from django import forms
from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from analytics.representations import figure_rows, metrics
from analytics.selectors import campaign_figures
from api.admin import ServiceAdmin, ServiceForm, service_action
from api.charts import line_chart, progress_bar
from api.problems import VALIDATION_ERROR, ApiProblem
from api.scoping import AccountScopedAdmin, AccountScopedInline
from campaigns.admin_abtest import AB_FIELD_NAMES, AB_FIELDS, ab_initial, ab_input, ab_test_field, choose_winner_view
from campaigns.admin_preview import chosen_of, preview_field, send_test_view
from campaigns.models import Campaign, CampaignSegment, CampaignStatus, Event, Message
from campaigns.selectors import campaign_stats
from campaigns.serializers import CampaignInputSerializer
from campaigns.services import (
    DELETABLE,
    EDITABLE,
    MEMBERS,
    campaign_cancel,
    campaign_create,
    campaign_delete,
    campaign_pause,
    campaign_start,
    campaign_update,
)
from lists.models import MailingList
from segments.models import Segment
from templates.models import Template

SHOWN_STATS = ("recipients", "sent", "hardBounces", "softBounces", "uniqueOpens", "uniqueClicks", "unsubscribes")
TIMELINE_HOURS = 48


# The form's fields and the API's members (CampaignInputSerializer) they are checked as: the services' MEMBERS
# (model attribute ← member), and the lists, in the order the form shows them.
API_MEMBERS = {
    **{k: v for k, v in MEMBERS.items() if k not in ("scheduled_at", "template_id")},
    "template": "templateId",
    "lists": "lists",
    "scheduled_at": "scheduledAt",
}


def _figures(campaign):
    """The campaign's figures (stats, top links, hourly timeline), read once for all of the page's fields."""
    if not hasattr(campaign, "_figures"):
        campaign._figures = campaign_figures(account=campaign.account, campaign_id=campaign.pk, timeline="hour")
    return campaign._figures


AbTestFields = type("AbTestFields", (forms.Form,), dict(AB_FIELDS))


class CampaignForm(ServiceForm, AbTestFields):
    """A draft or scheduled campaign, created and edited by the API's services and checked by the API's
    serializer: merge tags, lists of the account, a future schedule, the account's campaign counters, and its
    A/B test (campaigns/admin_abtest.py)."""

    problem_fields = {
        **{member: field for field, member in API_MEMBERS.items()},
        "segments": "segments",
        "excludedSegments": "excluded_segments",
    }
    segments = forms.ModelMultipleChoiceField(
        Segment.objects.none(), required=False, help_text="Their active matches receive it too."
    )
    excluded_segments = forms.ModelMultipleChoiceField(
        Segment.objects.none(), required=False, help_text="Their matches never receive it."
    )

    class Meta:
        model = Campaign
        fields = ("account", *API_MEMBERS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lists" in self.fields:
            lists = MailingList.objects.select_related("account").order_by("account__name", "name")
            if self.instance.pk:
                lists = lists.filter(account_id=self.instance.account_id)
            self.fields["lists"].queryset = lists
            self.fields["lists"].required = False
        if "template" in self.fields:
            templates = Template.objects.select_related("account").order_by("account__name", "name")
            if self.instance.pk:
                templates = templates.filter(account_id=self.instance.account_id)
            self.fields["template"].queryset = templates
            self.fields["template"].label_from_instance = lambda template: f"{template.account.name} · {template}"
            self.fields["template"].help_text = "Its {{ content }} slot takes the HTML; none: the HTML as written."
        segments = Segment.objects.select_related("account").order_by("account__name", "name")
        if self.instance.pk:
            segments = segments.filter(account_id=self.instance.account_id)
            uses = CampaignSegment.objects.filter(campaign_id=self.instance.pk, segment__isnull=False)
            self.initial["segments"] = [u.segment_id for u in uses if not u.excluded]
            self.initial["excluded_segments"] = [u.segment_id for u in uses if u.excluded]
        for name in ("segments", "excluded_segments"):
            self.fields[name].queryset = segments
            self.fields[name].label_from_instance = lambda segment: f"{segment.account.name} · {segment}"
        for name, value in ab_initial(self.instance).items():
            self.initial.setdefault(name, value)

    def write(self):
        data = self.cleaned_data
        checked = CampaignInputSerializer(data={**_api_input(data), "abTest": ab_input(data, self.instance)})
        if not checked.is_valid():
            errors = [
                {"field": member, "detail": " ".join(map(str, found))} for member, found in checked.errors.items()
            ]
            raise ApiProblem(VALIDATION_ERROR, "; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)
        if self.instance.pk:
            return campaign_update(campaign=self.instance, data=checked.validated_data)
        return campaign_create(account=data["account"], data=checked.validated_data)


def _api_input(data: dict) -> dict:
    """The form's values as the API's request body."""
    body = {member: data.get(field) or "" for field, member in API_MEMBERS.items()}
    body["templateId"] = data["template"].pk if data.get("template") else None
    body["lists"] = [mailing_list.pk for mailing_list in data.get("lists") or ()]
    body["segments"] = [segment.pk for segment in data.get("segments") or ()]
    body["excludedSegments"] = [segment.pk for segment in data.get("excluded_segments") or ()]
    body["scheduledAt"] = data.get("scheduled_at")
    return body


@admin.register(Campaign)
class CampaignAdmin(ServiceAdmin):
    form = CampaignForm
    delete_service = campaign_delete
    delete_noun = "campaign"
    list_display = ("id", "name", "status", "account", "stats_summary", "scheduled_at", "started_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("=id", "name", "account__name")
    list_select_related = ("account",)
    actions = [
        service_action(
            "start", campaign_start, description="Start (or resume) selected campaigns", verb="Started", noun="campaign"
        ),
        service_action("pause", campaign_pause, description="Pause selected campaigns", verb="Paused", noun="campaign"),
        service_action(
            "cancel", campaign_cancel, description="Cancel selected campaigns", verb="Canceled", noun="campaign"
        ),
    ]
    shown = ("status", "progress", "task_link", "rates", "ab_results", "timeline", "top_links", "preview")
    times = ("created_at", "updated_at", "started_at", "finished_at")
    change_form_template = "admin/campaigns/campaign/change_form_live.html"

    def get_fieldsets(self, request, obj=None):
        targeting = ("segments", "excluded_segments")
        ab_test = ("A/B test", {"fields": AB_FIELD_NAMES, "classes": ("collapse",)})
        if obj is None:
            return [(None, {"fields": ("account", *API_MEMBERS, *targeting)}), ab_test]
        if obj.status not in EDITABLE:
            return [
                ("Sending", {"fields": self.shown}),
                ("Content", {"fields": ("account", *API_MEMBERS, "segments_used")}),
                ("Times", {"fields": self.times}),
            ]
        return [
            ("Sending", {"fields": self.shown}),
            ("Content", {"fields": ("account", *API_MEMBERS, *targeting)}),
            ab_test,
            ("Times", {"fields": self.times}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status not in EDITABLE:  # its content is frozen: edits answer 409.6 in the API
            return ("account", *API_MEMBERS, "segments_used", *self.shown, *self.times)
        return ("account", *self.shown, *self.times)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sending = Campaign.objects.filter(pk=object_id, status=CampaignStatus.SENDING).exists()
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "refresh": sending})

    @admin.display(description="segments")
    def segments_used(self, campaign):
        """What sending used: each segment's name and active matches when it started."""
        uses = CampaignSegment.objects.filter(campaign=campaign).select_related("segment").order_by("id")
        rows = [
            (
                "excluded" if use.excluded else "targeted",
                use.name or (use.segment.name if use.segment else "(deleted)"),
                "—" if use.matched is None else use.matched,
            )
            for use in uses
        ]
        if not rows:
            return "none (lists only)"
        return format_html_join(format_html("<br>"), "{}: {} ({} matched)", rows)

    @admin.display(description="progress")
    def progress(self, campaign):
        task = campaign.task
        return progress_bar(task.processed, task.total) if task else "not started"

    @admin.display(description="task")
    def task_link(self, campaign):
        if campaign.task_id is None:
            return "—"
        href = reverse("admin:tasks_task_change", args=[campaign.task_id])
        return format_html('<a href="{}">campaign-send task {}</a>', href, campaign.task_id)

    @admin.display(description="rates")
    def rates(self, campaign):
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            ((label, f"{count:,}", rate) for label, count, rate in figure_rows(metrics(_figures(campaign).stats))),
        )
        # The back office's analytics page of the campaign (backoffice/): its figures per day or hour, all its links.
        more = reverse("admin:analytics-campaign", args=[campaign.pk])
        return format_html(
            '<table class="campaign-rates">{}</table><p><a class="campaign-analytics" href="{}">All its analytics: '
            "per day or hour, every link, bounces by kind →</a></p>",
            rows,
            more,
        )

    @admin.display(description="A/B test")
    def ab_results(self, campaign):
        return ab_test_field(campaign)

    @admin.display(description="opens and clicks")
    def timeline(self, campaign):
        figures = _figures(campaign)
        points = {bucket: (opens, clicks) for bucket, opens, clicks in figures.timeline.points}
        if figures.timeline.origin is None:
            return "No opens or clicks yet."
        hours = [figures.timeline.origin + timedelta(hours=n) for n in range(TIMELINE_HOURS)]
        return line_chart(
            [hour.strftime("%d %b %H:00") for hour in hours],
            {
                "Opens": [points.get(hour, (0, 0))[0] for hour in hours],
                "Clicks": [points.get(hour, (0, 0))[1] for hour in hours],
            },
            title="Opens and clicks per hour since the start",
        )

    @admin.display(description="top links")
    def top_links(self, campaign):
        figures = _figures(campaign)
        if not figures.top_links:
            return "No click yet."
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", figures.top_links)
        return format_html("<table><tr><th>URL</th><th>clicks</th><th>unique</th></tr>{}</table>", rows)

    @admin.display(description="preview and test")
    def preview(self, campaign):
        return preview_field(campaign, getattr(campaign, "preview_chosen", ""))

    def get_object(self, request, object_id, from_field=None):
        campaign = super().get_object(request, object_id, from_field)
        if campaign is not None:  # the page's preview is as the subscriber chosen in its URL (?preview=…)
            campaign.preview_chosen = chosen_of(request)
        return campaign

    def get_urls(self):
        test = path(
            "<path:object_id>/test/",
            self.admin_site.admin_view(lambda request, object_id: send_test_view(self, request, object_id)),
            name="campaigns_campaign_test",
        )
        winner = path(
            "<path:object_id>/winner/",
            self.admin_site.admin_view(lambda request, object_id: choose_winner_view(self, request, object_id)),
            name="campaigns_campaign_winner",
        )
        return [test, winner, *super().get_urls()]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status in DELETABLE

    @admin.display(description="stats")
    def stats_summary(self, campaign):
        stats = campaign_stats([campaign.pk])[campaign.pk]
        return format_html("<br>".join(f"{name}: {{}}" for name in SHOWN_STATS), *(stats[n] for n in SHOWN_STATS))


class EventInline(AccountScopedInline, admin.TabularInline):
    model = Event
    fields = ("type", "at", "url", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(AccountScopedAdmin):
    list_display = (
        "id",
        "to_email",
        "campaign",
        "status",
        "attempts",
        "sent_at",
        "smtp_code",
        "opened_at",
        "clicked_at",
    )
    list_filter = ("status",)
    search_fields = ("=id", "=to_email", "=campaign__id", "=provider_id")
    list_select_related = ("campaign",)
    show_full_result_count = False  # a campaign has a message per recipient: no COUNT(*) of them all
    fields = (
        "account",
        "campaign",
        "subscriber",
        "to_email",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "smtp_code",
        "smtp_response",
        "provider_id",
        "opened_at",
        "clicked_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
