"""An expired key is refused like a revoked one; "last used" is written at most once a minute per key, whatever the
number of processes."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import ApiKey
from api import epoch_cache
from tests.helpers import ApiClient, assert_problem
from tests.keys.builders import key_with


def test_an_expired_key_is_a_401_that_says_so(owner, monkeypatch):
    ends = timezone.now() + timedelta(hours=1)
    soon = key_with(owner, "read", expires_at=ends)
    api = ApiClient(soon)
    home = f"/accounts/{owner.name}"
    assert api.get(f"{home}/lists").status_code == 200  # cached by this process from here on
    monkeypatch.setattr(timezone, "now", lambda: ends)
    body = assert_problem(api.get(f"{home}/lists"), 401, "/errors/401.1-invalid-token", 1)
    assert "expired at" in body["detail"]
    assert soon.key not in body["detail"]


def _updates(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and ApiKey._meta.db_table in q["sql"])


def _get(api, owner):
    assert api.get(f"/accounts/{owner.name}/lists").status_code == 200


def test_last_used_is_written_once_a_minute_per_key(owner, monkeypatch):
    api = ApiClient(owner)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            _get(api, owner)
    assert _updates(queries.captured_queries) == 1
    written = ApiKey.objects.get(account=owner.account).last_used_at
    assert written is not None

    # Another app server, which read the key before this one wrote (its own minute says "write"): Redis says the
    # minute's write is done.
    epoch_cache.redis_client().incr(epoch_cache.EPOCH_KEY)  # this process reads the row again...
    with connection.cursor() as cursor:  # ...as the other server saw it: never used
        cursor.execute(f"UPDATE {ApiKey._meta.db_table} SET last_used_at = NULL")
    with CaptureQueriesContext(connection) as queries:
        _get(api, owner)
        _get(api, owner)
    assert _updates(queries.captured_queries) == 0

    # A minute later, one write again.
    later = timezone.now() + services.LAST_USED_RESOLUTION
    monkeypatch.setattr(timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            _get(api, owner)
    assert _updates(queries.captured_queries) == 1
    assert ApiKey.objects.get(account=owner.account).last_used_at == later


def test_without_redis_each_process_writes_once_a_minute(owner, settings):
    settings.REDIS_URL = ""
    api = ApiClient(owner)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(4):
            _get(api, owner)
    assert _updates(queries.captured_queries) == 1
