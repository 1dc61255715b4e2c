"""The one check of back-office roles on admin pages (``api/roles.py`` says who holds what).

``AccountScopedAdmin`` is the base of every ModelAdmin of an account's rows (``ServiceAdmin`` derives from it).
For a staff user who is not a superuser it replaces Django's model permissions with the user's roles:

- rows: ``get_queryset`` holds only the accounts the user is given, so the changelist, search, filters' counts,
  a row's page (404 otherwise), its history, deletion and the rows an action receives are all narrowed;
- rights: viewing needs ``view_role`` on the row's account, adding, changing and deleting ``write_role``
  (``add_role``/``delete_role`` when they differ); a subclass's own ``has_*_permission`` is ANDed with them
  (``__init_subclass__`` wraps it), so a subclass can only narrow;
- choices: the forms' choices among accounts and among rows of accounts (lists, templates, segments…), the
  actions' form and the account filter offer only the user's accounts;
- actions: each needs ``write_role`` (or the action's own ``role`` attribute) on every selected row's account,
  403 otherwise, and is not offered to a user who has that role nowhere.

``tests/staff/test_scoping.py`` enumerates the registered ModelAdmins and fails on an account-owned one that does
not derive from it. Custom views of an admin (``get_urls``) read their row through ``scoped_object_or_404``.
"""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from api.roles import EDITOR, VIEWER, account_ids, allows, restrict_choices, roles_of, visible

PERMISSIONS = ("has_view_permission", "has_change_permission", "has_add_permission", "has_delete_permission")


def _narrowing(base, name: str, own):
    """``own`` (a subclass's permission method), answered only when ``base``'s role check allows too."""
    check = getattr(base, name)

    @wraps(own)
    def method(self, request, *args, **kwargs):
        return check(self, request, *args, **kwargs) and own(self, request, *args, **kwargs)

    method.role_checked = True
    return method


def _wrap_overrides(cls, base) -> None:
    for name in PERMISSIONS:
        own = cls.__dict__.get(name)
        if own is not None and not getattr(own, "role_checked", False):
            setattr(cls, name, _narrowing(base, name, own))


def _account_id(obj, path: str):
    """The account id of ``obj`` by ``path`` (``pk``, ``account``, ``endpoint__account``)."""
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _guarded(func, role: str, path: str):
    """The action ``func``, refused (403) when a selected row's account is not one the user holds ``role`` on."""

    @wraps(func)
    def action(model_admin, request, queryset):
        ids = account_ids(request, role)
        if ids is not None and queryset.exclude(**{f"{path}__in": ids}).exists():
            raise PermissionDenied(f"This action needs the {role} role on the account of every selected row.")
        return func(model_admin, request, queryset)

    return action


class AccountFilter(admin.RelatedFieldListFilter):
    """The account filter: only the accounts the user sees."""

    def field_choices(self, field, request, model_admin):
        ids = account_ids(request, model_admin.view_role)
        if ids is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"pk__in": ids})


class AccountScopedAdmin(admin.ModelAdmin):
    account_path = "account"  # how a row names its account in a lookup ("pk" for accounts themselves)
    view_role = VIEWER
    write_role = EDITOR
    add_role: str | None = None  # None: write_role
    delete_role: str | None = None  # None: write_role

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _wrap_overrides(cls, AccountScopedAdmin)

    def account_id_of(self, obj):
        return _account_id(obj, self.account_path)

    def _may(self, request, role: str, obj=None) -> bool:
        ids = account_ids(request, role)
        if ids is None:
            return True
        return bool(ids) if obj is None else self.account_id_of(obj) in ids

    def has_module_permission(self, request):
        if roles_of(request) is None:
            return super().has_module_permission(request)
        return self._may(request, self.view_role)

    def has_view_permission(self, request, obj=None):
        if roles_of(request) is None:
            return super().has_view_permission(request, obj)
        return self._may(request, self.view_role, obj)

    def has_change_permission(self, request, obj=None):
        if roles_of(request) is None:
            return super().has_change_permission(request, obj)
        return self._may(request, self.write_role, obj)

    def has_add_permission(self, request):
        if roles_of(request) is None:
            return super().has_add_permission(request)
        return self._may(request, self.add_role or self.write_role)

    def has_delete_permission(self, request, obj=None):
        if roles_of(request) is None:
            return super().has_delete_permission(request, obj)
        return self._may(request, self.delete_role or self.write_role, obj)

    def get_queryset(self, request):
        return visible(request, super().get_queryset(request), self.view_role, self.account_path)

    def scoped_object_or_404(self, request, pk):
        """A row of the user's accounts for a custom view of this admin; 404 for any other."""
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """A row outside the user's accounts does not exist for them: 404 (a superuser keeps Django's redirect)."""
        if roles_of(request) is not None:
            raise Http404(f"No {opts.verbose_name} {object_id} among your accounts.")
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if roles_of(request) is None:
            return form
        role = self.write_role

        def __init__(self, *args, **kwargs):
            form.__init__(self, *args, **kwargs)
            restrict_choices(self.fields, request, role)

        return type(form.__name__, (form,), {"__init__": __init__})

    def get_list_filter(self, request):
        return [
            (name, AccountFilter) if name == self.account_path else name for name in super().get_list_filter(request)
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if roles_of(request) is None:
            return actions
        offered = {}
        for name, (func, action_name, description) in actions.items():
            role = getattr(func, "role", self.write_role)
            if account_ids(request, role):
                offered[name] = (_guarded(func, role, self.account_path), action_name, description)
        return offered

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        action_form = (getattr(response, "context_data", None) or {}).get("action_form")
        if action_form is not None:
            restrict_choices(action_form.fields, request, self.write_role)
        return response

    def require_role(self, request, obj, role: str | None = None) -> None:
        """403 unless the user holds ``role`` (``write_role`` by default) on ``obj``'s account."""
        if not allows(request, self.account_id_of(obj), role or self.write_role):
            raise PermissionDenied


class AccountScopedInline:
    """Mixed into an inline of an account's rows on its parent's page: seen with ``view_role`` on the parent's
    account (``parent_account_path`` names it), changed with ``write_role``; a subclass's own checks narrow."""

    parent_account_path = "account"
    view_role = VIEWER
    write_role = EDITOR

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _wrap_overrides(cls, AccountScopedInline)

    def _may(self, request, role: str, obj) -> bool:
        if obj is None:
            ids = account_ids(request, role)
            return ids is None or bool(ids)
        return allows(request, _account_id(obj, self.parent_account_path), role)

    def has_view_permission(self, request, obj=None):
        if roles_of(request) is None:
            return super().has_view_permission(request, obj)
        return self._may(request, self.view_role, obj)

    def has_change_permission(self, request, obj=None):
        if roles_of(request) is None:
            return super().has_change_permission(request, obj)
        return self._may(request, self.write_role, obj)

    def has_add_permission(self, request, obj=None):
        if roles_of(request) is None:
            return super().has_add_permission(request, obj)
        return self._may(request, self.write_role, obj)

    def has_delete_permission(self, request, obj=None):
        if roles_of(request) is None:
            return super().has_delete_permission(request, obj)
        return self._may(request, self.write_role, obj)
