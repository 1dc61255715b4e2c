"""The per-key window counter behind the rate limit: exact under concurrency, closed after its window."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.throttling import window_hit


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "process-cache"])
def test_concurrent_hits_are_each_counted_once(settings, with_redis):
    if not with_redis:
        settings.REDIS_URL = None  # the embedded default's path, through Django's cache
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(count for count, _ in pool.map(lambda _: window_hit("throttle:test:concurrent"), range(400)))
    assert counts == list(range(1, 401))


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "process-cache"])
def test_the_window_closes_and_a_new_one_opens(settings, with_redis):
    if not with_redis:
        settings.REDIS_URL = None
    first, left = window_hit("throttle:test:window", window=1)
    assert first == 1 and 0 < left <= 1
    assert window_hit("throttle:test:window", window=1)[0] == 2
    time.sleep(1.2)
    assert window_hit("throttle:test:window", window=1)[0] == 1


def test_an_unreachable_redis_lets_requests_through_and_says_so(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    assert window_hit("throttle:test:down") == (0, 60.0)
    assert "rate limit not enforced" in caplog.text
