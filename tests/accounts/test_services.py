import hashlib
import re

import pytest
from django.db import IntegrityError, connection

from accounts.models import Account, ApiKey
from accounts.services import account_get_or_create, api_key_authenticate, api_key_issue, api_key_revoke


@pytest.mark.django_db
def test_account_name_is_unique_case_insensitively():
    account, created = account_get_or_create(name="Shop@Example.com")
    again, created_again = account_get_or_create(name="shop@example.COM")
    assert created and not created_again and again.pk == account.pk
    with pytest.raises(IntegrityError):
        Account.objects.create(name="SHOP@example.com")


@pytest.mark.django_db
def test_key_is_32_hex_and_only_its_hash_is_stored():
    account, _ = account_get_or_create(name="a@example.com")
    api_key, raw = api_key_issue(account=account, name="ci")
    assert re.fullmatch(r"[0-9a-f]{32}", raw)
    assert api_key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert api_key.prefix == raw[:8]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apikey")
        rows = cursor.fetchall()
    assert rows and all(raw not in str(row) for row in rows)


@pytest.mark.django_db
def test_authenticate_and_revoke():
    account, _ = account_get_or_create(name="a@example.com")
    api_key, raw = api_key_issue(account=account)
    assert api_key_authenticate(raw).pk == api_key.pk
    assert api_key_authenticate(raw.upper()).pk == api_key.pk
    assert api_key_authenticate(raw[:-1] + ("0" if raw[-1] != "0" else "1")) is None
    api_key_revoke(api_key=api_key)
    assert api_key_authenticate(raw) is None
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None


@pytest.mark.django_db
def test_many_keys_per_account_each_work():
    account, _ = account_get_or_create(name="a@example.com")
    raws = [api_key_issue(account=account)[1] for _ in range(3)]
    assert {api_key_authenticate(raw).account_id for raw in raws} == {account.pk}
