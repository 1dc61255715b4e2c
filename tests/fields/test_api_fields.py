"""Field definitions: predefined fields, custom field CRUD, and deletion of the values."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fields.models import Field
from subscribers.models import Subscriber
from tests.factories import make_account
from tests.helpers import ApiClient, assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import Paths, create_field, create_list, field_values, get_subscriber, subscribed

PREDEFINED = [
    ("firstName", "First Name", "string"),
    ("lastName", "Last Name", "string"),
    ("gender", "Gender", "gender"),
    ("birthday", "Birthday", "date"),
    ("country", "Country", "country"),
]


@pytest.fixture
def paths(owner):
    return Paths(owner)


def get_field(api, paths, name) -> dict:
    return assert_hypermedia(api.get(paths.field(name)), 200, "field")


def test_every_new_account_has_the_predefined_fields_first(db):
    fresh = make_account("fresh@example.net")
    api = ApiClient(fresh)
    create_field(api, "income", "number", label="Annual Income")
    paths = Paths(fresh)
    body = assert_hypermedia(api.get(paths.fields), 200, "fields-collection")
    got = [
        (item["fieldName"], item["label"], item["type"], item["predefined"], item["private"]) for item in body["items"]
    ]
    assert got == [(*p, True, False) for p in PREDEFINED] + [("income", "Annual Income", "number", False, False)]
    for item in body["items"]:
        href = paths.field(item["fieldName"])
        rels = [(link["rel"], link["href"]) for link in item["_links"]]
        expected = [("item /rels/field", href), ("/rels/edit-field", href)]
        assert rels == expected + ([] if item["predefined"] else [("/rels/delete-field", href)])
    assert links_by_rel(body, "self")[0]["href"] == paths.fields
    assert links_by_rel(body, "/rels/create-field")[0]["href"] == paths.fields
    assert links_by_rel(body, "/rels/account-home")[0]["href"] == paths.home


def test_the_collection_offers_the_received_add_field_rel(api, paths):
    body = assert_hypermedia(api.get(paths.fields), 200, "fields-collection")
    [add] = [link for link in body["_links"] if link["rel"] == "self /rels/add-field"]
    assert add["href"] == paths.fields
    page = api.get("/rels/add-field")
    assert page.status_code == 200 and b"POST" in page.content


def test_create_is_200_with_the_received_message_location_and_defaults(api, paths):
    response = api.post(paths.fields, {"fieldName": "city", "type": "string"})
    body = assert_hypermedia(response, 200, "message")  # the received Blueprint's status
    assert body["message"] == "Field created successfully"
    assert [link["rel"] for link in body["_links"]] == [
        "parent /rels/fields-collection",
        "related /rels/field",
        "/rels/edit-field",
        "/rels/delete-field",
        "/rels/account-home",
    ]
    assert response["Location"] == paths.field("city")
    assert links_by_rel(body, "/rels/field")[0]["href"] == paths.field("city")
    assert links_by_rel(body, "/rels/delete-field")[0]["href"] == paths.field("city")
    detail = get_field(api, paths, "city")
    assert (detail["fieldName"], detail["label"], detail["type"], detail["predefined"], detail["private"]) == (
        "city",
        "city",
        "string",
        False,
        False,
    )
    assert [link["rel"] for link in detail["_links"]] == [
        "self /rels/field",
        "/rels/edit-field",
        "/rels/delete-field",
        "parent /rels/fields-collection",
        "/rels/account-home",
    ]


def test_create_with_label_and_private(api, paths):
    create_field(api, "score", "number", label="Lead score", private=True)
    detail = get_field(api, paths, "score")
    assert (detail["label"], detail["private"]) == ("Lead score", True)


@pytest.mark.parametrize("name", ["a", "A" + "b" * 49, "x_1", "Z9"])
def test_valid_field_names(api, name):
    create_field(api, name, "string")


@pytest.mark.parametrize("name", ["1abc", "_x", "a-b", "a b", "ñandu", "a" * 51, "", 12])
def test_invalid_field_name_is_400_2(api, paths, name):
    body = assert_problem(
        api.post(paths.fields, {"fieldName": name, "type": "string"}), 400, "/errors/400.2-validation-error", 2
    )
    assert [e["field"] for e in body["errors"]] == ["fieldName"]


@pytest.mark.parametrize("type_", ["text", "integer", "", "STRING"])
def test_invalid_type_is_400_2(api, paths, type_):
    body = assert_problem(
        api.post(paths.fields, {"fieldName": "thing", "type": type_}), 400, "/errors/400.2-validation-error", 2
    )
    assert [e["field"] for e in body["errors"]] == ["type"]


@pytest.mark.parametrize("type_", ["string", "number", "boolean", "date", "email", "gender", "country"])
def test_every_type_can_be_created(api, paths, type_):
    create_field(api, f"f_{type_}", type_)
    assert get_field(api, paths, f"f_{type_}")["type"] == type_


@pytest.mark.parametrize("body, missing", [({"type": "string"}, "fieldName"), ({"fieldName": "x"}, "type")])
def test_missing_member_is_400_24(api, paths, body, missing):
    problem = assert_problem(api.post(paths.fields, body), 400, "/errors/400.24-missing-data", 24)
    assert missing in problem["detail"]


@pytest.mark.parametrize("name", ["CITY", "City", "FIRSTNAME", "country"])
def test_duplicated_name_is_400_38_case_insensitively(api, paths, name):
    create_field(api, "city", "string")
    body = assert_problem(
        api.post(paths.fields, {"fieldName": name, "type": "number"}), 400, "/errors/400.38-duplicated-name", 38
    )
    assert name in body["detail"]
    assert Field.objects.filter(account=api.owner.account, name__iexact=name).count() == 1


def test_put_changes_label_and_private(api, paths):
    create_field(api, "city", "string")
    body = assert_hypermedia(api.put(paths.field("city"), {"label": "Town", "private": True}), 200, "message")
    assert links_by_rel(body, "/rels/field")[0]["href"] == paths.field("city")
    detail = get_field(api, paths, "city")
    assert (detail["label"], detail["private"], detail["type"]) == ("Town", True, "string")
    assert_hypermedia(api.put(paths.field("city"), {"private": False}), 200, "message")
    assert (get_field(api, paths, "city")["label"], get_field(api, paths, "city")["private"]) == ("Town", False)


def test_put_on_a_predefined_field(api, paths):
    assert_hypermedia(api.put(paths.field("firstName"), {"label": "Given name", "private": True}), 200, "message")
    detail = get_field(api, paths, "firstName")
    assert (detail["label"], detail["private"], detail["predefined"]) == ("Given name", True, True)


def test_put_may_echo_read_only_members_unchanged(api, paths):
    create_field(api, "city", "string")
    body = {"fieldName": "city", "type": "string", "predefined": False, "label": "Town"}
    assert_hypermedia(api.put(paths.field("city"), body), 200, "message")
    assert get_field(api, paths, "city")["label"] == "Town"


@pytest.mark.parametrize(
    "change", [{"fieldName": "town"}, {"type": "number"}, {"predefined": True}, {"fieldName": "CITY"}]
)
def test_put_changing_a_read_only_member_is_400_2(api, paths, change):
    create_field(api, "city", "string")
    body = assert_problem(
        api.put(paths.field("city"), {"label": "Town", **change}), 400, "/errors/400.2-validation-error", 2
    )
    assert [e["field"] for e in body["errors"]] == list(change)
    detail = get_field(api, paths, "city")
    assert (detail["fieldName"], detail["label"], detail["type"], detail["predefined"]) == (
        "city",
        "city",
        "string",
        False,
    )


def test_put_with_a_blank_label_is_400_2(api, paths):
    body = assert_problem(api.put(paths.field("lastName"), {"label": ""}), 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == ["label"]


@pytest.mark.parametrize("name", [field[0] for field in PREDEFINED])
def test_predefined_fields_cannot_be_deleted(api, paths, name):
    assert_problem(api.delete(paths.field(name)), 409, "/errors/409.4-predefined-field", 4)
    assert get_field(api, paths, name)["predefined"] is True


def test_unknown_field_is_404(api, paths):
    for response in (
        api.get(paths.field("nope")),
        api.put(paths.field("nope"), {"label": "x"}),
        api.delete(paths.field("nope")),
    ):
        assert_problem(response, 404, "/errors/404.1-not-found", 1)


def test_delete_removes_the_field_and_its_values_in_one_statement(api, paths):
    create_field(api, "income", "number")
    create_field(api, "city", "string")
    list_id = create_list(api, "People")
    hashes = [
        subscribed(api, list_id, f"p{i}@example.com", {"income": i * 10, "city": "Rosario", "firstName": "P"})
        for i in range(6)
    ]
    hashes.append(subscribed(api, list_id, "no-income@example.com", {"city": "Salta"}))

    with CaptureQueriesContext(connection) as context:
        body = assert_hypermedia(api.delete(paths.field("income")), 200, "message")
    updates = [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and "subscribers_subscriber" in q["sql"]
    ]
    assert len(updates) == 1, updates
    assert links_by_rel(body, "/rels/fields-collection")[0]["href"] == paths.fields

    assert_problem(api.get(paths.field("income")), 404, "/errors/404.1-not-found", 1)
    for email_md5 in hashes[:-1]:
        assert field_values(get_subscriber(api, email_md5)) == {"firstName": "P", "city": "Rosario"}
    assert field_values(get_subscriber(api, hashes[-1])) == {"city": "Salta"}
    assert not Subscriber.objects.filter(fields__has_key="income").exists()
    create_field(api, "income", "string")  # the name is free again, and old values do not come back
    assert "income" not in field_values(get_subscriber(api, hashes[0]))


def test_delete_leaves_other_accounts_values(api, paths, client_for, other):
    b_api = client_for(other)
    create_field(b_api, "income", "number")
    create_field(api, "income", "number")
    subscribed(b_api, create_list(b_api, "B"), "b@example.com", {"income": 5})
    assert_hypermedia(api.delete(paths.field("income")), 200, "message")
    b_subscriber = Subscriber.objects.get(account=other.account)
    assert b_subscriber.fields == {"income": 5}
