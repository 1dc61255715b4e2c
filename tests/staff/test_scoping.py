"""Back-office roles: every admin of an account's rows goes through the one check (api/scoping.py), and a staff
user sees and changes only the accounts given to them, in every page, search, filter, action and custom view."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from accounts.models import Account, ApiKey
from api.scoping import AccountScopedAdmin, AccountScopedInline
from campaigns.models import Campaign
from lists.models import MailingList
from staff.models import StaffRole
from subscribers.models import Subscriber
from tasks.models import Task
from tests.factories import make_account
from tests.staff.builders import logged_in, populate, staff_user

GLOBAL_ADMINS = {"auth.user", "auth.group", "django_rq.dashboard"}  # of no account: Django's permissions


def _reaches_account(model, depth: int = 3) -> bool:
    if issubclass(model, Account):
        return True
    if depth == 0:
        return False
    return any(
        _reaches_account(field.related_model, depth - 1)
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is not model
    )


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def test_every_admin_of_an_accounts_rows_goes_through_the_scoped_base():
    """Enumerates the registered ModelAdmins (and their inlines): one that shows rows of an account must derive
    from AccountScopedAdmin and name how its rows reach their account; the others are listed here, on purpose."""
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        if not _reaches_account(model):
            assert _label(model) in GLOBAL_ADMINS, f"{_label(model)}: of no account, and not known to be global"
            continue
        if not isinstance(model_admin, AccountScopedAdmin):
            unscoped.append(_label(model))
            continue
        model._default_manager.filter(**{f"{model_admin.account_path}__in": []})  # the path is a real lookup
        unscoped += [
            f"{_label(model)} inline {inline.__name__}"
            for inline in model_admin.inlines
            if _reaches_account(inline.model) and not issubclass(inline, AccountScopedInline)
        ]
    assert not unscoped, f"admins of an account's rows not scoped by roles: {unscoped}"


def _scoped_admins():
    return [(model, ma) for model, ma in admin.site._registry.items() if isinstance(ma, AccountScopedAdmin)]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def both(api, client_for, other):
    """Rows of every model in both accounts, and a role of someone on the other account."""
    mine = populate(api, "mine")
    theirs = populate(client_for(other), "theirs")
    staff_user("their-owner", [(other.account, "owner")])
    return mine, theirs


@pytest.mark.django_db
def test_a_viewer_sees_nothing_of_an_account_not_given_on_any_admin_page(owner, other, both):
    viewer = logged_in(staff_user("viewer", [(owner.account, "viewer")]))
    owner_only = {"accounts.apikey", "audit.auditentry", "staff.staffrole"}  # seen with the owner's role only
    checked = []
    for model, model_admin in _scoped_admins():
        path = model_admin.account_path
        theirs = model._default_manager.filter(**{path: other.account.pk}).first()
        assert theirs is not None, f"no row of {_label(model)} in the other account: populate() should make one"
        listing = viewer.get(_url(model, "changelist"))
        if _label(model) in owner_only:
            assert listing.status_code == 403, _label(model)
        else:
            assert listing.status_code == 200, _label(model)
            shown = listing.context["cl"].queryset
            assert not shown.filter(**{path: other.account.pk}).exists(), _label(model)
            assert shown.filter(**{path: owner.account.pk}).exists(), _label(model)
        # 404: no such row among the user's; 403 (whatever the row) on a model the user may not see at all
        expected = 403 if _label(model) in owner_only else 404
        assert viewer.get(_url(model, "change", theirs.pk)).status_code == expected, _label(model)
        assert viewer.get(_url(model, "history", theirs.pk)).status_code == 404, _label(model)
        # deleting is refused before the row is looked up when the user may delete nothing of the model
        assert viewer.get(_url(model, "delete", theirs.pk)).status_code in (403, 404), _label(model)
        checked.append(_label(model))
    assert len(checked) >= 17, checked


@pytest.mark.django_db
def test_a_viewer_reads_but_every_write_is_403(owner, both):
    mine, _ = both
    viewer = logged_in(staff_user("viewer", [(owner.account, "viewer")]))
    weekly = MailingList.objects.get(pk=mine["list"])
    page = viewer.get(_url(MailingList, "change", weekly.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert viewer.post(_url(MailingList, "change", weekly.pk), {"name": "Renamed"}).status_code == 403
    assert viewer.get(_url(MailingList, "add")).status_code == 403
    assert viewer.post(_url(MailingList, "add"), {"account": owner.account.pk, "name": "X"}).status_code == 403
    assert viewer.post(_url(MailingList, "delete", weekly.pk), {"post": "yes"}).status_code == 403
    campaign = mine["campaign"]
    assert viewer.post(_url(Campaign, "test", campaign), {"emails": "a@example.com"}).status_code == 403
    assert viewer.post(_url(Campaign, "winner", campaign), {"variant": "A"}).status_code == 403
    assert MailingList.objects.get(pk=weekly.pk).name == weekly.name

    listing = viewer.get(_url(Subscriber, "changelist"))
    assert listing.context["action_form"] is None  # no action offered
    jane = Subscriber.objects.get(pk=mine["subscriber"])
    viewer.post(_url(Subscriber, "changelist"), {"action": "unsubscribe", "_selected_action": [jane.pk]})
    assert Subscriber.objects.get(pk=jane.pk).status == jane.status


@pytest.mark.django_db
def test_an_action_on_rows_of_an_account_the_user_only_views_is_403(owner, other, both):
    mine, theirs = both
    user = logged_in(staff_user("mixed", [(owner.account, "editor"), (other.account, "viewer")]))
    them = Subscriber.objects.get(pk=theirs["subscriber"])
    response = user.post(_url(Subscriber, "changelist"), {"action": "unsubscribe", "_selected_action": [them.pk]})
    assert response.status_code == 403
    assert Subscriber.objects.get(pk=them.pk).status == them.status
    me = Subscriber.objects.get(pk=mine["subscriber"])
    response = user.post(_url(Subscriber, "changelist"), {"action": "unsubscribe", "_selected_action": [me.pk]})
    assert response.status_code == 302 and Subscriber.objects.get(pk=me.pk).status != me.status


@pytest.mark.django_db
def test_search_filters_and_choices_offer_only_the_users_accounts(owner, other, both):
    third = make_account("third@example.net").account
    editor = logged_in(staff_user("editor", [(owner.account, "editor"), (third, "viewer")]))
    found = editor.get(_url(Subscriber, "changelist"), {"q": "theirs-jane@example.com"})
    assert list(found.context["cl"].result_list) == []
    found = editor.get(_url(MailingList, "changelist"), {"q": "theirs"})
    assert list(found.context["cl"].result_list) == []

    listing = editor.get(_url(Subscriber, "changelist"))
    body = listing.content.decode()
    assert "other@example.org" not in body and "theirs list" not in body
    filters = {spec.title: spec for spec in listing.context["cl"].filter_specs}
    assert [label for _, label in filters["account"].lookup_choices] == ["owner@example.com", "third@example.net"]
    assert [label for _, label in filters["list"].lookup_choices] == ["owner@example.com · mine list"]
    lists = listing.context["action_form"].fields["mailing_list"].queryset
    assert {row.account_id for row in lists} == {owner.account.pk}

    add = editor.get(_url(Campaign, "add"))
    form = add.context["adminform"].form
    assert list(form.fields["account"].queryset) == [owner.account]
    for name in ("lists", "segments", "excluded_segments", "template"):
        assert {row.account_id for row in form.fields[name].queryset} == {owner.account.pk}, name
    # another account's list posted anyway is not a valid choice
    response = editor.post(_url(MailingList, "add"), {"account": other.account.pk, "name": "Sneaky"})
    assert response.status_code == 200 and "account" in response.context["adminform"].form.errors
    assert not MailingList.objects.filter(name="Sneaky").exists()

    autocomplete = editor.get("/admin/autocomplete/", {"app_label": "lists", "model_name": "mailinglist"})
    assert autocomplete.status_code == 403  # no autocomplete is declared: nothing to read through it


@pytest.mark.django_db
def test_the_dashboard_and_analytics_show_only_the_users_accounts(owner, other, both):
    _, theirs = both
    viewer = logged_in(staff_user("viewer", [(owner.account, "viewer")]))
    index = viewer.get("/admin/", {"account": other.account.pk})
    board = index.context["dashboard"]
    assert board.account == owner.account and board.accounts == [owner.account]
    assert "other@example.org" not in index.content.decode()

    page = viewer.get("/admin/analytics/", {"account": other.account.pk})
    assert page.context["report"].choice.account == owner.account
    assert [a.name for a in page.context["report"].accounts] == ["owner@example.com"]
    csv = viewer.get("/admin/analytics/figures.csv", {"account": other.account.pk})
    assert f"periods-{owner.account.pk}-" in csv["Content-Disposition"]
    assert viewer.get(f"/admin/analytics/campaigns/{theirs['campaign']}/").status_code == 404

    task = Task.objects.get(account=other.account)
    assert viewer.get(reverse("admin:tasks_task_errors_csv", args=[task.pk])).status_code == 404


@pytest.mark.django_db
def test_a_staff_user_without_roles_sees_no_app_and_no_page(both):
    nobody = logged_in(staff_user("nobody"))
    index = nobody.get("/admin/")
    assert index.status_code == 200 and index.context["app_list"] == []
    assert index.context["dashboard"].account is None
    for model, _ in _scoped_admins():
        assert nobody.get(_url(model, "changelist")).status_code == 403, _label(model)
    assert nobody.get("/admin/analytics/").context["report"].choice.account is None


@pytest.mark.django_db
def test_an_editor_changes_the_accounts_lists_but_not_its_keys_webhooks_or_roles(owner, both):
    mine, _ = both
    editor = logged_in(staff_user("editor", [(owner.account, "editor")]))
    response = editor.post(_url(MailingList, "change", mine["list"]), {"name": "Renamed", "active": "on"})
    assert response.status_code == 302 and MailingList.objects.get(pk=mine["list"]).name == "Renamed"
    response = editor.post(_url(MailingList, "add"), {"account": owner.account.pk, "name": "Fresh", "active": "on"})
    assert response.status_code == 302 and MailingList.objects.filter(account=owner.account, name="Fresh").exists()
    assert editor.get(_url(ApiKey, "changelist")).status_code == 403
    assert editor.get(_url(StaffRole, "changelist")).status_code == 403
    assert editor.get(reverse("admin:webhooks_endpoint_add")).status_code == 403
    assert editor.get(reverse("admin:domains_sendingdomain_changelist")).status_code == 200  # reads them
    account_page = editor.get(_url(Account, "change", owner.account.pk))
    assert account_page.status_code == 200 and not account_page.context["has_change_permission"]
    assert owner.account.signing_secret not in account_page.content.decode()  # the owner's


@pytest.mark.django_db
def test_an_owner_manages_keys_and_grants_roles_on_their_account_only(owner, other, both):
    boss_user = staff_user("boss", [(owner.account, "owner")])
    boss = logged_in(boss_user)
    newcomer = staff_user("newcomer")
    keys = boss.get(_url(ApiKey, "changelist")).context["cl"].queryset
    assert {key.account_id for key in keys} == {owner.account.pk}
    response = boss.post(_url(StaffRole, "add"), {"user": newcomer.pk, "account": owner.account.pk, "role": "editor"})
    assert response.status_code == 302
    assert StaffRole.objects.get(user=newcomer).role == "editor"
    response = boss.post(_url(StaffRole, "add"), {"user": newcomer.pk, "account": other.account.pk, "role": "owner"})
    assert response.status_code == 200 and not StaffRole.objects.filter(user=newcomer, account=other.account).exists()
    roles = boss.get(_url(StaffRole, "changelist")).context["cl"].queryset
    assert {role.account_id for role in roles} == {owner.account.pk}
    assert boss.get(_url(Account, "add")).status_code == 403  # accounts are made by a superuser
    response = boss.post(
        _url(Account, "change", owner.account.pk),
        {"name": "owner@example.com", "send_rate_per_second": "5", "send_rate_per_hour": "", **_no_inline_keys()},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Account.objects.get(pk=owner.account.pk).send_rate_per_second == 5
    assert owner.account.signing_secret in boss.get(_url(Account, "change", owner.account.pk)).content.decode()


def _no_inline_keys() -> dict:
    return {f"api_keys-{k}": v for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()}


@pytest.mark.django_db
def test_a_superuser_sees_every_account(owner, other, both):
    root = logged_in(staff_user("root", superuser=True))
    shown = root.get(_url(MailingList, "changelist")).context["cl"].queryset
    assert {row.account_id for row in shown} == {owner.account.pk, other.account.pk}
    assert root.get(_url(MailingList, "change", 10**9)).status_code == 302  # Django's "perhaps it was deleted"
