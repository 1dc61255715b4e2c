"""The per-process caches of API keys and field types (api/epoch_cache.py): used within requests, and never
trusted once another process (another app server) has changed what they hold."""

from django.db import connection
from django.utils import timezone

from accounts.models import ApiKey
from api import epoch_cache
from api.redis_client import redis_client
from fields.models import Field
from lists.services import list_create
from tests.helpers import assert_problem


def subscribe_url(owner) -> str:
    mailing_list = list_create(account=owner.account, name="News")
    return f"/accounts/{owner.name}/lists/{mailing_list.pk}/subscribers"


def another_server_revokes(owner):
    """What api_key_revoke does on another machine: the row (with SQL: the queryset would move the epoch at once);
    then ``other_server_invalidates`` is its move of the shared epoch."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ApiKey._meta.db_table} SET revoked_at = %s", [timezone.now()])


def other_server_invalidates():
    redis_client().incr(epoch_cache.EPOCH_KEY)


def test_a_key_is_read_once_then_served_from_the_cache(api, owner, django_assert_num_queries):
    home = f"/accounts/{owner.name}"
    assert api.get(home).status_code == 200
    with django_assert_num_queries(0):  # the account's home needs nothing but the key
        assert api.get(home).status_code == 200


def test_a_key_revoked_by_another_server_is_refused_on_the_next_request(api, owner):
    home = f"/accounts/{owner.name}"
    assert api.get(home).status_code == 200
    another_server_revokes(owner)
    assert api.get(home).status_code == 200, "served from the cache: the shared epoch has not moved"
    other_server_invalidates()  # the other server's invalidate()
    assert_problem(api.get(home), 401, "/errors/401.1-invalid-token", 1)


def test_redis_losing_the_epoch_drops_every_cached_entry(api, owner):
    home = f"/accounts/{owner.name}"
    assert api.get(home).status_code == 200
    another_server_revokes(owner)
    redis_client().delete(epoch_cache.EPOCH_KEY)  # Redis restarted empty
    assert api.get(home).status_code == 401


def test_revoking_here_is_seen_at_once(api, owner):
    from accounts.services import api_key_revoke

    home = f"/accounts/{owner.name}"
    assert api.get(home).status_code == 200
    api_key_revoke(api_key=ApiKey.objects.get(account=owner.account))
    assert api.get(home).status_code == 401


def test_without_redis_nothing_is_cached(api, owner, settings):
    settings.REDIS_URL = None  # the embedded default
    home = f"/accounts/{owner.name}"
    assert api.get(home).status_code == 200
    another_server_revokes(owner)
    assert api.get(home).status_code == 401


def test_an_unreachable_redis_means_no_cache_not_an_error(api, owner, settings):
    home = f"/accounts/{owner.name}"
    assert api.get(home).status_code == 200
    another_server_revokes(owner)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    assert epoch_cache._read_epoch() is None
    assert api.get(home).status_code == 401  # read from PostgreSQL; the rate limit lets it through


def test_a_field_created_by_another_server_is_known_once_the_epoch_moves(api, owner):
    url = subscribe_url(owner)
    body = {"emailAddress": "ann@example.com", "fields": [{"fieldName": "plan", "value": "gold"}]}
    assert api.post(url, body).status_code == 400  # unknown field; the account's field types are now cached
    Field.objects.bulk_create([Field(account=owner.account, name="plan", label="Plan", type="string")])
    other_server_invalidates()
    assert api.post(url, body).status_code == 201


def test_a_field_created_through_the_api_is_usable_at_once(api, owner):
    url = subscribe_url(owner)
    body = {"emailAddress": "ann@example.com", "fields": [{"fieldName": "plan", "value": "gold"}]}
    assert api.post(url, body).status_code == 400
    assert api.post(f"/accounts/{owner.name}/fields", {"fieldName": "plan", "type": "string"}).status_code == 200
    assert api.post(url, body).status_code == 201


def test_outside_a_request_nothing_is_cached(db):
    assert epoch_cache.current_epoch() is None


def count_round_trips(monkeypatch) -> list:
    """Every command batch this process sends to the real Redis (a pipeline is one)."""
    import redis.connection

    sent = []
    real = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return real(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return sent


def test_a_known_key_costs_one_round_trip_to_redis_and_is_still_rate_limited(api, owner, monkeypatch, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    home = f"/accounts/{owner.name}"
    sent = count_round_trips(monkeypatch)
    assert api.get(home).status_code == 200
    # A key this process does not know yet: the epoch, then the rate limit's count (the first time, redis-py
    # may also load a script).
    assert len(sent) >= 2
    sent.clear()
    assert api.get(home).status_code == 200
    assert len(sent) == 1, "a known key: its count rides with the epoch's read"
    assert api.get(home).status_code == 200
    assert_problem(api.get(home), 429, "/errors/429.1-too-many-requests", 1)  # the 4th of 3 in the window
    other_server_invalidates()  # the cached entry no longer trusted: the count still happens once
    assert_problem(api.get(home), 429, "/errors/429.1-too-many-requests", 1)
    key_pk = ApiKey.objects.get(account=owner.account).pk
    assert int(redis_client().get(f"throttle:api-key:{key_pk}")) == 5
