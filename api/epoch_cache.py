"""Per-process caches of rows that rarely change (an API key with its account, an account's field types),
kept true across processes and machines by one shared epoch in Redis.

Whoever changes such a row calls ``invalidate()`` inside the change's transaction. It increments the epoch and
marks an invalidation pending, in one Redis call; if Redis is configured and that call fails it raises
``CacheInvalidationError``, so the change rolls back and its caller sees the error: a change is seen by every
app server, or it is not made. Once the transaction commits the pending mark is removed and the epoch moved
again. A request reads the epoch once, the first time it asks a cache, and caches nothing while an
invalidation is pending (it could read a row that is about to change); an entry is used only if it was stored
under that same epoch. A pending mark whose transaction never commits expires after ``PENDING_SECONDS``.

Nothing is cached without Redis (the embedded default), outside a request (jobs, commands), or when Redis
cannot be reached: every lookup then goes to the database. A process without Redis sharing the database with
servers that have it (a shell, a cron job started without REDIS_URL) cannot move their epoch: they trust an
entry for ``MAX_AGE_SECONDS`` at most, which bounds how long such a change takes to be seen everywhere
(README: Security).
"""

import contextvars
import logging
import time
import uuid

import redis
from django.core.signals import request_finished, request_started
from django.db import transaction

from api.problems import NOT_READY, ApiProblem
from api.redis_client import redis_client, run_script
from api.throttling import WINDOW_SECONDS, count_lua, remember_count

EPOCH_KEY = "emailapi:cache-epoch"
PENDING_KEY = "emailapi:cache-epoch-pending"  # a sorted set: invalidations not yet committed, by expiry time
PENDING_SECONDS = 30
# An entry's longest life: a change made where no Redis is configured is seen everywhere within it. A key is
# read from the database once per MAX_AGE_SECONDS per process at most, so the hot path barely notices.
MAX_AGE_SECONDS = 5
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


RETRY_AFTER_SECONDS = 5  # what a refused change tells the client to wait before trying again


class CacheInvalidationError(ApiProblem):
    """Redis is configured but did not take the invalidation: the change must not be made."""

    def __init__(self, exc: Exception):
        super().__init__(
            NOT_READY,
            # Redis's own message (its address) stays in the server's log: the client learns what to do.
            "The change could not reach every server (Redis did not answer); nothing was changed: retry it.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


# KEYS[1]: the epoch; ARGV[1]: its new value should Redis have lost it (or never had it), one no process
# can have seen; ARGV[2]: now, in seconds. KEYS[2]: the pending invalidations; while one is pending the epoch
# is answered as "" (cache nothing). With KEYS[3] and ARGV[3], a rate-limit window counted in the same call.
_READ_LUA = (
    "local epoch = redis.call('GET', KEYS[1])\n"
    "if not epoch then\n"
    "  redis.call('SET', KEYS[1], ARGV[1], 'NX')\n"
    "  epoch = redis.call('GET', KEYS[1])\n"
    "end\n"
    "if redis.call('ZCOUNT', KEYS[2], ARGV[2], '+inf') > 0 then epoch = '' end\n"
    "if #KEYS == 2 then return {epoch} end\n" + count_lua(3) + "return {epoch, counted}\n"
)
# KEYS[1]: the epoch, KEYS[2]: the pending set; ARGV[1]: this invalidation's id, ARGV[2]: its expiry (or "" once
# committed: it is removed), ARGV[3]: now. Expired marks are dropped on the way.
_INVALIDATE_LUA = (
    "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])\n"
    "if ARGV[2] == '' then redis.call('ZREM', KEYS[2], ARGV[1])\n"
    "else redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end\n"
    "return redis.call('INCR', KEYS[1])\n"
)


def _read_epoch(rate_window: str | None = None) -> int | None:
    client = redis_client()
    if client is None:
        return None
    try:
        keys, args = [EPOCH_KEY, PENDING_KEY], [time.time_ns(), time.time()]
        if rate_window is not None:
            keys.append(rate_window)
            args.append(WINDOW_SECONDS)
        value, *counted = run_script(client, _READ_LUA, keys, args)
        if counted:
            remember_count(rate_window, WINDOW_SECONDS, counted[0])
        return int(value) if value != b"" else None  # an invalidation is pending: cache nothing
    # Redis down or slow, or the key overwritten: no caching for this request, never an error.
    except (redis.RedisError, ValueError) as exc:
        logger.warning("cache epoch unreadable, caches bypassed: %s", exc)
        return None


def _increment(marker: str, *, committed: bool) -> None:
    client = redis_client()
    if client is None:
        return
    now = time.time()
    expiry = "" if committed else now + PENDING_SECONDS
    run_script(client, _INVALIDATE_LUA, [EPOCH_KEY, PENDING_KEY], [marker, expiry, now])


def _committed(marker: str) -> None:
    try:
        _increment(marker, committed=True)
    except redis.RedisError as exc:
        # The change is made; its pending mark stops every process caching until it expires, so nothing stale
        # is served meanwhile (only the caches' speed is lost, for PENDING_SECONDS).
        logger.error("cache epoch not moved after commit (caching off for %s s): %s", PENDING_SECONDS, exc)


def invalidate() -> None:
    """Every process's cached rows are out of date: call it inside the transaction that changes them.

    Raises ``CacheInvalidationError`` when Redis is configured but does not take it: the transaction rolls back.
    """
    for cache in _caches:
        cache.clear()
    marker = uuid.uuid4().hex
    try:
        _increment(marker, committed=False)
    except redis.RedisError as exc:
        logger.error("cache epoch not incremented, the change is refused: %s", exc)
        raise CacheInvalidationError(exc) from exc
    transaction.on_commit(lambda: _committed(marker))


class EpochCache:
    """key → value, valid while the shared epoch is the one the entry was stored under.

    ``unread_epoch_seconds``: outside a request (a job, a command), or in one that has not read the epoch (a public
    page: no key was looked up), an entry is trusted for that long instead of asking Redis (0, the default: the
    epoch is read, or, outside a request, every lookup loads). For answers asked thousands of times a second
    (whether an account listens to an event: a campaign's batches, open pixels) where a change seen a second or
    two late by another process is harmless; this process's own changes clear it at once (``invalidate``).
    """

    def __init__(self, *, unread_epoch_seconds: float = 0):
        self._entries: dict = {}
        self.unread_epoch_seconds = unread_epoch_seconds
        _caches.append(self)

    def get(self, key, load, *, rate_window: str | None = None):
        """The cached value of ``key``, or ``load()``'s (stored unless it is None). ``rate_window``: see
        ``current_epoch``."""
        if self.unread_epoch_seconds and _request_epoch.get() in (_OUTSIDE_REQUEST, _NOT_READ):
            return self._aged(key, load)
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

    def _aged(self, key, load):
        """An entry younger than ``unread_epoch_seconds``, whatever epoch stored it."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now - entry[1] < self.unread_epoch_seconds:
            return entry[2]
        value = load()
        if value is not None:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries = {}
            self._entries[key] = (None, now, value)
        return value

    def peek(self, key):
        """The value last stored under ``key``, whatever its epoch (only a hint: ``get`` decides), or None."""
        entry = self._entries.get(key)
        return None if entry is None else entry[2]

    def clear(self) -> None:
        self._entries = {}
