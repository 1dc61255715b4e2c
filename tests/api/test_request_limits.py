"""Request limits on JSON bodies (api/parsers.py): each is a problem naming what was wrong."""

import json

import pytest

from api.parsers import JsonLimits, check_json_limits, json_path
from api.problems import ApiProblem
from tests.helpers import assert_problem
from tests.subscribers.builders import Paths

pytestmark = pytest.mark.urls("tests.api.urls_for_errors")

TOO_DEEP = "/errors/400.43-json-too-deep"
STRING_TOO_LONG = "/errors/413.2-json-string-too-long"
TOO_MANY_ITEMS = "/errors/413.3-json-too-many-items"


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_nesting_up_to_the_limit_passes(api, settings):
    settings.MAX_JSON_DEPTH = 8
    assert api.post("/test/echo", nested(8)).status_code == 200


def test_nesting_past_the_limit_is_400_43(api, settings):
    settings.MAX_JSON_DEPTH = 8
    body = assert_problem(api.post("/test/echo", {"a": {"b": [json.loads(nested(6))]}}), 400, TOO_DEEP, 43)
    assert body["errors"][0]["field"] == "a.b[0][0][0][0][0][0]"
    assert "8 levels" in body["detail"]
    assert api.post("/test/echo", {"a": {"b": [json.loads(nested(5))]}}).status_code == 200


def test_nesting_that_would_exhaust_the_recursion_limit_is_400_43_not_500(api):
    assert_problem(api.post("/test/echo", nested(100_000)), 400, TOO_DEEP, 43)
    assert_problem(api.post("/test/echo", '{"a":' * 100_000 + "1" + "}" * 100_000), 400, TOO_DEEP, 43)


def test_long_string_is_413_2_naming_the_member(api, settings):
    settings.MAX_JSON_STRING_LENGTH = 300
    assert api.post("/test/echo", {"ok": "x" * 300}).status_code == 200
    body = assert_problem(api.post("/test/echo", {"items": [{"name": "x" * 301}]}), 413, STRING_TOO_LONG, 2)
    assert body["errors"] == [{"field": "items[0].name", "detail": body["errors"][0]["detail"]}]
    assert "301 characters" in body["detail"] and "300" in body["detail"]


def test_long_key_is_413_2(api, settings):
    settings.MAX_JSON_STRING_LENGTH = 300
    assert_problem(api.post("/test/echo", {"k" * 301: 1}), 413, STRING_TOO_LONG, 2)


def test_too_many_array_items_is_413_3(api, settings):
    settings.MAX_JSON_ITEMS = 10
    assert api.post("/test/echo", {"lists": list(range(10))}).status_code == 200
    body = assert_problem(api.post("/test/echo", {"lists": list(range(11))}), 413, TOO_MANY_ITEMS, 3)
    assert body["errors"][0]["field"] == "lists" and "11 members" in body["detail"]


def test_too_many_object_members_is_413_3(api, settings):
    settings.MAX_JSON_ITEMS = 10
    body = assert_problem(api.post("/test/echo", {f"k{i}": i for i in range(11)}), 413, TOO_MANY_ITEMS, 3)
    assert body["errors"][0]["field"] == "$"


def test_json_body_over_its_own_size_limit_is_413_1(api, settings):
    settings.MAX_JSON_BODY_BYTES = 1024
    assert api.post("/test/echo", {"blob": "x" * 900}).status_code == 200
    body = assert_problem(api.post("/test/echo", {"blob": "x" * 1100}), 413, "/errors/413.1-payload-too-large", 1)
    assert "1024 bytes" in body["detail"]


def test_limits_apply_to_real_endpoints(api, owner, settings):
    settings.MAX_JSON_STRING_LENGTH = 256
    assert_problem(api.post(Paths(owner).lists, {"name": "x" * 1000}), 413, STRING_TOO_LONG, 2)
    assert_problem(api.post("/api/v1/contacts", nested(200)), 400, TOO_DEEP, 43)


def test_strings_inside_the_limits_still_meet_validation(api, owner):
    """The limits sit far above what the schemas allow: a 101-character list name is still 400.2."""
    assert_problem(api.post(Paths(owner).lists, {"name": "x" * 101}), 400, "/errors/400.2-validation-error", 2)


def test_import_bodies_keep_their_own_limits(api, owner, settings):
    """An import may carry far more items than MAX_JSON_ITEMS, yet nesting is still refused cleanly."""
    settings.MAX_JSON_ITEMS = 10
    list_id = api.post(Paths(owner).lists, {"name": "Big"})["Location"].rsplit("/", 1)[1]
    path = f"{Paths(owner).list_subscribers(list_id)}/import"
    items = [{"emailAddress": f"s{i}@example.com"} for i in range(50)]
    assert api.post(path, {"items": items}).status_code == 202
    assert_problem(api.post(path, '{"items": ' + nested(100_000) + "}"), 400, TOO_DEEP, 43)


def test_the_walk_needs_no_recursion_and_reports_the_first_problem():
    limits = JsonLimits(body_bytes=10**6, depth=5000, string_length=10, items=10)
    deep = []
    for _ in range(3000):
        deep = [deep]
    check_json_limits(deep, limits)
    with pytest.raises(ApiProblem) as raised:
        check_json_limits({"a": [deep, "x" * 11]}, limits)
    assert raised.value.errors[0]["field"] == "a[1]"


def test_json_path_names_members():
    assert json_path(()) == "$"
    assert json_path(("items", 3, "fields", 0, "value")) == "items[3].fields[0].value"
    assert json_path((2, "a")) == "[2].a"


def test_without_string_checks_containers_are_still_checked():
    """The parser skips string checks when the whole body is shorter than the string limit."""
    limits = JsonLimits(body_bytes=10**6, depth=3, string_length=10, items=3)
    check_json_limits({"a": ["x" * 50]}, limits, check_strings=False)
    with pytest.raises(ApiProblem) as raised:
        check_json_limits({"a": [[["deep"]]]}, limits, check_strings=False)
    assert raised.value.errors[0]["field"] == "a[0][0]"
    with pytest.raises(ApiProblem) as raised:
        check_json_limits({"a": {"b": [1, 2, 3, 4]}}, limits, check_strings=False)
    assert raised.value.errors[0]["field"] == "a.b"
