"""The process's Redis clients: one connection pool per URL, reused by every request and job enqueue.

(django-rq opens a new pool, hence a new connection, for each queue it is asked for.)
"""

import redis
from django.conf import settings

_clients = {}
_scripts = {}


def redis_client(url: str | None = None):
    """The client of ``url`` (default REDIS_URL), or None without Redis. redis-py reconnects after a fork."""
    url = url or settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        client = _clients.setdefault(url, redis.Redis.from_url(url))
    return client


def run_script(client, lua: str, keys: list, args: list):
    """Run the Lua script ``lua`` on ``client``: one command and one reply (``EVALSHA``; redis-py loads the
    script again if Redis lost it), cheaper to send and to parse than the same commands in a transaction."""
    script = _scripts.get((id(client), lua))
    if script is None:
        script = _scripts.setdefault((id(client), lua), client.register_script(lua))
    return script(keys=keys, args=args)
