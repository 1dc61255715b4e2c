"""A revoked key stops working on every app server at once, or the revocation fails and changes nothing.

Every path that can revoke a key or change an account is covered: the service, the admin, a queryset
``update()``; a Redis that fails mid-revocation; a process that has no Redis at all.
"""

import time

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, ApiKey
from accounts.services import api_key_issue, api_key_revoke
from api import epoch_cache
from tests.helpers import assert_problem


def home(owner) -> str:
    return f"/accounts/{owner.name}"


def test_a_redis_failure_during_revocation_rolls_it_back_and_raises(api, owner, monkeypatch):
    assert api.get(home(owner)).status_code == 200  # cached on this process (and, in production, on others)
    api_key = ApiKey.objects.get(account=owner.account)

    def broken(*args, **kwargs):
        raise epoch_cache.redis.ConnectionError("Redis went away")

    monkeypatch.setattr(epoch_cache, "run_script", broken)
    with pytest.raises(epoch_cache.CacheInvalidationError):
        api_key_revoke(api_key=api_key)
    api_key.refresh_from_db()
    assert api_key.revoked_at is None, "the other servers were not told: the key must stay active"


@pytest.mark.parametrize(
    "write",
    [
        lambda owner: ApiKey.objects.filter(account=owner.account).update(revoked_at=timezone.now()),
        lambda owner: Account.objects.filter(pk=owner.account.pk).update(name="renamed@example.com"),
        lambda owner: ApiKey.objects.filter(account=owner.account).delete(),
        lambda owner: Account.objects.bulk_update([Account(pk=owner.account.pk, name="renamed@example.com")], ["name"]),
    ],
    ids=["key-update", "account-update", "key-delete", "account-bulk-update"],
)
def test_a_queryset_write_moves_the_shared_epoch(api, owner, write):
    assert api.get(home(owner)).status_code == 200
    before = epoch_cache.redis_client().get(epoch_cache.EPOCH_KEY)
    write(owner)
    assert epoch_cache.redis_client().get(epoch_cache.EPOCH_KEY) != before, "other servers would keep the row"
    assert api.get(home(owner)).status_code in (401, 403, 404)


def test_touching_last_used_at_does_not_invalidate(owner):
    before = epoch_cache.redis_client().get(epoch_cache.EPOCH_KEY)
    ApiKey.objects.filter(account=owner.account).update(last_used_at=timezone.now())
    assert epoch_cache.redis_client().get(epoch_cache.EPOCH_KEY) == before


def test_nothing_is_cached_while_an_invalidating_transaction_is_open(
    owner, monkeypatch, django_capture_on_commit_callbacks
):
    """A request on another server that reads the new epoch before the revocation commits would otherwise load
    the still-active row and cache it under the new epoch; should the increment after commit then be lost, it
    would be served for as long as entries live."""
    monkeypatch.setattr(epoch_cache, "PENDING_SECONDS", 30)
    with django_capture_on_commit_callbacks(execute=True):
        epoch_cache.invalidate()
        assert epoch_cache._read_epoch() is None, "a pending invalidation: no request may cache"
    assert epoch_cache._read_epoch() is not None  # committed: caching resumes


def test_a_pending_invalidation_that_never_commits_expires(owner, monkeypatch):
    monkeypatch.setattr(epoch_cache, "PENDING_SECONDS", 0.2)
    with transaction.atomic():
        epoch_cache.invalidate()
        transaction.set_rollback(True)  # the revocation failed: no on_commit
    assert epoch_cache._read_epoch() is None
    time.sleep(0.3)
    assert epoch_cache._read_epoch() is not None


def test_a_revocation_no_redis_hears_of_is_seen_within_the_trust_window(api, owner, monkeypatch):
    """A process without REDIS_URL (a shell, a cron job) sharing the database cannot move the epoch: a Redis-backed
    server trusts a cached key only for TRUST_SECONDS, so such a revocation is seen everywhere that fast."""
    assert api.get(home(owner)).status_code == 200
    with connection.cursor() as cursor:  # the row changes, the epoch does not
        cursor.execute(f"UPDATE {ApiKey._meta.db_table} SET revoked_at = now()")
    assert api.get(home(owner)).status_code == 200
    assert epoch_cache.MAX_AGE_SECONDS <= 5
    later = time.monotonic() + epoch_cache.MAX_AGE_SECONDS
    monkeypatch.setattr(epoch_cache.time, "monotonic", lambda: later)
    assert_problem(api.get(home(owner)), 401, "/errors/401.1-invalid-token", 1)


def _redis_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise epoch_cache.redis.ConnectionError("Redis went away")

    monkeypatch.setattr(epoch_cache, "run_script", broken)


def test_a_field_change_redis_cannot_spread_is_a_503_and_changes_nothing(api, owner, monkeypatch):
    path = f"{home(owner)}/fields"
    assert api.post(path, {"fieldName": "city", "type": "string", "label": "City"}).status_code == 200
    _redis_fails(monkeypatch)
    response = api.put(f"{path}/city", {"label": "Town", "private": True})
    body = assert_problem(response, 503)
    assert response["Retry-After"] and "6379" not in body["detail"]  # Redis's address stays in the log
    monkeypatch.undo()
    field = api.get(f"{path}/city").json()
    assert (field["label"], field["private"]) == ("City", False)  # told "nothing was changed": nothing was


def test_the_admin_revokes_all_the_selected_keys_or_none(owner, monkeypatch, client):
    api_key_issue(account=owner.account, name="second")
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "a-password-for-the-test"))
    keys = list(ApiKey.objects.filter(account=owner.account).values_list("pk", flat=True))
    _redis_fails(monkeypatch)
    response = client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": keys}, follow=True)
    assert response.status_code == 200
    assert "Nothing was revoked" in response.content.decode()
    assert not ApiKey.objects.filter(pk__in=keys, revoked_at__isnull=False).exists()
