"""Every error kind answers application/problem+json."""

import pytest
from django.test import Client, override_settings

from tests.helpers import assert_problem

pytestmark = pytest.mark.urls("tests.api.urls_for_errors")


def test_malformed_json_is_400(api):
    response = api.post("/test/echo", '{"name": "x",}')
    body = assert_problem(response, 400, "/errors/400.1-invalid-json", 1)
    assert "JSON" in body["detail"]


def test_valid_json_passes(api):
    assert api.post("/test/echo", {"a": 1}).json() == {"received": {"a": 1}}


def test_unknown_url_is_404(api):
    assert_problem(api.get("/no/such/thing"), 404, "/errors/404.1-not-found", 1)


def test_unknown_url_is_404_problem_even_with_debug(api, settings):
    settings.DEBUG = True
    assert_problem(api.get("/no/such/thing"), 404, "/errors/404.1-not-found")


def test_post_to_unknown_url_is_404_not_csrf(anon):
    assert_problem(anon.post("/no/such/thing", {}), 404)


def test_unknown_doc_is_404(anon):
    assert_problem(anon.get("/rels/no-such-rel"), 404)
    assert_problem(anon.get("/schemas/no-such-schema"), 404)
    assert_problem(anon.get("/errors/999.1-nope"), 404)
    assert_problem(anon.get("/models/nothing"), 404)


def test_method_not_allowed_is_405_with_allow(api, owner):
    response = api.post(f"/accounts/{owner.name}", {})
    assert_problem(response, 405, "/errors/405.1-method-not-allowed", 1)
    assert "GET" in response["Allow"]


def test_method_not_allowed_on_docs_is_405(anon):
    response = anon.post("/rels/account-home", {})
    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_not_acceptable_is_406(api, owner):
    response = api.get(f"/accounts/{owner.name}", HTTP_ACCEPT="application/xml")
    assert_problem(response, 406, "/errors/406.1-not-acceptable", 1)


def test_json_accept_variants_are_fine(api, owner):
    for accept in ("application/json", "*/*", "application/*", "application/json; profile=/schemas/message"):
        assert api.get(f"/accounts/{owner.name}", HTTP_ACCEPT=accept).status_code == 200, accept


def test_body_too_large_is_413(api, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2048
    response = api.post("/test/echo", {"blob": "x" * 5000})
    assert_problem(response, 413, "/errors/413.1-payload-too-large", 1)


def test_unsupported_media_type_is_415(api):
    response = api.request("POST", "/test/echo", "name=x", content_type="text/plain")
    assert_problem(response, 415, "/errors/415.1-unsupported-media-type", 1)


def test_rate_limit_is_429_with_retry_after(api, owner):
    with override_settings(API_RATE_LIMIT_PER_MINUTE=3):
        for _ in range(3):
            assert api.get(f"/accounts/{owner.name}").status_code == 200
        response = api.get(f"/accounts/{owner.name}")
    assert_problem(response, 429, "/errors/429.1-too-many-requests", 1)
    assert int(response["Retry-After"]) >= 1


def test_rate_limit_is_per_key(api, owner, other, client_for):
    with override_settings(API_RATE_LIMIT_PER_MINUTE=2):
        for _ in range(3):
            api.get(f"/accounts/{owner.name}")
        assert client_for(other).get(f"/accounts/{other.name}").status_code == 200


def test_unhandled_error_in_api_view_is_500_without_details(api):
    response = api.get("/test/explode")
    body = assert_problem(response, 500, "/errors/500.1-internal-error", 1)
    assert b"secret internals" not in response.content
    assert "Traceback" not in body["detail"]


def test_unhandled_error_in_django_view_is_500_problem(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test/explode-django")
    assert_problem(response, 500, "/errors/500.1-internal-error")
    assert b"secret internals" not in response.content
