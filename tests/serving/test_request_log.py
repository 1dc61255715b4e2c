"""One log line per request, with a request id, and never an API key in any form it can be sent."""

import base64
import io
import json
import logging

import pytest
from django.test import Client

from api.logs import JsonFormatter, RedactSecretsFilter, RequestIdFilter, TextFormatter


@pytest.fixture
def log_lines():
    """Every log record of the process, formatted as the production handler formats it (JSON and text)."""
    streams = {"json": io.StringIO(), "text": io.StringIO()}
    handlers = []
    for name, formatter in (("json", JsonFormatter()), ("text", TextFormatter())):
        handler = logging.StreamHandler(streams[name])
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        handler.addFilter(RedactSecretsFilter())
        handler.setLevel(logging.DEBUG)
        handlers.append(handler)
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    for handler in handlers:
        root.addHandler(handler)
    yield streams
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(old_level)


def request_lines(streams) -> list[dict]:
    lines = [json.loads(line) for line in streams["json"].getvalue().splitlines()]
    return [line for line in lines if line["logger"] == "api.requests"]


def test_one_json_line_per_request_with_its_id(owner, log_lines):
    response = Client().get(f"/accounts/{owner.name}/lists", HTTP_AUTHORIZATION=f"Bearer {owner.key}")
    assert response.status_code == 200
    [line] = request_lines(log_lines)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert (
        line
        | {
            "method": "GET",
            "path": f"/accounts/{owner.name}/lists",
            "status": 200,
            "account": owner.name,
            "level": "INFO",
        }
        == line
    )
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0


def test_a_well_formed_incoming_request_id_is_kept_and_a_bad_one_replaced(db, log_lines):
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42:x")
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert kept["X-Request-ID"] == "lb-7f3a.42:x"
    assert replaced["X-Request-ID"] != "bad id\nwith newline" and len(replaced["X-Request-ID"]) == 32
    assert [line["request_id"] for line in request_lines(log_lines)] == ["lb-7f3a.42:x", replaced["X-Request-ID"]]


def test_problem_bodies_carry_the_request_id(owner, log_lines):
    response = Client().get(
        f"/accounts/{owner.name}/lists/999999", HTTP_AUTHORIZATION=f"Bearer {owner.key}", HTTP_X_REQUEST_ID="trace-1"
    )
    assert response.status_code == 404
    assert response.json()["requestId"] == "trace-1" == response["X-Request-ID"]
    [line] = request_lines(log_lines)
    assert line["status"] == 404 and line["request_id"] == "trace-1"


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"user:{key}".encode()).decode()


def test_the_key_never_appears_in_log_lines_whatever_form_it_comes_in(owner, log_lines):
    key = owner.key
    index = f"/accounts/{owner.name}"
    sent = [
        Client().get(f"{index}?access_token={key}"),
        Client().get(f"{index}/lists?page=1&access_token={key}&per_page=5"),
        Client().get(f"/nowhere?access_token={key}"),  # 404: Django's own logger sees it too
        Client().get(index, HTTP_AUTHORIZATION=f"Bearer {key}"),
        Client().get(index, HTTP_AUTHORIZATION=f"Token {key}"),
        Client().get(index, HTTP_AUTHORIZATION=f"OAuth2 {key}"),
        Client().get(index, HTTP_AUTHORIZATION=_basic(key)),
        Client().post(f"{index}/lists?access_token={key}", data="{bad json", content_type="application/json"),
        # A wrong key of the same shape (401) must not be logged either.
        Client().get(f"{index}?access_token={key[::-1]}"),
        Client().get(index, HTTP_AUTHORIZATION=_basic(key[::-1])),
    ]
    assert [r.status_code for r in sent] == [200, 200, 404, 200, 200, 200, 200, 400, 401, 401]
    lines = request_lines(log_lines)
    assert len(lines) == len(sent)
    assert [line["account"] for line in lines[:2]] == [owner.name, owner.name]
    assert lines[1]["query"] == "page=1&access_token=[redacted]&per_page=5"
    secrets = {key, key.upper(), key[::-1], _basic(key).split()[1], _basic(key[::-1]).split()[1]}
    for fmt, stream in log_lines.items():
        text = stream.getvalue()
        assert text.count("api.requests") == len(sent), fmt
        for secret in secrets:
            assert secret not in text, (fmt, secret)


def test_other_loggers_quoting_a_url_are_redacted_too(log_lines):
    logging.getLogger("django.server").warning('"GET /accounts/a?access_token=0123abcd HTTP/1.1" 404 10')
    text = log_lines["json"].getvalue()
    assert "0123abcd" not in text and "access_token=[redacted]" in text


def test_a_500_is_logged_as_an_error_with_its_traceback_and_no_key(owner, log_lines, settings):
    settings.ROOT_URLCONF = "tests.api.urls_for_errors"
    client = Client(raise_request_exception=False)
    response = client.get(f"/test/explode?access_token={owner.key}")
    assert response.status_code == 500
    assert response.json()["requestId"] == response["X-Request-ID"]
    [line] = request_lines(log_lines)
    assert line["level"] == "ERROR" and line["status"] == 500
    text = log_lines["json"].getvalue()
    assert "Traceback" in text and owner.key not in text
