"""Back-office roles: which accounts a staff user sees and changes, decided in one place.

A staff user holds a role per account: ``viewer`` reads, ``editor`` also changes the account's lists,
subscribers, fields, segments, templates, forms, campaigns, imports and tasks, ``owner`` also its API keys,
webhooks, sending domains, settings and roles. A superuser sees and changes everything. The rows are the staff
app's (``staff.models.StaffRole``), given to this module through ``roles_source`` (the api app imports no
feature app); without a source a staff user who is not a superuser sees nothing.

Every account-owned ModelAdmin derives from ``AccountScopedAdmin`` (``api/scoping.py``), which asks
``account_ids`` here; the back office's own pages (dashboard, analytics) narrow their accounts with ``visible``.
"""

from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist

from accounts.models import Account

VIEWER, EDITOR, OWNER = "viewer", "editor", "owner"
ROLES = (VIEWER, EDITOR, OWNER)
SUPERUSER = "superuser"  # a requirement no role meets: superusers only (adding or deleting an account)
RANK = {VIEWER: 1, EDITOR: 2, OWNER: 3, SUPERUSER: 99}

_source: Callable[[object], dict[int, str]] | None = None


def roles_source(source: Callable[[object], dict[int, str]]) -> None:
    """Where a user's roles come from: ``source(user) -> {account_id: role}`` (the staff app registers it)."""
    global _source
    _source = source


def roles_of(request) -> dict[int, str] | None:
    """The request's user's roles by account id; None for a superuser (every account, every right). Read once per
    request."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return {}
    if user.is_superuser:
        return None
    held = getattr(request, "_account_roles", None)
    if held is None:
        held = dict(_source(user)) if _source is not None else {}
        request._account_roles = held
    return held


def account_ids(request, role: str = VIEWER) -> set[int] | None:
    """The accounts on which the user holds ``role`` or more; None: every account (a superuser)."""
    held = roles_of(request)
    if held is None:
        return None
    return {account_id for account_id, has in held.items() if RANK[has] >= RANK[role]}


def allows(request, account_id: int | None, role: str) -> bool:
    ids = account_ids(request, role)
    return ids is None or account_id in ids


def account_path(model) -> str | None:
    """How ``model``'s rows name their account in a lookup: ``pk`` for accounts, ``account`` for a model with an
    account; None for a model of no account."""
    if issubclass(model, Account):
        return "pk"
    try:
        field = model._meta.get_field("account")
    except FieldDoesNotExist:
        return None
    return "account" if field.is_relation and issubclass(field.related_model, Account) else None


def visible(request, queryset, role: str = VIEWER, path: str | None = None):
    """``queryset`` narrowed to the accounts on which the user holds ``role`` (``path``: how its rows name their
    account, found from the model when not given)."""
    ids = account_ids(request, role)
    if ids is None:
        return queryset
    path = path or account_path(queryset.model)
    if path is None:
        raise ValueError(f"{queryset.model.__name__} has no account to narrow by")
    return queryset.filter(**{f"{path}__in": ids})


def restrict_choices(fields: dict, request, role: str) -> None:
    """A form's choices among accounts, or among rows of accounts (lists, templates, segments…), narrowed to the
    accounts on which the user holds ``role``."""
    ids = account_ids(request, role)
    if ids is None:
        return
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        path = account_path(queryset.model) if queryset is not None else None
        if path is not None:
            field.queryset = queryset.filter(**{f"{path}__in": ids})
