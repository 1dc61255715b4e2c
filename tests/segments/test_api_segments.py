"""The segment resource on both surfaces: create, read, page, edit, delete, count; a 400 per bad condition;
one account never sees another's segments or subscribers."""

import pytest

from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.segments.builders import V1, create_segment, field, segments_path, tree
from tests.subscribers.builders import create_field, create_list, subscribed

VALIDATION = "/errors/400.2-validation-error"
# Groups four deep: one more than a tree may hold.
DEEP = {"match": "all", "conditions": [field("city", "isSet")]}
for _ in range(3):
    DEEP = {"match": "all", "conditions": [DEEP]}


@pytest.fixture
def city(api):
    create_field(api, "city", "string")
    list_id = create_list(api, "News")
    for name, value in (("ann", "Rosario"), ("bob", "Rosario"), ("cid", "Lima")):
        subscribed(api, list_id, f"{name}@example.com", fields={"city": value})
    return list_id


def test_create_read_edit_and_delete_on_the_blueprint_surface(api, city):
    path = segments_path(api)
    segment_id = create_segment(api, [field("city", "equals", "rosario")], name="Rosarinos")
    detail = assert_hypermedia(api.get(f"{path}/{segment_id}"), 200, "segment")
    assert detail["name"] == "Rosarinos" and detail["match"] == "all"
    assert detail["conditions"] == [{"kind": "field", "field": "city", "operator": "equals", "value": "rosario"}]
    members = links_by_rel(detail, "/rels/segment-subscribers")[0]["href"]
    page = assert_hypermedia(api.get(members), 200, "subscribers-collection")
    assert page["itemsCount"] == 2 and [i["emailAddress"] for i in page["items"]] == [
        "ann@example.com",
        "bob@example.com",
    ]
    collection = assert_hypermedia(api.get(path), 200, "segments-collection")
    assert [item["segmentId"] for item in collection["items"]] == [segment_id]
    assert links_by_rel(collection, "/rels/count-segment")

    edited = {"name": "Limeños", "conditions": [field("city", "equals", "Lima")]}
    assert_hypermedia(api.put(f"{path}/{segment_id}", edited), 200, "message")
    page = assert_hypermedia(api.get(members), 200, "subscribers-collection")
    assert [i["emailAddress"] for i in page["items"]] == ["cid@example.com"]

    assert_hypermedia(api.delete(f"{path}/{segment_id}"), 200, "message")
    assert_problem(api.get(f"{path}/{segment_id}"), 404, "/errors/404.1-not-found")


def test_the_v1_surface(api, city):
    created = assert_hypermedia(
        api.post(V1, {"name": "Lima", "conditions": [field("city", "equals", "LIMA")]}), 201, "segment"
    )
    segment_id = created["segmentId"]
    assert assert_hypermedia(api.get(f"{V1}/{segment_id}"), 200, "segment")["name"] == "Lima"
    page = assert_hypermedia(api.get(f"{V1}?limit=5"), 200, "segments-page")
    assert page["total"] == 1 and page["items"][0]["segmentId"] == segment_id
    contacts = assert_hypermedia(api.get(f"{V1}/{segment_id}/contacts"), 200, "contacts-page")
    assert [c["emailAddress"] for c in contacts["items"]] == ["cid@example.com"] and contacts["total"] == 1
    cursor = assert_hypermedia(api.get(f"{V1}/{segment_id}/contacts?cursor=&limit=1"), 200, "contacts-page")
    assert len(cursor["items"]) == 1
    replaced = api.put(f"{V1}/{segment_id}", {"name": "Any", "match": "any", "conditions": [field("city", "isSet")]})
    assert assert_hypermedia(replaced, 200, "segment")["match"] == "any"
    count = assert_hypermedia(api.post(f"{V1}/count", tree(field("city", "isSet"))), 200, "segment-count")
    assert (count["count"], count["activeCount"]) == (3, 3)
    assert api.delete(f"{V1}/{segment_id}").status_code == 204


def test_subscribers_are_paged_with_their_count(api, city):
    segment_id = create_segment(api, [field("city", "isSet")])
    first = assert_hypermedia(api.get(f"{segments_path(api)}/{segment_id}/subscribers?per_page=5"), 200)
    assert (first["itemsCount"], first["pagesCount"], len(first["items"])) == (3, 1, 3)
    v1 = assert_hypermedia(api.get(f"{V1}/{segment_id}/contacts?limit=2&offset=2"), 200, "contacts-page")
    assert [c["emailAddress"] for c in v1["items"]] == ["cid@example.com"] and v1["total"] == 3


def test_each_bad_condition_gets_its_own_error_with_its_path(api, city, other):
    their_list = create_list(type(api)(other), "Theirs")
    body = {
        "name": "Broken",
        "conditions": [
            field("nickname", "equals", "x"),
            {
                "match": "any",
                "conditions": [
                    field("city", "greaterThan", 3),
                    {"kind": "list", "operator": "in", "listId": their_list},
                    field("city", "isSet"),
                ],
            },
            {"kind": "created", "operator": "before", "value": "yesterday"},
            {"kind": "engagement", "operator": "openedInLastDays", "days": 0},
            {"kind": "engagement", "operator": "received", "campaignId": 999999},
            {"kind": "status", "operator": "is", "value": "sleeping"},
            {"kind": "weather", "operator": "is"},
            field("city", "equals"),
        ],
    }
    for path in (segments_path(api), V1, f"{segments_path(api)}/count"):
        problem = assert_problem(api.post(path, body), 400, VALIDATION)
        assert [e["field"] for e in problem["errors"]] == [
            "conditions[0]",
            "conditions[1].conditions[0]",
            "conditions[1].conditions[1]",
            "conditions[2]",
            "conditions[3]",
            "conditions[4]",
            "conditions[5]",
            "conditions[6]",
            "conditions[7]",
        ], problem
        details = [e["detail"] for e in problem["errors"]]
        assert "unknown field 'nickname'" in details[0]
        assert "string field 'city' must be one of equals, contains" in details[1]
        assert f"no list {their_list}" in details[2]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "conditions": []},
        {"name": "x", "conditions": "city = 1"},
        {"name": "x", "match": "some", "conditions": [field("city", "isSet")]},
        {"name": "x", "conditions": [{"match": "all", "conditions": []}]},
        {"name": "x", "conditions": [{"kind": "field", "field": "city", "operator": "isSet", "value": 1}]},
        {"name": "x", "conditions": [field("city", "isSet")] * 51},
        {
            "name": "x",
            "conditions": [
                {
                    "match": "all",
                    "conditions": [
                        {
                            "match": "all",
                            "conditions": [
                                {
                                    "match": "all",
                                    "conditions": [{"match": "all", "conditions": [field("city", "isSet")]}],
                                }
                            ],
                        }
                    ],
                }
            ],
        },
        {"conditions": [field("city", "isSet")]},
    ],
)
def test_malformed_trees_answer_400(api, city, body):
    response = api.post(segments_path(api), body)
    assert response.status_code == 400
    assert_problem(response, 400)


def test_names_are_unique_per_account_case_insensitively(api, city):
    create_segment(api, [field("city", "isSet")], name="Everyone")
    response = api.post(segments_path(api), {"name": "EVERYONE", "conditions": [field("city", "isSet")]})
    assert_problem(response, 400, "/errors/400.38-duplicated-name")


def test_accounts_are_isolated(api, city, other):
    from tests.helpers import ApiClient

    theirs = ApiClient(other)
    create_field(theirs, "city", "string")
    their_list = create_list(theirs, "Theirs")
    subscribed(theirs, their_list, "zed@example.org", fields={"city": "Rosario"})
    mine = create_segment(api, [field("city", "equals", "Rosario")])
    their_segment = create_segment(theirs, [field("city", "equals", "Rosario")])
    assert api.get(f"{segments_path(api)}/{mine}/subscribers").json()["itemsCount"] == 2
    assert theirs.get(f"{segments_path(theirs)}/{their_segment}/subscribers").json()["itemsCount"] == 1
    assert_problem(api.get(f"{V1}/{their_segment}"), 404)
    assert_problem(api.get(f"{V1}/{their_segment}/contacts"), 404)
    assert_problem(api.get(f"{segments_path(api)}/{their_segment}"), 404)
    assert_problem(api.get(f"{segments_path(theirs)}/{their_segment}"), 403)
    assert_problem(api.put(f"{V1}/{their_segment}", {"name": "Mine", "conditions": [field("city", "isSet")]}), 404)
    assert_problem(api.delete(f"{V1}/{their_segment}"), 404)
    assert [s["segmentId"] for s in api.get(V1).json()["items"]] == [mine]
