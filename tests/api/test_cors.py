"""CORS for browser clients: origins from CORS_ALLOWED_ORIGINS only; the headers a client reads are exposed."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_origins

APP = "https://app.example.com"


@pytest.fixture
def allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]


def _preflight(anon, path, origin, method="PUT"):
    return anon.request(
        "OPTIONS",
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match",
    )


@pytest.mark.parametrize("path", ["/accounts/owner@example.com/subscribers/{md5}", "/api/v1/contacts/{md5}"])
def test_a_preflight_for_an_authenticated_put_works_from_an_allowed_origin(anon, allowed, path):
    response = _preflight(anon, path.format(md5="1" * 32), APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "PUT" in response["Access-Control-Allow-Methods"]
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    for header in ("authorization", "content-type", "if-match"):
        assert header in allowed_headers


def test_a_preflight_from_another_origin_is_refused(anon, allowed):
    response = _preflight(anon, "/api/v1/contacts/" + "1" * 32, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Methods" not in response


def test_no_origin_is_allowed_by_default(anon, settings):
    assert settings.CORS_ALLOWED_ORIGINS == []
    assert "Access-Control-Allow-Origin" not in _preflight(anon, "/api/v1/contacts", APP, "POST")


def test_an_answer_exposes_the_headers_clients_read(api, allowed):
    response = api.get("/api/v1/contacts", HTTP_ORIGIN=APP)
    assert response["Access-Control-Allow-Origin"] == APP
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    expected = {"etag", "link", "location", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}
    assert expected <= exposed
    assert "Access-Control-Allow-Credentials" not in response  # keys travel in Authorization, never cookies


def test_the_admin_is_not_cors(anon, allowed):
    assert "Access-Control-Allow-Origin" not in anon.get("/admin/login/", HTTP_ORIGIN=APP)


def test_origins_are_parsed_like_the_other_settings(monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", " https://a.example , http://localhost:3000 ")
    assert env_origins("CORS_ALLOWED_ORIGINS") == ["https://a.example", "http://localhost:3000"]
    for bad in ("a.example", "https://a.example/path", "ftp://a.example", "https://a.example:99999", "*"):
        monkeypatch.setenv("CORS_ALLOWED_ORIGINS", bad)
        with pytest.raises(ImproperlyConfigured, match="CORS_ALLOWED_ORIGINS"):
            env_origins("CORS_ALLOWED_ORIGINS")
