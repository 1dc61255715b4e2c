"""Link headers from `_links`, OPTIONS and HEAD on every resource, rate-limit headers on every authenticated
answer: on both surfaces."""

import pytest

from api.link_header import link_header
from tests.helpers import assert_problem
from tests.subscribers.builders import Paths, create_list, subscribed

JOHN = "john.smith@example.com"


@pytest.fixture
def john(api):
    list_id = create_list(api, "Newsletter")
    return list_id, subscribed(api, list_id, JOHN)


def _links(header: str) -> dict[str, str]:
    """rel → target of a Link header (the first target of each rel token)."""
    found = {}
    for value in header.split(", <"):
        target, _, params = value.lstrip("<").partition(">; ")
        for rel in params.removeprefix('rel="').removesuffix('"').split():
            found.setdefault(rel, target)
    return found


# --- Link -------------------------------------------------------------------------------------------


def test_a_paginated_collection_links_self_first_next_last_in_the_header(api):
    list_id = create_list(api, "Big")
    for number in range(12):
        subscribed(api, list_id, f"reader{number}@example.com")
    path = Paths(api.owner).list_subscribers(list_id)
    response = api.get(f"{path}?page=2&per_page=5")
    body = response.json()
    links = _links(response["Link"])
    for rel in ("self", "first", "prev", "next", "last"):
        expected = next(item["href"] for item in body["_links"] if rel in item["rel"].split())
        assert links[rel] == expected, rel
    assert "templated" not in response["Link"] and "{" not in response["Link"]  # URI templates stay in the body


def test_v1_cursor_pages_link_next_and_prev(api, john):
    for number in range(3):
        subscribed(api, john[0], f"reader{number}@example.com")
    response = api.get("/api/v1/contacts?cursor=&limit=2")
    links = _links(response["Link"])
    body_links = response.json()["_links"]
    assert links["next"] == next(item["href"] for item in body_links if "next" in item["rel"].split())
    assert "self" in links


def test_custom_rels_are_absolute_uris_in_the_header(api, john, settings):
    response = api.get(Paths(api.owner).subscriber(john[1]))
    header = response["Link"]
    assert header.startswith(f'<{response.json()["_links"][0]["href"]}>; rel="self')
    for value in header.split(", <"):
        rels = value.split('rel="', 1)[1].rstrip('"').split()
        assert all(rel.startswith(settings.PUBLIC_BASE_URL + "/rels/") or "/" not in rel for rel in rels), value


def test_root_and_account_index_carry_link_headers(api, anon):
    assert _links(anon.get("/")["Link"])["self"] == "/"
    response = api.get(f"/accounts/{api.owner.name}")
    assert _links(response["Link"])["self"] == f"/accounts/{api.owner.name}"


def test_link_header_escapes_what_it_cannot_hold():
    header = link_header([{"href": "/a>b", "rel": "self"}, {"href": "/t{?x}", "rel": "next", "templated": True}])
    assert header == '</a%3Eb>; rel="self"'


def test_problems_have_no_link_header(api):
    response = api.get(Paths(api.owner).subscriber("0" * 32))
    assert_problem(response, 404)
    assert "Link" not in response


# --- OPTIONS and HEAD ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, methods",
    [
        ("/", {"GET", "HEAD", "OPTIONS"}),
        ("/accounts/{a}/subscribers/{md5}", {"GET", "HEAD", "PUT", "OPTIONS"}),
        ("/accounts/{a}/lists", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("/accounts/{a}/subscribers/{md5}/unsubscribe", {"POST", "OPTIONS"}),
        ("/api/v1/contacts/{md5}", {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}),
        ("/api/v1/contacts", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("/rels/list", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_answers_allow_without_a_key(anon, api, john, path, methods):
    response = anon.request("OPTIONS", path.format(a=api.owner.name, md5=john[1]))
    assert response.status_code == 204 and response.content == b""
    assert {method.strip() for method in response["Allow"].split(",")} == methods


def test_options_on_an_unknown_url_is_404(anon):
    assert_problem(anon.request("OPTIONS", "/no/such/thing"), 404)


def test_a_405_lists_options_too(api, john):
    response = api.request("PATCH", f"/api/v1/contacts/{john[1]}", {})
    assert_problem(response, 405)
    assert "OPTIONS" in response["Allow"] and "GET" in response["Allow"]


@pytest.mark.parametrize("surface", ["hypermedia", "v1"])
def test_head_is_get_without_a_body(api, john, surface):
    path = {"hypermedia": Paths(api.owner).subscriber(john[1]), "v1": f"/api/v1/contacts/{john[1]}"}[surface]
    get, head = api.get(path), api.request("HEAD", path)
    assert head.status_code == 200 and head.content == b""
    for name in ("Content-Type", "ETag", "Link", "Last-Modified", "Content-Length"):
        assert head[name] == get[name], name


def test_head_on_a_documentation_page(anon):
    response = anon.request("HEAD", "/rels")
    assert response.status_code == 200 and response.content == b"" and int(response["Content-Length"]) > 0


# --- Rate-limit headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/accounts/{a}", "/accounts/{a}/lists", "/api/v1/contacts", "/accounts/{a}/subscribers/{missing}"]
)
def test_every_authenticated_answer_has_rate_limit_headers(api, settings, path):
    settings.API_RATE_LIMIT_PER_MINUTE = 100
    response = api.get(path.format(a=api.owner.name, missing="0" * 32))
    assert response["RateLimit-Limit"] == "100"
    assert 0 <= int(response["RateLimit-Remaining"]) < 100
    assert 0 < int(response["RateLimit-Reset"]) <= 60
    after = api.get(path.format(a=api.owner.name, missing="0" * 32))
    assert int(after["RateLimit-Remaining"]) == int(response["RateLimit-Remaining"]) - 1


def test_a_429_has_rate_limit_headers_and_retry_after(api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    path = f"/accounts/{api.owner.name}"
    api.get(path), api.get(path)
    response = api.get(path)
    assert_problem(response, 429)
    assert response["RateLimit-Remaining"] == "0" and response["RateLimit-Limit"] == "2"
    assert int(response["Retry-After"]) >= 1


def test_anonymous_answers_have_no_rate_limit_headers(anon):
    assert "RateLimit-Limit" not in anon.get("/")
    assert "RateLimit-Limit" not in anon.get("/rels")
