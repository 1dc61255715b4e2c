"""A key cannot give more rights than its own: not in scopes, not in time; nor revoke a key that has more."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiKey
from tests.helpers import assert_hypermedia, assert_problem
from tests.keys.builders import client_with, key_with

KEYS = "/api/v1/keys"


@pytest.mark.parametrize(
    "own, asked, refused",
    [
        (["keys:write", "lists:write"], ["lists:read", "lists:write"], []),
        (["keys:write", "lists:write"], ["campaigns:read"], ["campaigns:read"]),
        (["keys:write", "lists:read"], ["lists:write"], ["lists:write"]),
        (["keys:write", "read"], ["analytics:read", "webhooks:read", "read"], []),
        (["keys:write", "read"], ["full"], ["full"]),
        (["keys:write", "read"], ["exports:write"], ["exports:write"]),
        (["keys:write", "campaigns:read", "lists:read"], ["read"], ["read"]),  # read covers areas to come
        (["keys:write"], ["keys:read", "keys:write"], []),
        (["full"], ["full"], []),
    ],
)
def test_a_key_gives_only_scopes_it_holds(owner, own, asked, refused):
    api = client_with(owner, *own)
    before = ApiKey.objects.count()
    response = api.post(KEYS, {"name": "Child", "scopes": asked})
    if not refused:
        assert_hypermedia(response, 201, "new-api-key")
        return
    body = assert_problem(response, 403, "/errors/403.6-scope-escalation", 6)
    assert [e["field"] for e in body["errors"]] == [f"scopes[{asked.index(scope)}]" for scope in refused]
    assert all(scope in body["detail"] for scope in refused)
    assert ApiKey.objects.count() == before


def test_a_key_that_expires_makes_keys_that_expire_no_later(owner):
    ends = timezone.now() + timedelta(days=2)
    api = client_with(owner, "full", expires_at=ends)
    for asked in (None, (ends + timedelta(seconds=1)).isoformat()):
        body = assert_problem(api.post(KEYS, {"name": "Longer", "scopes": ["read"], "expiresAt": asked}), 403)
        assert body["type"] == "/errors/403.6-scope-escalation" and body["errors"][0]["field"] == "expiresAt"
    made = api.post(KEYS, {"name": "Shorter", "scopes": ["read"], "expiresAt": ends.isoformat()})
    assert assert_hypermedia(made, 201)["expiresAt"] is not None


def test_a_key_cannot_revoke_one_with_more_rights(owner):
    api = client_with(owner, "keys:write", "lists:write")
    full = ApiKey.objects.get(account=owner.account, name="test")  # the owner's full key
    body = assert_problem(api.post(f"{KEYS}/{full.pk}/revoke"), 403, "/errors/403.6-scope-escalation", 6)
    assert "full" in body["detail"]
    assert ApiKey.objects.get(pk=full.pk).revoked_at is None
    lesser = key_with(owner, "lists:read", name="lesser")
    lesser_id = ApiKey.objects.get(account=owner.account, name="lesser").pk
    assert_hypermedia(api.post(f"{KEYS}/{lesser_id}/revoke"), 200, "message")
    assert lesser.key  # revoked by a key that covers it


def test_keys_read_lists_but_cannot_create_or_revoke(owner):
    api = client_with(owner, "keys:read")
    assert_hypermedia(api.get(KEYS), 200, "api-keys-page")
    body = assert_problem(api.post(KEYS, {"name": "x", "scopes": ["read"]}), 403, "/errors/403.5-missing-scope", 5)
    assert body["requiredScopes"] == ["keys:write"] and "keys:write" in body["detail"]
    any_key = ApiKey.objects.filter(account=owner.account).first()
    assert_problem(api.post(f"{KEYS}/{any_key.pk}/revoke"), 403, "/errors/403.5-missing-scope", 5)
