"""The process's Redis clients: one connection pool per URL, reused by every request and job enqueue.

(django-rq opens a new pool, hence a new connection, for each queue it is asked for.)

Redis is never the truth here (PostgreSQL is): whatever a request asks of it (the cache epoch, the rate
limit, an enqueue) it can do without, so these clients give up fast. A connection waits at most
REDIS_CONNECT_TIMEOUT_SECONDS to open and REDIS_SOCKET_TIMEOUT_SECONDS for a reply; a command is retried
once, and only when the connection was lost (a pooled connection Redis closed on restart), never on a
timeout; and once a connection to a URL fails to open or times out, every connection to it fails at once for
REDIS_RETRY_AFTER_SECONDS, so a request that would call Redis four times waits for it once, and the
requests behind it not at all. RQ's workers do not use these clients for their blocking dequeue (BLPOP
waits longer than any of these timeouts): django-rq gives them their own, which RQ sets to wait long enough.
"""

import time

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

_clients = {}
_scripts = {}


class _Breaker:
    """When a URL's Redis last failed to open a connection or to answer in time (time.monotonic())."""

    def __init__(self):
        self.until = 0.0

    def check(self) -> None:
        if time.monotonic() < self.until:
            raise redis.ConnectionError("Redis did not answer a moment ago; not tried again yet")

    def trip(self) -> None:
        self.until = time.monotonic() + settings.REDIS_RETRY_AFTER_SECONDS


class _FailFast:
    """A connection that fails at once while its URL's breaker is open, and opens it on a failure to connect
    or a reply that times out."""

    breaker: _Breaker

    def connect_check_health(self, *args, **kwargs):
        if self._sock is None:
            self.breaker.check()
        try:
            return super().connect_check_health(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            self.breaker.trip()
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except redis.TimeoutError:
            self.breaker.trip()
            raise


def _connect(url: str) -> redis.Redis:
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT_SECONDS,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
    )
    pool = client.connection_pool
    base = pool.connection_class
    pool.connection_class = type(f"FailFast{base.__name__}", (_FailFast, base), {"breaker": _Breaker()})
    return client


def redis_client(url: str | None = None):
    """The client of ``url`` (default REDIS_URL), or None without Redis. redis-py reconnects after a fork."""
    url = url or settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        client = _clients.setdefault(url, _connect(url))
    return client


def run_script(client, lua: str, keys: list, args: list):
    """Run the Lua script ``lua`` on ``client``: one command and one reply (``EVALSHA``; redis-py loads the
    script again if Redis lost it), cheaper to send and to parse than the same commands in a transaction."""
    script = _scripts.get((id(client), lua))
    if script is None:
        script = _scripts.setdefault((id(client), lua), client.register_script(lua))
    return script(keys=keys, args=args)
