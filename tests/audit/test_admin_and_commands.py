"""The same trail for the back office (the staff user) and for the management commands (the command's name)."""

from io import StringIO

from django.core.management import call_command

from accounts.models import Account, ApiKey
from api.audit import COMMAND, STAFF
from audit.models import AuditEntry
from lists.models import MailingList
from tests.subscribers.builders import create_list

from .builders import new_entries, one_entry

LISTS = "/admin/lists/mailinglist"


def test_a_list_written_in_the_admin_is_recorded_as_the_staff_users(owner, admin_client, admin_user):
    with new_entries() as entries:
        response = admin_client.post(f"{LISTS}/add/", {"account": owner.account.pk, "name": "Weekly", "active": "on"})
    assert response.status_code == 302
    entry = one_entry(entries)
    weekly = MailingList.objects.get(account=owner.account, name="Weekly")
    assert (entry.actor_kind, entry.actor_id, entry.actor_name) == (STAFF, admin_user.username, "")
    assert (entry.account_id, entry.action, entry.object_id) == (owner.account.pk, "list.create", str(weekly.pk))
    assert entry.request_id == response["X-Request-ID"]
    with new_entries() as entries:
        admin_client.post(f"{LISTS}/{weekly.pk}/delete/", {"post": "yes"})
    assert (one_entry(entries).action, one_entry(entries).actor_kind) == ("list.delete", STAFF)


def test_an_admin_action_on_many_records_one_entry_each(owner, admin_client, api):
    ids = [create_list(api, name) for name in ("A", "B")]
    key = ApiKey.objects.create(account=owner.account, prefix="feedbeef", key_hash="0" * 64, name="k")
    with new_entries() as entries:
        admin_client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert [(e.action, e.actor_kind, e.object_id) for e in entries] == [("key.revoke", STAFF, str(key.pk))]
    assert ids


def test_the_admin_shows_the_trail_read_only(owner, admin_client, api):
    create_list(api, "News")
    entry = AuditEntry.objects.get(account=owner.account, action="list.create")
    listing = admin_client.get("/admin/audit/auditentry/")
    assert listing.status_code == 200 and "list.create" in listing.content.decode()
    assert admin_client.get("/admin/audit/auditentry/?actor_kind__exact=key&q=list.create").status_code == 200
    page = admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and entry.request_id in page.content.decode()
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403


def test_commands_are_recorded_as_themselves(db):
    with new_entries() as entries:
        call_command("create_account", "ops@example.com", stdout=StringIO())
    account = Account.objects.get(name="ops@example.com")
    assert [(e.action, e.actor_kind, e.actor_id, e.account_id) for e in entries] == [
        ("account.create", COMMAND, "create_account", account.pk),
        ("key.create", COMMAND, "create_account", account.pk),
    ]
    assert all(e.request_id == "" for e in entries)
    with new_entries() as entries:
        call_command("issue_key", "ops@example.com", "--key-name", "ci", stdout=StringIO())
    entry = one_entry(entries)
    assert (entry.action, entry.actor_id, entry.details["name"]) == ("key.create", "issue_key", "ci")
    with new_entries() as entries:
        call_command("revoke_key", "ops@example.com", entry.details["prefix"], stdout=StringIO())
    assert (one_entry(entries).action, one_entry(entries).actor_id) == ("key.revoke", "revoke_key")


def test_a_read_only_command_records_nothing(owner):
    with new_entries() as entries:
        call_command("list_keys", owner.name, stdout=StringIO())
    assert entries == []


def test_an_admin_edit_no_service_makes_is_recorded_from_the_admins_log(owner, admin_client, admin_user):
    """Renaming an API key in the admin writes the row directly: the admin's log entry gives the trail's."""
    key = owner.account.api_keys.get()
    form = {"name": "renamed", "account": owner.account.pk}
    with new_entries() as entries:
        response = admin_client.post(f"/admin/accounts/apikey/{key.pk}/change/", form)
    assert response.status_code == 302, response.content[:500]
    entry = one_entry(entries)
    assert (entry.action, entry.object_type, entry.object_id) == ("apikey.update", "apikey", str(key.pk))
    assert (entry.actor_kind, entry.actor_id, entry.account_id) == (STAFF, admin_user.username, owner.account.pk)
