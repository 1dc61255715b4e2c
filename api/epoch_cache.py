"""Per-process caches of rows that rarely change (an API key with its account, an account's field types),
kept true across processes and machines by one shared epoch in Redis.

Whoever changes such a row calls ``invalidate()``: it increments the epoch in Redis at once and again when
the transaction commits. A request reads the epoch once, the first time it asks a cache; an entry is used
only if it was stored under that same epoch. So a revoked key, a renamed account or a new field is seen by
the next request on every app server.

Nothing is cached without Redis (the embedded default), outside a request (jobs, commands), or when Redis
cannot be reached: every lookup then goes to the database. An entry also expires after
``MAX_AGE_SECONDS``, a backstop should an increment ever be lost.
"""

import contextvars
import logging
import time

import redis
from django.core.signals import request_finished, request_started
from django.db import transaction

from api.redis_client import redis_client, run_script
from api.throttling import WINDOW_SECONDS, count_lua, remember_count

EPOCH_KEY = "emailapi:cache-epoch"
MAX_AGE_SECONDS = 60
MAX_ENTRIES = 10_000

logger = logging.getLogger(__name__)
_OUTSIDE_REQUEST, _NOT_READ = object(), object()
_request_epoch = contextvars.ContextVar("cache_epoch", default=_OUTSIDE_REQUEST)
_caches: list["EpochCache"] = []


def _on_request_started(**kwargs) -> None:
    _request_epoch.set(_NOT_READ)


def _on_request_finished(**kwargs) -> None:
    _request_epoch.set(_OUTSIDE_REQUEST)


request_started.connect(_on_request_started, dispatch_uid="epoch_cache_request_started")
request_finished.connect(_on_request_finished, dispatch_uid="epoch_cache_request_finished")


def current_epoch(*, rate_window: str | None = None) -> int | None:
    """This request's epoch (read from Redis once per request), or None when caching is off.

    ``rate_window``: a rate-limit window (``api.throttling``) to count in the same round trip, if the epoch
    is read now.
    """
    epoch = _request_epoch.get()
    if epoch is _OUTSIDE_REQUEST:
        return None
    if epoch is _NOT_READ:
        epoch = _read_epoch(rate_window)
        _request_epoch.set(epoch)
    return epoch


# KEYS[1]: the epoch; ARGV[1]: its new value should Redis have lost it (or never had it), one no process
# can have seen. With KEYS[2] and ARGV[2], a rate-limit window counted in the same call.
_READ_LUA = (
    "local epoch = redis.call('GET', KEYS[1])\n"
    "if not epoch then\n"
    "  redis.call('SET', KEYS[1], ARGV[1], 'NX')\n"
    "  epoch = redis.call('GET', KEYS[1])\n"
    "end\n"
    "if #KEYS == 1 then return {epoch} end\n" + count_lua(2) + "return {epoch, counted}\n"
)


def _read_epoch(rate_window: str | None = None) -> int | None:
    client = redis_client()
    if client is None:
        return None
    try:
        keys, args = [EPOCH_KEY], [time.time_ns()]
        if rate_window is not None:
            keys.append(rate_window)
            args.append(WINDOW_SECONDS)
        value, *counted = run_script(client, _READ_LUA, keys, args)
        if counted:
            remember_count(rate_window, WINDOW_SECONDS, counted[0])
        return int(value)
    # Redis down or slow, or the key overwritten: no caching for this request, never an error.
    except (redis.RedisError, ValueError) as exc:
        logger.warning("cache epoch unreadable, caches bypassed: %s", exc)
        return None


def _increment() -> None:
    client = redis_client()
    if client is None:
        return
    try:
        client.incr(EPOCH_KEY)
    except redis.RedisError as exc:
        logger.warning("cache epoch not incremented (entries expire within %s s): %s", MAX_AGE_SECONDS, exc)


def invalidate() -> None:
    """Every process's cached rows are out of date: now, and again once this transaction commits."""
    for cache in _caches:
        cache.clear()
    _increment()
    transaction.on_commit(_increment)


class EpochCache:
    """key → value, valid while the shared epoch is the one the entry was stored under."""

    def __init__(self):
        self._entries: dict = {}
        _caches.append(self)

    def get(self, key, load, *, rate_window: str | None = None):
        """The cached value of ``key``, or ``load()``'s (stored unless it is None). ``rate_window``: see
        ``current_epoch``."""
        epoch = current_epoch(rate_window=rate_window)
        if epoch is None:
            return load()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] == epoch and now - entry[1] < MAX_AGE_SECONDS:
            return entry[2]
        value = load()
        if value is not None:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries = {}
            self._entries[key] = (epoch, now, value)
        return value

    def peek(self, key):
        """The value last stored under ``key``, whatever its epoch (only a hint: ``get`` decides), or None."""
        entry = self._entries.get(key)
        return None if entry is None else entry[2]

    def clear(self) -> None:
        self._entries = {}
