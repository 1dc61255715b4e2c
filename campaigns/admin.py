from django.contrib import admin
from django.utils.html import format_html

from api.admin import ServiceAdmin, ServiceForm, service_action
from api.problems import VALIDATION_ERROR, ApiProblem
from campaigns.models import Campaign, Event, Message
from campaigns.selectors import campaign_stats
from campaigns.serializers import CampaignInputSerializer
from campaigns.services import (
    DELETABLE,
    EDITABLE,
    campaign_cancel,
    campaign_create,
    campaign_delete,
    campaign_pause,
    campaign_start,
    campaign_update,
)
from lists.models import MailingList

SHOWN_STATS = ("recipients", "sent", "hardBounces", "softBounces", "uniqueOpens", "uniqueClicks", "unsubscribes")


# The form's fields and the API's members (CampaignInputSerializer) they are checked as.
API_MEMBERS = {
    "name": "name",
    "subject": "subject",
    "from_name": "fromName",
    "from_email": "fromEmail",
    "reply_to": "replyTo",
    "preheader": "preheader",
    "html": "html",
    "text": "text",
    "lists": "lists",
    "scheduled_at": "scheduledAt",
}


class CampaignForm(ServiceForm):
    """A draft or scheduled campaign, created and edited by the API's services and checked by the API's
    serializer: merge tags, lists of the account, a future schedule, the account's campaign counters."""

    problem_fields = {member: field for field, member in API_MEMBERS.items()}

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

    def write(self):
        data = self.cleaned_data
        checked = CampaignInputSerializer(data=_api_input(data))
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
    body["lists"] = [mailing_list.pk for mailing_list in data.get("lists") or ()]
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
    fields = (
        "account",
        "name",
        "status",
        "stats_summary",
        "subject",
        "from_name",
        "from_email",
        "reply_to",
        "preheader",
        "lists",
        "scheduled_at",
        "task",
        "created_at",
        "updated_at",
        "started_at",
        "finished_at",
        "html",
        "text",
    )
    always_read_only = ("status", "stats_summary", "task", "created_at", "updated_at", "started_at", "finished_at")

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else ("account", *API_MEMBERS)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status not in EDITABLE:  # its content is frozen: edits answer 409.6 in the API
            return self.fields
        return ("account", *self.always_read_only)

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status in DELETABLE

    @admin.display(description="stats")
    def stats_summary(self, campaign):
        stats = campaign_stats([campaign.pk])[campaign.pk]
        return format_html("<br>".join(f"{name}: {{}}" for name in SHOWN_STATS), *(stats[n] for n in SHOWN_STATS))


class EventInline(admin.TabularInline):
    model = Event
    fields = ("type", "at", "url", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
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
    search_fields = ("=id", "=to_email", "=campaign__id")
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
