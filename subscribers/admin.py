from django.contrib import admin

from subscribers.emails import email_md5
from subscribers.models import Membership, Subscriber, Suppression


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("list", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class Md5SearchMixin:
    """An address typed in the search box is found through its MD5, as the API finds it."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(email_md5=email_md5(term)), False
        return super().get_search_results(request, queryset, term.lower())


@admin.register(Subscriber)
class SubscriberAdmin(Md5SearchMixin, admin.ModelAdmin):
    list_display = ("email", "status", "account", "created_at", "unsubscribed_at")
    list_filter = ("status", ("memberships__list", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=email_md5",)
    search_help_text = "An exact email address or its MD5."
    readonly_fields = (
        "account",
        "email",
        "email_md5",
        "status",
        "created_at",
        "updated_at",
        "unsubscribed_at",
        "unsubscribe_reason",
        "last_open_at",
    )
    list_select_related = ("account",)
    show_full_result_count = False  # no COUNT(*) over a million rows per page
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return False  # subscribers are written through the API so that counters stay exact

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Suppression)
class SuppressionAdmin(Md5SearchMixin, admin.ModelAdmin):
    """Erased contacts' address hashes (subscribers/erasure.py); deleting one lets the address back in."""

    list_display = ("email_md5", "account", "reason", "created_at")
    search_fields = ("=email_md5",)
    search_help_text = "An exact email address or its MD5."
    readonly_fields = ("account", "email_md5", "reason", "created_at")
    list_select_related = ("account",)

    def has_add_permission(self, request):
        return False
