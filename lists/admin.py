from django.contrib import admin

from lists.models import MailingList


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "active", "subscribers_count", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "account__name")
    readonly_fields = ("subscribers_count", "created_at")
    list_select_related = ("account",)
