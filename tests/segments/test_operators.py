"""Each operator of each field type, and the other kinds of condition, against answers computed by hand
(tests/segments/builders.py: PEOPLE, CREATED, engagement)."""

from datetime import timedelta

import pytest

from segments.models import Segment
from tests.segments.builders import create_segment, engagement, field, matched, people, segments_path
from tests.subscribers.builders import Paths


@pytest.fixture
def audience(api):
    return people(api)


TEXT = [
    (field("city", "equals", "ROSARIO"), {"ann"}),  # case-insensitive, whole value
    (field("city", "contains", "rosario"), {"ann", "bob"}),
    (field("city", "contains", "Ó"), {"cid"}),
    (field("city", "contains", "%"), set()),  # LIKE's wildcards are plain characters
    (field("city", "contains", "_"), set()),
    (field("city", "startsWith", "ros"), {"ann", "bob"}),
    (field("city", "startsWith", "norte"), set()),
    (field("city", "isSet"), {"ann", "bob", "cid", "eve"}),
    (field("city", "isNotSet"), {"dan"}),
    (field("work", "equals", "ann@work.EXAMPLE"), {"ann"}),
    (field("work", "contains", "@work"), {"ann"}),
    (field("work", "startsWith", "ann"), {"ann"}),
    (field("work", "isNotSet"), {"bob", "cid", "dan", "eve"}),
]
NUMBER = [
    (field("age", "equals", 30), {"ann"}),
    (field("age", "equals", "45.5"), {"bob"}),  # as a field value is written: text that is a number
    (field("age", "greaterThan", 29.9), {"ann", "bob"}),
    (field("age", "greaterThan", 45.5), set()),
    (field("age", "lessThan", 30), {"cid"}),
    (field("age", "isSet"), {"ann", "bob", "cid"}),
    (field("age", "isNotSet"), {"dan", "eve"}),
]
BOOLEAN = [
    (field("vip", "isTrue"), {"ann", "eve"}),
    (field("vip", "isFalse"), {"bob"}),
    (field("vip", "isSet"), {"ann", "bob", "eve"}),
    (field("vip", "isNotSet"), {"cid", "dan"}),
]
DATE = [
    (field("joined", "before", "2024-01-15"), {"bob"}),
    (field("joined", "after", "2023-06-01"), {"ann", "cid"}),
    (field("joined", "on", "2024-01-15"), {"ann", "cid"}),
    (field("joined", "isSet"), {"ann", "bob", "cid"}),
    (field("joined", "isNotSet"), {"dan", "eve"}),
]
CHOICES = [
    (field("gender", "equals", "female"), {"ann"}),  # the value as the field type stores it: F
    (field("gender", "isSet"), {"ann", "bob"}),
    (field("country", "equals", "ar"), {"ann", "cid"}),
    (field("country", "isNotSet"), {"dan", "eve"}),
]


@pytest.mark.parametrize(
    "condition,expected",
    TEXT + NUMBER + BOOLEAN + DATE + CHOICES,
    ids=lambda value: None if isinstance(value, set) else f"{value['field']}-{value['operator']}",
)
def test_field_operator_matches_the_hand_computed_subscribers(api, audience, condition, expected):
    assert matched(api, condition) == expected


def test_status_list_and_creation_conditions(api, audience):
    lists = audience["lists"]
    assert matched(api, {"kind": "status", "operator": "is", "value": "active"}) == {"ann", "bob", "cid", "dan"}
    assert matched(api, {"kind": "status", "operator": "isNot", "value": "active"}) == {"eve"}
    assert matched(api, {"kind": "status", "operator": "is", "value": "unsubscribed-by-admin"}) == {"eve"}
    assert matched(api, {"kind": "list", "operator": "in", "listId": lists["A"]}) == {"ann", "bob", "cid"}
    assert matched(api, {"kind": "list", "operator": "notIn", "listId": lists["A"]}) == {"dan", "eve"}
    assert matched(api, {"kind": "created", "operator": "inLastDays", "days": 5}) == {"ann", "eve"}
    assert matched(api, {"kind": "created", "operator": "inLastDays", "days": 30}) == {"ann", "cid", "eve"}
    cutoff = (audience["now"] - timedelta(days=20)).isoformat()
    assert matched(api, {"kind": "created", "operator": "before", "value": cutoff}) == {"bob", "dan"}
    assert matched(api, {"kind": "created", "operator": "after", "value": cutoff}) == {"ann", "cid", "eve"}


def test_engagement_conditions(api, audience):
    sent = engagement(api.owner.account, audience["ids"], audience["now"])

    def engaged(operator, **members):
        return matched(api, {"kind": "engagement", "operator": operator, **members})

    assert engaged("openedInLastDays", days=7) == {"ann"}
    assert engaged("openedInLastDays", days=60) == {"ann", "bob"}
    assert engaged("clickedInLastDays", days=7) == {"ann"}
    assert engaged("clickedInLastDays", days=60) == {"ann", "bob"}
    assert engaged("neverOpened") == {"cid", "dan", "eve"}
    assert engaged("clickedLink", campaignId=sent["first"], url=sent["url"]) == {"ann"}
    assert engaged("clickedLink", campaignId=sent["first"], url="https://shop.example.com/y") == {"bob"}
    assert engaged("received", campaignId=sent["first"]) == {"ann", "bob", "cid"}
    assert engaged("received", campaignId=sent["second"]) == set()  # its one message bounced


def test_nested_all_and_any(api, audience):
    ar_adults = {"match": "all", "conditions": [field("country", "equals", "AR"), field("age", "greaterThan", 20)]}
    assert matched(api, ar_adults, field("vip", "isFalse"), match="any") == {"ann", "bob"}
    either_city = {"match": "any", "conditions": [field("city", "startsWith", "b"), field("city", "equals", "córdoba")]}
    assert matched(api, either_city) == {"cid", "eve"}
    assert matched(api, either_city, {"kind": "status", "operator": "is", "value": "active"}) == {"cid"}
    deep = {"match": "any", "conditions": [{"match": "all", "conditions": [ar_adults, field("vip", "isTrue")]}]}
    assert matched(api, deep, match="any") == {"ann"}


def test_a_deleted_field_matches_nobody_and_is_not_set_for_everybody(api, audience):
    equals = create_segment(api, [field("city", "equals", "rosario")])
    not_set = create_segment(api, [field("city", "isNotSet")])
    assert api.delete(Paths(api.owner).field("city")).status_code == 200
    assert Segment.objects.filter(pk__in=[equals, not_set]).count() == 2
    first = api.get(f"{segments_path(api)}/{equals}/subscribers").json()
    everyone = api.get(f"{segments_path(api)}/{not_set}/subscribers").json()
    assert (first["itemsCount"], everyone["itemsCount"]) == (0, 5)
