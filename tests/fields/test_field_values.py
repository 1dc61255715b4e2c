"""Every subscriber write validates each value against its field's type."""

import pytest

from subscribers.models import Subscriber
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import (
    Paths,
    create_field,
    create_list,
    field_values,
    get_subscriber,
    md5,
    subscribe,
    subscribed,
)

CUSTOM = {"income": "number", "vip": "boolean", "since": "date", "work": "email", "nickname": "string"}


@pytest.fixture
def list_id(api):
    for name, type_ in CUSTOM.items():
        create_field(api, name, type_)
    return create_list(api, "Values")


VALID = [
    ("income", 450000, 450000),
    ("income", 12.5, 12.5),
    ("income", "12.5", 12.5),
    ("income", " 7 ", 7),
    ("income", -3, -3),
    ("income", "1e3", 1000),
    ("vip", True, True),
    ("vip", False, False),
    ("vip", "true", True),
    ("vip", "no", False),
    ("since", "2020-02-29", "2020-02-29"),
    ("work", "Boss@Example.COM", "boss@example.com"),
    ("gender", "M", "M"),
    ("gender", "f", "F"),
    ("gender", "male", "M"),
    ("gender", "Female", "F"),
    ("gender", "X", "X"),
    ("country", "ar", "AR"),
    ("country", "US", "US"),
    ("country", " gb ", "GB"),
    ("nickname", "  Johnny ", "Johnny"),
    ("firstName", "José", "José"),
    ("birthday", "1990-12-31", "1990-12-31"),
]


@pytest.mark.parametrize("name, value, stored", VALID)
def test_valid_values_are_stored_in_native_form(api, list_id, name, value, stored):
    email_md5 = subscribed(api, list_id, "v@example.com", {name: value})
    assert field_values(get_subscriber(api, email_md5)) == {name: stored}
    assert type(field_values(get_subscriber(api, email_md5))[name]) is type(stored)


INVALID = [
    ("income", "abc"),
    ("income", True),
    ("income", [1]),
    ("income", {"n": 1}),
    ("income", "NaN"),
    ("vip", "maybe"),
    ("vip", 2),
    ("vip", [True]),
    ("since", "2021-02-29"),
    ("since", "29/02/2020"),
    ("since", "2020-2-1"),
    ("since", 20200101),
    ("work", "not-an-email"),
    ("work", 5),
    ("gender", "Q"),
    ("gender", "unknown"),
    ("gender", 1),
    ("country", "XX"),
    ("country", "ARG"),
    ("country", "Argentina"),
    ("country", 54),
    ("nickname", "x" * 1001),
    ("nickname", True),
    ("nickname", {"a": 1}),
    ("birthday", "yesterday"),
]


@pytest.mark.parametrize("name, value", INVALID)
def test_invalid_values_are_400_2_naming_the_field(api, list_id, name, value):
    response = subscribe(api, list_id, "v@example.com", {name: value})
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == [f"fields.{name}"]
    assert not Subscriber.objects.exists()


def test_one_error_entry_per_bad_field(api, list_id):
    response = subscribe(
        api,
        list_id,
        "v@example.com",
        {"income": "lots", "vip": "maybe", "since": "never", "unknownField": 1, "firstName": "Fine", "country": "ZZ"},
    )
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert sorted(e["field"] for e in body["errors"]) == [
        "fields.country",
        "fields.income",
        "fields.since",
        "fields.unknownField",
        "fields.vip",
    ]
    for name in ("income", "vip", "since", "unknownField", "country"):
        assert f"fields.{name}" in body["detail"]


def test_existing_subscriber_is_not_changed_by_an_invalid_update(api, list_id):
    email_md5 = subscribed(api, list_id, "v@example.com", {"income": 1, "firstName": "Vee"})
    other_list = create_list(api, "Other")
    response = subscribe(api, other_list, "v@example.com", {"income": "lots", "firstName": "Changed"})
    assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    detail = get_subscriber(api, email_md5)
    assert field_values(detail) == {"income": 1, "firstName": "Vee"}
    assert detail["belongsToLists"] == [list_id]


def test_unknown_field_name_is_rejected_even_with_an_empty_value(api, list_id):
    response = subscribe(api, list_id, "v@example.com", {"income2": None})
    body = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert [e["field"] for e in body["errors"]] == ["fields.income2"]


def test_field_names_are_case_sensitive_on_writes(api, list_id):
    body = assert_problem(
        subscribe(api, list_id, "v@example.com", {"FirstName": "x"}), 400, "/errors/400.2-validation-error", 2
    )
    assert [e["field"] for e in body["errors"]] == ["fields.FirstName"]


def test_put_validates_values_too(api, owner, list_id):
    email_md5 = subscribed(api, list_id, "v@example.com", {"income": 1})
    path = Paths(owner).subscriber(email_md5)
    body = {
        "emailAddress": "v@example.com",
        "belongsToLists": [list_id],
        "fields": [{"fieldName": "income", "value": "x"}, {"fieldName": "birthday", "value": "1990-02-30"}],
    }
    problem = assert_problem(api.put(path, body), 400, "/errors/400.2-validation-error", 2)
    assert sorted(e["field"] for e in problem["errors"]) == ["fields.birthday", "fields.income"]
    body["fields"] = [{"fieldName": "income", "value": "2.5"}, {"fieldName": "gender", "value": "female"}]
    assert_hypermedia(api.put(path, body), 200, "message")
    assert field_values(get_subscriber(api, email_md5)) == {"income": 2.5, "gender": "F"}


def test_fields_are_listed_with_their_types_in_field_order(api, list_id):
    email_md5 = subscribed(
        api, list_id, "v@example.com", {"income": 3, "country": "uy", "firstName": "V", "vip": "yes"}
    )
    assert get_subscriber(api, email_md5)["fields"] == [
        {"fieldName": "firstName", "value": "V", "type": "string"},
        {"fieldName": "country", "value": "UY", "type": "country"},
        {"fieldName": "income", "value": 3, "type": "number"},
        {"fieldName": "vip", "value": True, "type": "boolean"},
    ]
    assert md5("v@example.com") == email_md5
