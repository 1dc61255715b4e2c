"""API keys: only a hash is stored, the comparison is constant-time, and a key is shown once only.

The database is read with SQL, not through the models, so nothing in between can hide a plaintext.
"""

import base64
import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import accounts.services
from accounts.models import ApiKey
from accounts.services import api_key_authenticate, api_key_revoke
from tests.factories import make_account
from tests.helpers import ApiClient, assert_problem

UNKNOWN = "0123456789abcdef0123456789abcdef"


def _tables_containing(text: str) -> list[str]:
    """Every table of the database with a row whose text form contains ``text`` (case-insensitive)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {quoted} AS t WHERE t::text ILIKE %s", [f"%{text}%"])
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def test_the_key_table_holds_a_hash_and_a_prefix_never_the_key(owner, other):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiKey._meta.db_table}")
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    assert len(rows) == 2
    for who in (owner, other):
        (row,) = [row for row in rows if row["key_hash"] == hashlib.sha256(who.key.encode()).hexdigest()]
        assert row["prefix"] == who.key[: ApiKey.PREFIX_LENGTH]
        for value in row.values():
            assert who.key not in str(value).lower()
            assert who.key[ApiKey.PREFIX_LENGTH :] not in str(value).lower()  # not even the secret part


def test_no_table_of_the_database_holds_a_key(owner):
    ApiClient(owner).get(f"/accounts/{owner.name}/lists")  # used once: last_used_at is written
    assert _tables_containing(owner.key) == []
    assert _tables_containing(owner.key[ApiKey.PREFIX_LENGTH :]) == []


def test_a_key_is_found_by_its_prefix_and_compared_by_hash_in_constant_time(owner, monkeypatch):
    compared = []
    real = accounts.services.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(accounts.services.hmac, "compare_digest", spy)
    with CaptureQueriesContext(connection) as queries:
        assert api_key_authenticate(owner.key.upper()).account == owner.account
    digest = hashlib.sha256(owner.key.encode()).hexdigest()
    assert compared == [(digest, digest)]
    # The query carries the prefix only: the database never sees the key, and the hash is not its index.
    assert all(owner.key not in query["sql"].lower() for query in queries.captured_queries)
    assert any(owner.key[: ApiKey.PREFIX_LENGTH] in query["sql"] for query in queries.captured_queries)
    wrong = owner.key[: ApiKey.PREFIX_LENGTH] + "0" * 24
    compared.clear()
    assert api_key_authenticate(wrong) is None
    assert len(compared) == 1  # the candidate with that prefix was compared, not skipped early


def _every_way_to_send(key: str) -> list[dict]:
    basic = base64.b64encode(f"user:{key}".encode()).decode()
    return [
        {"HTTP_AUTHORIZATION": f"Bearer {key}"},
        {"HTTP_AUTHORIZATION": f"Token {key}"},
        {"HTTP_AUTHORIZATION": f"OAuth2 {key}"},
        {"HTTP_AUTHORIZATION": f"Basic {basic}"},
        {"HTTP_AUTHORIZATION": key},
        {"HTTP_AUTHORIZATION": f"{key} {key}"},
        {"HTTP_AUTHORIZATION": f"Bearer {key}x"},
        {"HTTP_AUTHORIZATION": f"Basic {key}"},
        {"query": key},
    ]


def _get(path: str, how: dict):
    if "query" in how:
        return Client().get(f"{path}?access_token={how['query']}")
    return Client().get(path, **how)


@pytest.mark.parametrize("path", ["/accounts/owner@example.com/lists", "/api/v1/contacts"])
def test_a_refused_key_is_not_echoed(owner, path):
    revoked = make_account("revoked@example.com")
    api_key_revoke(api_key=ApiKey.objects.get(account=revoked.account))
    for key in (UNKNOWN, revoked.key, revoked.key.upper()):
        for how in _every_way_to_send(key):
            response = _get(path, how)
            assert_problem(response, 401)
            text = "\n".join([response.content.decode(), *(f"{n}: {v}" for n, v in response.items())])
            assert key.lower() not in text.lower(), (how, text)


def test_a_key_of_another_account_is_not_echoed(owner, other):
    for how in [*_every_way_to_send(other.key)[:4], {"query": other.key}]:
        response = _get(f"/accounts/{owner.name}/lists", how)
        assert_problem(response, 403, "/errors/403.1-forbidden-wrong-account")
        assert other.key not in response.content.decode()


def _admin_pages(client, owner) -> dict[str, str]:
    api_key = ApiKey.objects.get(prefix=owner.key[: ApiKey.PREFIX_LENGTH])
    paths = [
        "/admin/accounts/apikey/",
        f"/admin/accounts/apikey/{api_key.pk}/change/",
        f"/admin/accounts/apikey/{api_key.pk}/history/",
        "/admin/accounts/account/",
        f"/admin/accounts/account/{owner.account.pk}/change/",
        f"/admin/accounts/apikey/?q={owner.name}",
        f"/admin/accounts/apikey/?q={owner.key[: ApiKey.PREFIX_LENGTH]}",
        "/admin/",
    ]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = response.content.decode()
    return pages


def test_admin_pages_never_show_a_key(admin_client, owner):
    added = admin_client.post(
        "/admin/accounts/apikey/add/", {"account": owner.account.pk, "name": "second"}, follow=True
    )
    new_key = re.search(r"New API key for [^:]+: ([0-9a-f]{32})", added.content.decode()).group(1)
    pages = _admin_pages(admin_client, owner)
    for path, page in pages.items():
        for key in (owner.key, new_key):
            assert key not in page and key[ApiKey.PREFIX_LENGTH :] not in page, path
    assert owner.key[: ApiKey.PREFIX_LENGTH] in pages["/admin/accounts/apikey/"]  # the prefix identifies a key
    assert _tables_containing(new_key) == []  # not in the admin's log entries nor in the session's messages


def test_a_key_in_the_query_string_is_not_copied_into_links_or_errors(owner):
    api = ApiClient(owner)
    for n in range(3):
        assert api.post("/api/v1/contacts", {"emailAddress": f"c{n}@example.com"}).status_code == 201
    home = f"/accounts/{owner.name}"
    paths = [
        "/api/v1/contacts?limit=1",
        "/api/v1/contacts?cursor=&limit=1",
        "/api/v1/contacts?limit=1000",
        "/api/v1/contacts?nope=1",
        f"{home}/subscribers?per_page=5",
        f"{home}/subscribers?page=0",
        f"{home}",
        "/",
        "/api/v1/nowhere?x=1",
        f"{home}/lists/999999",
        "/api/v2/contacts?limit=1",
    ]
    for path in paths:
        response = Client().get(f"{path}{'&' if '?' in path else '?'}access_token={owner.key}")
        assert response.status_code < 500, path
        text = response.content.decode() + "".join(f"{n}: {v}" for n, v in response.items())
        assert owner.key not in text, path
