from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.models import Account, ApiKey
from accounts.services import api_key_issue, api_key_revoke
from api.epoch_cache import CacheInvalidationError

NEW_KEY_SESSION_KEY = "accounts.new_api_key"


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    readonly_fields = ("created_at", "signing_secret")
    fields = ("name", "send_rate_per_second", "send_rate_per_hour", "signing_secret", "created_at")
    inlines = [ApiKeyInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "account", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("account__name", "name", "prefix")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("account", "name")
        return ("account", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("account", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, raw_key = api_key_issue(account=obj.account, name=obj.name)
        obj.pk = api_key.pk
        obj.__dict__.update({k: v for k, v in api_key.__dict__.items() if not k.startswith("_")})
        # Shown once, on the key's page: kept in the (database-backed) session until then, never in a message,
        # whose storage could be a cookie, signed but readable.
        request.session[NEW_KEY_SESSION_KEY] = {"pk": api_key.pk, "key": raw_key, "account": str(obj.account)}

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:accounts_apikey_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        new = request.session.get(NEW_KEY_SESSION_KEY)
        if new is not None and str(new["pk"]) == str(object_id) and request.method == "GET":
            del request.session[NEW_KEY_SESSION_KEY]
            extra_context = {**(extra_context or {}), "new_api_key": new}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead (the revocation reaches every app server); the row stays for the record

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request, queryset):
        """All the selected keys or none: a revocation Redis could not spread to every app server is refused."""
        try:
            with transaction.atomic():
                for api_key in queryset.filter(revoked_at__isnull=True):
                    api_key_revoke(api_key=api_key)
        except CacheInvalidationError as exc:
            self.message_user(request, f"Nothing was revoked: {exc.problem_detail}", level=messages.ERROR)
            return
        self.message_user(request, "Revoked.", level=messages.SUCCESS)
