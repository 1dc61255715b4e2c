"""The process's Redis clients: one connection pool per URL, reused by every request and job enqueue.

(django-rq opens a new pool, hence a new connection, for each queue it is asked for.)
"""
from django.conf import settings

_clients = {}


def redis_client(url: str | None = None):
    """The client of ``url`` (default REDIS_URL), or None without Redis. redis-py reconnects after a fork."""
    url = url or settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis
        client = _clients.setdefault(url, redis.Redis.from_url(url))
    return client
