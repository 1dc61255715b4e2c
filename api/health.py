"""``/healthz`` (the process answers) and ``/readyz`` (its database and Redis answer too).

Public, unthrottled and indifferent to ``Accept``: load balancers and orchestrators call them.
"""

import logging

import redis
from django.conf import settings
from django.db import connections
from drf_spectacular.utils import extend_schema

from api import representations as rep
from api.openapi import responses
from api.problems import NOT_READY, ApiProblem
from api.responses import hypermedia
from api.sql import ping
from api.views import PublicView

NO_STORE = "no-store"
# A check that takes longer than this counts as down: a probe must answer quickly.
CHECK_TIMEOUT_SECONDS = 2

logger = logging.getLogger("api.health")


def database_check() -> str | None:
    """None when PostgreSQL (or the embedded SQLite) answers ``SELECT 1``, else why not."""
    connection = connections["default"]
    try:
        ping(connection)
    except Exception as exc:  # any driver error means "not ready"
        connection.close()  # a broken connection is not reused by the next probe
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


def redis_check() -> str | None:
    """None when Redis answers PING (or jobs run in-process, without Redis), else why not."""
    if not settings.REDIS_URL:
        return None
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except Exception as exc:  # connection refused, timeout, auth…
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return None


class HealthView(PublicView):
    @extend_schema(
        operation_id="healthz", summary="The process is up", auth=[], responses=responses({200: "health"}, problems=())
    )
    def get(self, request):
        return hypermedia(rep.health("ok", self_href="/healthz"), "health", headers={"Cache-Control": NO_STORE})


class ReadyView(PublicView):
    @extend_schema(
        operation_id="readyz",
        summary="PostgreSQL and Redis are reachable",
        auth=[],
        responses=responses({200: "health"}, problems=(), extra_problems=(503,)),
    )
    def get(self, request):
        failures = {
            name: reason
            for name, reason in (("database", database_check()), ("redis", redis_check()))
            if reason is not None
        }
        checks = {"database": "ok", "redis": "ok" if settings.REDIS_URL else "not-configured"}
        checks.update(dict.fromkeys(failures, "down"))
        if failures:
            # The reasons (hosts, ports, driver messages) go to the log, not to a public answer.
            for name, reason in failures.items():
                logger.error("readiness check failed: %s: %s", name, reason, extra={"check": name})
            detail = "Not reachable: " + ", ".join(failures) + "."
            raise ApiProblem(
                NOT_READY, detail, extra={"checks": checks}, headers={"Cache-Control": NO_STORE, "Retry-After": "5"}
            )
        return hypermedia(
            rep.health("ready", checks, self_href="/readyz"), "health", headers={"Cache-Control": NO_STORE}
        )
