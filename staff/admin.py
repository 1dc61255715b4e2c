"""Roles in the back office: an account's owners give and take its roles (a superuser, any account's); the user
chosen among the staff users (a superuser makes a user staff on the users' page, or ``grant_role`` does)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from api.admin import ServiceAdmin, ServiceForm
from api.roles import OWNER
from staff.models import StaffRole
from staff.services import role_grant, role_revoke


class StaffRoleForm(ServiceForm):
    user = forms.ModelChoiceField(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username"))

    class Meta:
        model = StaffRole
        fields = ("user", "account", "role")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # shown read-only: a role on another account or for another user is another row
            for name in ("user", "account"):
                self.fields.pop(name, None)

    def write(self):
        data = self.cleaned_data
        user = data.get("user", self.instance.user if self.instance.pk else None)
        account = data.get("account", self.instance.account if self.instance.pk else None)
        return role_grant(user=user, account=account, role=data["role"])


@admin.register(StaffRole)
class StaffRoleAdmin(ServiceAdmin):
    form = StaffRoleForm
    view_role = write_role = OWNER
    delete_service = role_revoke
    delete_noun = "staff_role"
    list_display = ("user", "account", "role", "granted_at")
    list_filter = ("role", "account")
    search_fields = ("user__username", "user__email", "account__name")
    list_select_related = ("user", "account")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "account", "granted_at") if obj else ()
