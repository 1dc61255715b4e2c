"""Conditional requests on both surfaces: a strong ETag on every GET, If-None-Match → 304 (free of the rate
limit), If-Match on PUT, DELETE and actions → 412 when stale."""

import pytest

from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import Paths, create_list, subscribed

JOHN = "john.smith@example.com"


@pytest.fixture
def john(api):
    list_id = create_list(api, "Newsletter")
    return list_id, subscribed(api, list_id, JOHN, {"firstName": "John"})


def _surfaces(api, md5):
    return {
        "hypermedia": Paths(api.owner).subscriber(md5),
        "v1": f"/api/v1/contacts/{md5}",
    }


def _put_body(list_id, first_name):
    return {
        "emailAddress": JOHN,
        "status": "active",
        "belongsToLists": [list_id],
        "fields": [{"fieldName": "firstName", "value": first_name}],
    }


@pytest.mark.parametrize("surface", ["hypermedia", "v1"])
def test_get_has_a_strong_etag_and_if_none_match_gives_304_without_body(api, john, surface):
    path = _surfaces(api, john[1])[surface]
    first = api.get(path)
    assert_hypermedia(first, 200, "subscriber")
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert first["Last-Modified"].endswith(" GMT")
    assert api.get(path)["ETag"] == etag  # the same representation, the same tag

    again = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert "Content-Type" not in again
    for listed in (f'"other", {etag}', "*", f"W/{etag}"):
        assert api.get(path, HTTP_IF_NONE_MATCH=listed).status_code == 304, listed
    assert api.get(path, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/{a}", "/accounts/{a}/lists", "/accounts/{a}/subscribers", "/api/v1/contacts", "/api/v1/campaigns"],
)
def test_every_collection_and_index_has_an_etag(api, john, path):
    path = path.format(a=api.owner.name)
    response = api.get(path)
    assert response.status_code == 200 and response["ETag"].startswith('"')
    assert api.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_etag_changes_with_the_representation(api, john):
    list_id, md5 = john
    path = Paths(api.owner).subscriber(md5)
    before = api.get(path)["ETag"]
    assert_hypermedia(api.put(path, _put_body(list_id, "Johnny")), 200, "message")
    assert api.get(path)["ETag"] != before
    assert api.get(path, HTTP_IF_NONE_MATCH=before).status_code == 200


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "process-cache"])
def test_a_304_does_not_count_against_the_rate_limit(api, john, settings, with_redis):
    if not with_redis:
        settings.REDIS_URL = None  # the embedded default counts in the process's cache
    path = Paths(api.owner).subscriber(john[1])
    first = api.get(path)
    remaining = int(first["RateLimit-Remaining"])
    for _ in range(3):
        response = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 304
        assert int(response["RateLimit-Remaining"]) == remaining  # counted, then given back
    assert int(api.get(path)["RateLimit-Remaining"]) == remaining - 1  # a 200 counts


@pytest.mark.parametrize("surface", ["hypermedia", "v1"])
def test_put_with_a_stale_if_match_is_412_and_changes_nothing(api, john, surface):
    list_id, md5 = john
    path = _surfaces(api, md5)[surface]
    etag = api.get(path)["ETag"]

    # Client A writes with the tag it read: accepted.
    assert api.put(path, _put_body(list_id, "Alice's edit"), HTTP_IF_MATCH=etag).status_code == 200
    # Client B read the same tag before A wrote: refused, and A's edit stands.
    response = api.put(path, _put_body(list_id, "Bob's edit"), HTTP_IF_MATCH=etag)
    problem = assert_problem(response, 412, "/errors/412.1-precondition-failed", 1)
    assert etag in problem["detail"]
    current = api.get(path)
    assert response["ETag"] == current["ETag"]
    assert current.json()["fields"][0]["value"] == "Alice's edit"
    # B reads again and retries with the new tag.
    assert api.put(path, _put_body(list_id, "Bob's edit"), HTTP_IF_MATCH=current["ETag"]).status_code == 200


@pytest.mark.parametrize("if_match", ["*", '"x", {etag}'])
def test_if_match_star_or_a_list_holding_the_tag_passes(api, john, if_match):
    list_id, md5 = john
    path = Paths(api.owner).subscriber(md5)
    etag = api.get(path)["ETag"]
    response = api.put(path, _put_body(list_id, "Johnny"), HTTP_IF_MATCH=if_match.format(etag=etag))
    assert response.status_code == 200


def test_a_weak_tag_never_matches_if_match(api, john):
    list_id, md5 = john
    path = Paths(api.owner).subscriber(md5)
    etag = api.get(path)["ETag"]
    assert_problem(api.put(path, _put_body(list_id, "J"), HTTP_IF_MATCH=f"W/{etag}"), 412)


def test_delete_with_a_stale_if_match_is_412_on_v1(api, john):
    path = f"/api/v1/contacts/{john[1]}"
    etag = api.get(path)["ETag"]
    api.put(path, _put_body(john[0], "Changed"))
    assert_problem(api.delete(path, HTTP_IF_MATCH=etag), 412, "/errors/412.1-precondition-failed")
    assert api.get(path).status_code == 200
    assert api.delete(path, HTTP_IF_MATCH=api.get(path)["ETag"]).status_code == 204


def test_an_action_compares_with_the_resource_it_acts_on(api, john):
    """POST …/subscribers/{md5}/unsubscribe has no GET of its own: the subscriber's ETag is the one."""
    list_id, md5 = john
    paths = Paths(api.owner)
    etag = api.get(paths.subscriber(md5))["ETag"]
    api.put(paths.subscriber(md5), _put_body(list_id, "Changed"))
    assert_problem(api.post(paths.unsubscribe(md5), {}, HTTP_IF_MATCH=etag), 412)
    assert api.get(paths.subscriber(md5)).json()["status"] == "active"
    fresh = api.get(paths.subscriber(md5))["ETag"]
    assert_hypermedia(api.post(paths.unsubscribe(md5), {}, HTTP_IF_MATCH=fresh), 200, "message")


def test_a_precondition_on_a_missing_resource_is_not_evaluated(api, john):
    """A write that would be a 404 (or 403) answers that, whatever If-Match says (RFC 9110 §13.2.1)."""
    path = Paths(api.owner).subscriber("0" * 32)
    assert_problem(api.put(path, _put_body(john[0], "x"), HTTP_IF_MATCH='"x"'), 404)


def test_a_write_without_if_match_is_unconditional(api, john):
    list_id, md5 = john
    assert api.put(Paths(api.owner).subscriber(md5), _put_body(list_id, "x")).status_code == 200


def test_the_problem_type_is_documented(anon):
    response = anon.get("/errors/412.1-precondition-failed")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("surface", ["hypermedia", "v1"])
def test_campaign_writes_and_actions_check_if_match_first(api, surface):
    base = f"/accounts/{api.owner.name}/campaigns" if surface == "hypermedia" else "/api/v1/campaigns"
    created = api.post(base, {"name": "Spring sale"})
    assert created.status_code == 201
    path = created["Location"] if surface == "hypermedia" else f"{base}/{created.json()['campaignId']}"
    stale = api.get(path)["ETag"]
    assert api.put(path, {"name": "Summer sale"}).status_code == 200
    # The action's own checks (the draft is not ready) come after the precondition.
    assert_problem(api.post(f"{path}/start", {}, HTTP_IF_MATCH=stale), 412, "/errors/412.1-precondition-failed")
    assert_problem(api.delete(path, HTTP_IF_MATCH=stale), 412)
    assert api.delete(path, HTTP_IF_MATCH=api.get(path)["ETag"]).status_code in (200, 204)


def test_openapi_documents_conditional_requests_and_headers(anon):
    paths = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in ("/api/v1/contacts/{email_md5}", "/accounts/{account_name}/subscribers/{email_md5}"):
        get, put = paths[path]["get"], paths[path]["put"]
        assert "If-None-Match" in {parameter["name"] for parameter in get["parameters"]}
        assert "304" in get["responses"] and "ETag" in get["responses"]["200"]["headers"]
        assert "If-Match" in {parameter["name"] for parameter in put["parameters"]}
        assert "412" in put["responses"]
        assert {"Link", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
            put["responses"]["200"]["headers"]
        )
    action = paths["/accounts/{account_name}/subscribers/{email_md5}/unsubscribe"]["post"]
    assert "412" in action["responses"]


def test_the_rel_pages_say_how_to_read_and_write_conditionally(anon):
    write = anon.get("/rels/edit-subscriber").content.decode()
    assert "If-Match" in write and "/errors/412.1-precondition-failed" in write
    read = anon.get("/rels/subscriber").content.decode()
    assert "If-None-Match" in read and "412.1" not in read
