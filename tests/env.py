"""Loaded with ``-p tests.env`` before Django starts: the test environment.

Tests run against PostgreSQL and Redis; the Makefile exports these too, and
the defaults make a bare ``pytest`` do the same.

Under pytest-xdist (``-n 2``, pytest.ini) each worker process loads this too, with PYTEST_XDIST_WORKER set
(gw0, gw1, ...). pytest-django gives each worker its own test database (test_<name>_gw0, ...); Redis gets
the same here: worker N uses its own database number, so one worker's queues, cache, rate limits, registered
rqworkers and flushes never meet another's. TEST_REDIS_DBS (comma-separated numbers, one per worker: ``5,6``)
says which; unset, worker N uses REDIS_URL's database minus N (15, 14 with the default REDIS_URL). The
rqworker and server subprocesses the tests start inherit the worker's REDIS_URL from the environment.
"""

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "test-secret-key-long-enough-for-django-checks-0123456789")
# Tests send from any address (example.com and friends); tests/domains turns the check on where it tests it.
os.environ.setdefault("ALLOW_UNVERIFIED_SENDERS", "true")
# The tests of content compare whole bodies; the footer's own tests turn it on (tests/preferences/test_footer.py).
os.environ.setdefault("CAMPAIGN_FOOTER", "false")


def worker_redis_url(url: str, worker: str, dbs: str | None) -> str:
    """REDIS_URL for xdist worker ``worker`` (gw0, gw1, ...): its database from ``dbs`` (TEST_REDIS_DBS), or the
    base database minus the worker's number. Refused (ValueError) when there is none for it in 0..15."""
    number = int(worker.removeprefix("gw"))
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    unix = parts.scheme == "unix"  # unix:///path/redis.sock?db=N: the database is in the query
    if dbs:
        choices = [int(db) for db in dbs.split(",") if db.strip()]
        if number >= len(choices):
            raise ValueError(f"TEST_REDIS_DBS={dbs} names {len(choices)} Redis databases: none for worker {worker}")
        db = choices[number]
    else:
        base = int((query.get("db") if unix else parts.path.strip("/")) or 0)
        db = base - number
    if not 0 <= db <= 15:
        raise ValueError(f"no Redis database for worker {worker} (REDIS_URL {url}): set TEST_REDIS_DBS, one a worker")
    if unix:
        return url.partition("?")[0] + "?" + urlencode({**query, "db": db})
    return urlunsplit(parts._replace(path=f"/{db}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ["REDIS_URL"]:
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], _worker, os.environ.get("TEST_REDIS_DBS"))
