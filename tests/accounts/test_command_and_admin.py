import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import Account, ApiKey
from accounts.services import api_key_authenticate


@pytest.mark.django_db
def test_create_account_prints_the_key_alone_on_the_last_line():
    out = StringIO()
    call_command("create_account", "demo@example.com", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert api_key_authenticate(key).account.name == "demo@example.com"
    out2 = StringIO()
    call_command("create_account", "DEMO@example.com", stdout=out2)
    assert Account.objects.count() == 1
    assert ApiKey.objects.count() == 2


@pytest.mark.django_db
def test_create_account_rejects_a_non_email_name():
    with pytest.raises(CommandError):
        call_command("create_account", "not an email", stdout=StringIO())


def test_admin_requires_login(db):
    response = Client().get("/admin/accounts/apikey/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_issues_a_key_shown_once_and_revokes(admin_client, owner):
    response = admin_client.post(
        "/admin/accounts/apikey/add/", {"account": owner.account.pk, "name": "from admin"}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    shown = re.search(r"New API key for [^:]+: ([0-9a-f]{32})", page)
    assert shown, page[:2000]
    raw = shown.group(1)
    api_key = api_key_authenticate(raw)
    assert api_key is not None and api_key.name == "from admin"
    # never shown again
    detail = admin_client.get(f"/admin/accounts/apikey/{api_key.pk}/change/").content.decode()
    listing = admin_client.get("/admin/accounts/apikey/").content.decode()
    assert raw not in detail and raw not in listing
    admin_client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
    assert api_key_authenticate(raw) is None


def test_admin_account_pages_render(admin_client, owner):
    assert admin_client.get("/admin/accounts/account/").status_code == 200
    assert admin_client.get(f"/admin/accounts/account/{owner.account.pk}/change/").status_code == 200
