from django.contrib import admin
from django.utils.html import format_html

from api.admin import service_action
from campaigns.models import Campaign, Event, Message
from campaigns.selectors import campaign_stats
from campaigns.services import campaign_cancel, campaign_pause, campaign_start

SHOWN_STATS = ("recipients", "sent", "hardBounces", "softBounces", "uniqueOpens", "uniqueClicks", "unsubscribes")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
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
    readonly_fields = fields  # edits go through the API, whose services keep the rules (content frozen once sent)

    def has_add_permission(self, request):
        return False

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
