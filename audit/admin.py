"""The back office's audit trail: read-only, filtered by account, actor kind and action, searched by actor, object
and request id (what the API's filters offer); a staff user reads the trail of the accounts they own."""

import json

from django.contrib import admin
from django.utils.html import format_html

from api.admin import CappedCountPaginator
from api.roles import OWNER
from api.scoping import AccountScopedAdmin
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(AccountScopedAdmin):
    view_role = write_role = OWNER  # who did what on the account: its owners read it (a superuser, every account's)
    list_display = ("at", "account", "actor_kind", "actor_id", "actor_name", "action", "object_type", "object_id")
    # No filter on action or object type: each would cost a DISTINCT over the whole trail; search finds them.
    list_filter = ("actor_kind", ("at", admin.DateFieldListFilter))
    search_fields = ("=account__name", "=actor_id", "=object_id", "=request_id", "=action")
    list_select_related = ("account",)
    date_hierarchy = "at"
    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ("-id",)
    readonly_fields = (
        "at",
        "account",
        "actor_kind",
        "actor_id",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "request_id",
        "shown_details",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a trail is not edited: its page is read-only

    def has_delete_permission(self, request, obj=None):
        return False  # the retention prunes it (AUDIT_RETENTION_DAYS)

    @admin.display(description="details")
    def shown_details(self, entry):
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(entry.details, indent=2))
