from django.contrib import admin

from api.admin import ServiceAdmin
from fields.selectors import field_types
from subscribers.admin_forms import SubscriberAddForm, change_form_for
from subscribers.emails import email_md5
from subscribers.models import Subscriber, Suppression


class Md5SearchMixin:
    """An address typed in the search box is found through its MD5, as the API finds it."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(email_md5=email_md5(term)), False
        return super().get_search_results(request, queryset, term.lower())


@admin.register(Subscriber)
class SubscriberAdmin(Md5SearchMixin, ServiceAdmin):
    """Added and changed through the API's services (subscribers/admin_forms.py); deleting is the API's
    erasure, and stays there."""

    list_display = ("email", "status", "account", "created_at", "unsubscribed_at")
    list_filter = ("status", ("memberships__list", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=email_md5",)
    search_help_text = "An exact email address or its MD5."
    readonly_fields = (
        "account",
        "email_md5",
        "created_at",
        "updated_at",
        "unsubscribed_at",
        "unsubscribe_reason",
        "last_open_at",
    )
    list_select_related = ("account",)
    show_full_result_count = False  # no COUNT(*) over a million rows per page

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = change_form_for(obj.account) if obj is not None else SubscriberAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("account", "email", "mailing_list")})]
        typed = [f"field_{name}" for name, _ in field_types(account=obj.account)]
        return [
            (None, {"fields": ("account", "email", "email_md5", "status", "lists")}),
            ("Fields", {"fields": typed, "description": "Checked as the API checks them; empty removes the value."}),
            (None, {"fields": self.readonly_fields[2:]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # erasure (DELETE …/contacts/{emailMd5}) keeps the suppression and the counts right


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
