from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, ApiKey
from accounts.selectors import api_key_status
from accounts.services import api_key_issue, api_key_revoke
from api.epoch_cache import CacheInvalidationError
from api.roles import OWNER, SUPERUSER
from api.scopes import AREAS, FULL, LEVELS, READ
from api.scoping import AccountScopedAdmin, AccountScopedInline

NEW_KEY_SESSION_KEY = "accounts.new_api_key"


def _scope_choices() -> list:
    """Checkboxes grouped by area: ``full`` and ``read``, then each area's read and write."""
    general = [(FULL, "full: everything"), (READ, "read: every read, in every area")]
    return [
        ("Every area", general),
        *[
            (f"{area}: {covers}", [(f"{area}:{level}", f"{area}:{level}") for level in LEVELS])
            for area, covers in AREAS.items()
        ],
    ]


class ApiKeyAddForm(forms.ModelForm):
    """A new key's scopes and expiry (an existing key's never change: issue another and revoke it)."""

    scopes = forms.MultipleChoiceField(
        choices=_scope_choices(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What the key may do; none ticked: full access. Write implies read in its area.",
    )
    expires_at = forms.SplitDateTimeField(
        required=False, widget=AdminSplitDateTime, help_text="Empty: the key does not expire."
    )

    class Meta:
        model = ApiKey
        fields = ("account", "name")

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return expires_at


def scopes_shown(api_key) -> str:
    return ", ".join(api_key.scopes)


def state_shown(api_key) -> str:
    status = api_key_status(api_key)
    if status == "active" and api_key.expires_at:
        return f"active until {timezone.localtime(api_key.expires_at):%Y-%m-%d}"
    return status


class ApiKeyInline(AccountScopedInline, admin.TabularInline):
    model = ApiKey
    parent_account_path = "pk"
    view_role = write_role = OWNER
    extra = 0
    fields = ("name", "prefix", "scopes_shown", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="scopes")
    def scopes_shown(self, obj):
        return scopes_shown(obj)


@admin.register(Account)
class AccountAdmin(AccountScopedAdmin):
    account_path = "pk"
    write_role = OWNER
    add_role = delete_role = SUPERUSER
    list_display = ("name", "created_at")
    search_fields = ("name",)
    readonly_fields = ("created_at", "signing_secret")
    fields = ("name", "send_rate_per_second", "send_rate_per_hour", "signing_secret", "created_at")
    inlines = [ApiKeyInline]

    def get_fields(self, request, obj=None):
        """The callbacks' signing secret is for those who may change the account (its owners)."""
        fields = super().get_fields(request, obj)
        return fields if self.has_change_permission(request, obj) else [f for f in fields if f != "signing_secret"]


@admin.register(ApiKey)
class ApiKeyAdmin(AccountScopedAdmin):
    view_role = write_role = OWNER
    list_display = ("prefix", "name", "account", "scopes_shown", "state", "last_used_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), ("expires_at", admin.EmptyFieldListFilter))
    search_fields = ("account__name", "name", "prefix")
    actions = ["revoke"]
    add_form = ApiKeyAddForm

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:  # scopes and expiry are the form's own fields (the model's are not editable)
            kwargs.update(form=self.add_form, fields=ApiKeyAddForm.Meta.fields)
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("account", "name", "scopes", "expires_at")
        return (
            "account",
            "name",
            "prefix",
            "scopes_shown",
            "state",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("account", "prefix", "scopes_shown", "state", "created_at", "last_used_at", "expires_at", "revoked_at")

    @admin.display(description="scopes")
    def scopes_shown(self, obj):
        return scopes_shown(obj)

    @admin.display(description="state")
    def state(self, obj):
        return state_shown(obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, raw_key = api_key_issue(
            account=obj.account,
            name=obj.name,
            scopes=form.cleaned_data.get("scopes") or None,
            expires_at=form.cleaned_data.get("expires_at"),
        )
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
