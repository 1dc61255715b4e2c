"""What the back office adds to other apps' admin pages with data they do not own: a subscriber's history
(the campaigns' messages and events) on its page. Loaded after the apps' own admin modules (INSTALLED_APPS
order), it registers the subscriber's admin again with it."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from backoffice.history import subscriber_history
from subscribers.admin import SubscriberAdmin
from subscribers.models import Subscriber


class SubscriberWithHistoryAdmin(SubscriberAdmin):
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [*fieldsets, ("History", {"fields": ("history",)})] if obj is not None else fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "history") if obj is not None else fields

    @admin.display(description="messages and events")
    def history(self, subscriber):
        entries = subscriber_history(subscriber)
        if not entries:
            return "Nothing sent to this subscriber yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((entry.at.strftime("%Y-%m-%d %H:%M"), entry.what, entry.campaign, entry.detail) for entry in entries),
        )
        return format_html(
            '<table class="subscriber-history"><tr><th>when (UTC)</th><th>what</th><th>campaign</th>'
            "<th>detail</th></tr>{}</table>",
            rows,
        )


admin.site.unregister(Subscriber)
admin.site.register(Subscriber, SubscriberWithHistoryAdmin)
