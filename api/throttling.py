"""The per-API-key rate limit: at most ``API_RATE_LIMIT_PER_MINUTE`` requests in a window of 60 s that
opens with the key's first request (a fixed window per key, so a client sees a whole budget at once and
`Retry-After` is the time until its window closes).

With Redis the count is one atomic round trip (``INCR``, ``EXPIRE … NX`` and ``TTL`` in a Lua script): no
lost update between two app servers, and a cost that does not grow with the limit (DRF's own throttle
reads and writes the list of every request's time in the window). When this process already knows the key,
the count rides in the call that reads the request's cache epoch (``api.epoch_cache``), and the throttle
takes it from there: one round trip to Redis per request instead of two. Without Redis (the embedded
default) the process's cache counts. While Redis cannot be reached the limit is not enforced (a warning is
logged): the API keeps answering what needs only PostgreSQL, and /readyz reports Redis down.
"""

import contextlib
import contextvars
import logging
import math
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_started
from rest_framework.throttling import BaseThrottle

from api.redis_client import redis_client, run_script

WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


# The window counted ahead in this request, (key, what window_hit answers), by remember_count().
_counted_ahead = contextvars.ContextVar("rate_windows_counted_ahead", default=None)
request_started.connect(
    lambda **kwargs: _counted_ahead.set(None), weak=False, dispatch_uid="throttling_request_started"
)


def api_key_window(api_key_pk: int) -> str:
    return f"throttle:api-key:{api_key_pk}"


def count_lua(n: int) -> str:
    """Lua that counts one request under KEYS[n] in a window of ARGV[n] seconds opened by its first request,
    leaving ``{count, seconds left}`` in the local ``counted``."""
    return (
        f"local count = redis.call('INCR', KEYS[{n}])\n"
        f"redis.call('EXPIRE', KEYS[{n}], ARGV[{n}], 'NX')\n"
        f"local counted = {{count, redis.call('TTL', KEYS[{n}])}}\n"
    )


_COUNT_LUA = count_lua(1) + "return counted\n"


def _hit(window: int, counted) -> tuple[int, float]:
    count, ttl = counted
    return int(count), float(ttl if ttl > 0 else window)


def remember_count(key: str, window: int, counted) -> None:
    """Keep what a script's ``counted`` says for this request's ``window_hit(key)``."""
    _counted_ahead.set((key, _hit(window, counted)))


def window_hit(key: str, window: int = WINDOW_SECONDS) -> tuple[int, float]:
    """Count one request under ``key``: (requests in its window so far, seconds until the window closes).

    Already counted when ``api.epoch_cache`` read this request's epoch with it: then no round trip."""
    ahead = _counted_ahead.get()
    if ahead is not None and ahead[0] == key:
        _counted_ahead.set(None)  # counted once: a second hit in this request counts again
        return ahead[1]
    client = redis_client()
    if client is not None:
        try:
            return _hit(window, run_script(client, _COUNT_LUA, [key], [window]))
        except redis.RedisError as exc:
            logger.warning("rate limit not enforced, Redis unreachable: %s", exc)
            return 0, float(window)
    now = time.monotonic()
    for _ in range(2):  # the window may close between add and incr: then open the next one
        cache.add(f"{key}:closes", now + window, timeout=window)
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:
            continue
        return count, max(0.0, cache.get(f"{key}:closes", now + window) - now)
    return 1, float(window)


_REFUND_LUA = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end\nreturn 0\n"


def window_refund(key: str) -> None:
    """Take back one request counted under ``key`` (a 304: it costs the client nothing). A window that closed
    meanwhile is left alone."""
    client = redis_client()
    if client is not None:
        try:
            run_script(client, _REFUND_LUA, [key], [])
        except redis.RedisError as exc:
            logger.warning("rate limit refund lost, Redis unreachable: %s", exc)
        return
    with contextlib.suppress(ValueError):  # the window closed meanwhile
        cache.decr(key)


@dataclass
class RateLimit:
    """This request's place in its key's window: the ``RateLimit-*`` headers (IETF draft
    draft-ietf-httpapi-ratelimit-headers) of every authenticated answer."""

    key: str
    limit: int
    count: int
    seconds_left: float

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "RateLimit-Reset": str(max(0, math.ceil(self.seconds_left))),
        }


def refund(request) -> None:
    """The request (a Django request) was answered 304: it does not count against its key's limit."""
    state = getattr(request, "rate_limit", None)
    if state is not None and state.count > 0:
        window_refund(state.key)
        state.count -= 1


class ApiKeyRateThrottle(BaseThrottle):
    """A per-API-key request budget per minute (``API_RATE_LIMIT_PER_MINUTE``)."""

    def allow_request(self, request, view) -> bool:
        api_key = getattr(request, "auth", None)
        if api_key is None or not hasattr(api_key, "pk"):
            return True
        if getattr(request._request, "precondition_probe", False):  # api.conditional: counted by its request
            return True
        key = api_key_window(api_key.pk)
        count, self.seconds_left = window_hit(key)
        limit = settings.API_RATE_LIMIT_PER_MINUTE
        request._request.rate_limit = RateLimit(key, limit, count, self.seconds_left)
        return count <= limit

    def wait(self) -> float:
        return self.seconds_left
