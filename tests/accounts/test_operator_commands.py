"""The operator's account commands: list accounts and keys, issue and revoke a key, make run's kept demo key."""

import re
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, ApiKey
from accounts.services import api_key_authenticate
from tests.factories import make_account
from tests.helpers import ApiClient


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_list_accounts_shows_each_account_with_its_active_keys(db):
    make_account("b@example.com")
    owner = make_account("a@example.com")
    call_command("revoke_key", owner.name, owner.key[:8], stdout=StringIO())
    lines = run("list_accounts").strip().splitlines()
    assert "a@example.com" in lines[1] and "b@example.com" in lines[2]
    assert re.search(r"a@example\.com\s+0\s", lines[1]) and re.search(r"b@example\.com\s+1\s", lines[2])


def test_issue_key_prints_a_working_key_alone_on_the_last_line(owner):
    key = run("issue_key", owner.name, "--key-name", "ops").strip().splitlines()[-1]
    found = api_key_authenticate(key)
    assert found.account == owner.account and found.name == "ops"
    listed = run("list_keys", owner.name)
    assert key[:8] in listed and "ops" in listed and key not in listed


def test_revoke_key_revokes_at_once_on_the_api_like_the_admin(owner):
    api = ApiClient(owner)
    assert api.get(f"/accounts/{owner.name}").status_code == 200  # the key is now in the process's cache
    output = run("revoke_key", owner.name, owner.key[:8])
    assert "revoked" in output
    assert api.get(f"/accounts/{owner.name}").status_code == 401
    assert "revoked" in run("list_keys", owner.name)


@pytest.mark.parametrize(
    "args, message",
    [
        (("issue_key", "nobody@example.com"), "no account nobody@example.com"),
        (("list_keys", "nobody@example.com"), "no account nobody@example.com"),
        (("revoke_key", "nobody@example.com", "abcdef01"), "no account nobody@example.com"),
        (("revoke_key", "owner@example.com", "abcdef01"), "no active key abcdef01"),
    ],
)
def test_unknown_account_or_key_is_one_clear_error(owner, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*args, stdout=StringIO())


def test_create_account_keeps_the_key_in_a_file_and_prints_the_same_one(db, tmp_path):
    key_file = tmp_path / "demo_key"
    first = run("create_account", "demo@example.com", "--key-file", str(key_file)).strip().splitlines()[-1]
    again = run("create_account", "demo@example.com", "--key-file", str(key_file)).strip().splitlines()[-1]
    assert first == again == key_file.read_text().strip()
    assert ApiKey.objects.count() == 1
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Revoked: a new one, stored.
    call_command("revoke_key", "demo@example.com", first[:8], stdout=StringIO())
    renewed = run("create_account", "demo@example.com", "--key-file", str(key_file)).strip().splitlines()[-1]
    assert renewed != first and renewed == key_file.read_text().strip()
    assert api_key_authenticate(renewed).account.name == "demo@example.com"
    # The database was reset: a new one too.
    Account.objects.all().delete()
    reset = run("create_account", "demo@example.com", "--key-file", str(key_file)).strip().splitlines()[-1]
    assert reset not in (first, renewed) and api_key_authenticate(reset) is not None
    assert ApiKey.objects.count() == 1
