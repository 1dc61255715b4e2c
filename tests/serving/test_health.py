"""/healthz and /readyz: public, unthrottled, and /readyz names what is down."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import Client, override_settings

from tests.helpers import assert_hypermedia, assert_problem

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_a_key_whatever_the_accept(db):
    for accept in ("application/json", "text/plain", "*/*"):
        response = Client().get("/healthz", HTTP_ACCEPT=accept)
        body = assert_hypermedia(response, 200, "health")
        assert body["status"] == "ok"
        assert response["Cache-Control"] == "no-store"


def test_readyz_is_200_when_database_and_redis_answer(db):
    body = assert_hypermedia(Client().get("/readyz"), 200, "health")
    assert body == {**body, "status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_ignores_a_bad_key(db):
    assert Client().get("/readyz", HTTP_AUTHORIZATION="Bearer nope").status_code == 200


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_readyz_is_503_naming_redis_when_redis_is_down(db):
    response = Client().get("/readyz")
    body = assert_problem(response, 503, "/errors/503.1-not-ready", 1)
    assert body["checks"] == {"database": "ok", "redis": "down"}
    assert "redis" in body["detail"] and "127.0.0.1" not in body["detail"]  # reasons go to the log only
    assert response["Retry-After"]


def _readyz_in_subprocess(**env) -> dict:
    """A fresh process whose settings point at an unreachable service: /readyz through Django's client."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_readyz_is_503_naming_the_database_when_postgresql_is_down():
    answer = _readyz_in_subprocess(
        DATABASE_URL="postgres://postgres@127.0.0.1:1/emailapi_nowhere", DATABASE_CONNECT_TIMEOUT="2"
    )
    assert answer["status"] == 503
    assert answer["body"]["type"] == "/errors/503.1-not-ready"
    assert answer["body"]["checks"] == {"database": "down", "redis": "ok"}
    assert answer["body"]["detail"] == "Not reachable: database."


def test_readyz_names_both_when_both_are_down():
    answer = _readyz_in_subprocess(
        DATABASE_URL="postgres://postgres@127.0.0.1:1/emailapi_nowhere", REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert answer["status"] == 503
    assert answer["body"]["checks"] == {"database": "down", "redis": "down"}


def test_probes_are_not_rate_limited(db, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert all(Client().get("/healthz").status_code == 200 for _ in range(5))
