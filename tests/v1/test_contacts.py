"""/api/v1/contacts: create, read, replace, filters and sorts, isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from subscribers.models import Subscriber
from tests.helpers import ApiClient, assert_hypermedia, assert_problem, backdate_subscribers, links_by_rel
from tests.subscribers.builders import create_field, create_list, field_values, md5, set_status
from tests.v1.builders import CONTACTS, contact, create_contact, page, walk

INVALID = "/errors/400.3-invalid-parameter"


def test_create_answers_the_contact_with_its_lists_and_fields(api):
    list_id = create_list(api, "News")
    create_field(api, "plan", "string")
    response = api.post(
        CONTACTS,
        {
            "emailAddress": " Ann@Example.com ",
            "lists": [list_id],
            "fields": [{"fieldName": "firstName", "value": "Ann"}, {"fieldName": "plan", "value": "gold"}],
        },
    )
    body = assert_hypermedia(response, 201, "subscriber")
    assert response["Location"] == contact(md5("ann@example.com"))
    assert (body["emailAddress"], body["belongsToLists"], body["status"]) == ("ann@example.com", [list_id], "active")
    assert field_values(body) == {"firstName": "Ann", "plan": "gold"}
    assert links_by_rel(body, "self")[0]["href"] == contact(md5("ann@example.com"))
    same = assert_hypermedia(api.get(contact(md5("ann@example.com"))), 200, "subscriber")
    assert same == body


def test_create_refuses_an_existing_address_and_bad_data(api):
    create_contact(api, "ann@example.com")
    assert_problem(api.post(CONTACTS, {"emailAddress": "ANN@example.com"}), 409, "/errors/409.3-email-in-use")
    assert_problem(api.post(CONTACTS, {"emailAddress": "not-an-address"}), 400)
    assert_problem(
        api.post(CONTACTS, {"emailAddress": "b@example.com", "lists": [999999]}), 400, "/errors/400.2-validation-error"
    )
    assert_problem(
        api.post(CONTACTS, {"emailAddress": "b@example.com", "fields": [{"fieldName": "nope", "value": 1}]}), 400
    )
    assert Subscriber.objects.count() == 1


def test_put_replaces_and_renames(api):
    list_id = create_list(api, "News")
    create_contact(api, "ann@example.com", fields={"firstName": "Ann"})
    response = api.put(
        contact(md5("ann@example.com")),
        {
            "emailAddress": "anna@example.com",
            "belongsToLists": [list_id],
            "fields": [{"fieldName": "lastName", "value": "Lee"}],
        },
    )
    body = assert_hypermedia(response, 200, "subscriber")
    assert response["Location"] == contact(md5("anna@example.com"))
    assert (body["emailAddress"], body["belongsToLists"], field_values(body)) == (
        "anna@example.com",
        [list_id],
        {"lastName": "Lee"},
    )
    assert_problem(api.get(contact(md5("ann@example.com"))), 404, "/errors/404.1-not-found")


def test_another_accounts_contact_is_not_found(api, other):
    theirs = ApiClient(other)
    create_contact(theirs, "their@example.com")
    target = contact(md5("their@example.com"))
    for response in (
        api.get(target),
        api.delete(target),
        api.put(target, {"emailAddress": "their@example.com", "belongsToLists": [], "fields": []}),
    ):
        assert_problem(response, 404, "/errors/404.1-not-found")
    assert page(api, CONTACTS, "contacts-page")["total"] == 0
    assert Subscriber.objects.filter(email="their@example.com").exists()


def test_unknown_contact_and_malformed_id(api):
    assert_problem(api.get(contact("0" * 32)), 404, "/errors/404.1-not-found")
    assert_problem(api.get(f"{CONTACTS}/not-an-md5"), 404)


@pytest.fixture
def people(api, owner):
    news, promo = create_list(api, "News"), create_list(api, "Promo")
    create_field(api, "plan", "string")
    create_field(api, "score", "number")
    create_field(api, "vip", "boolean")
    create_field(api, "joined", "date")
    rows = [
        ("ann@example.com", [news], {"plan": "gold", "score": 3, "vip": True, "joined": "2024-05-01"}),
        ("bob@sample.org", [news, promo], {"plan": "free", "score": 10, "vip": False}),
        ("cyd@example.com", [promo], {"plan": "gold", "score": 2.5, "joined": "2024-05-02"}),
        ("dan@sample.org", [], {"plan": "10"}),
    ]
    for email, lists, fields in rows:
        create_contact(api, email, fields=fields, lists=lists)
    set_status(owner.account, md5("cyd@example.com"), "unsubscribed-by-admin")
    base = timezone.now() - timedelta(days=10)
    for days, (email, *_) in enumerate(rows):
        backdate_subscribers(Subscriber.objects.filter(email=email), base + timedelta(days=days))
    return {"news": news, "promo": promo, "base": base}


def emails(api, query: str) -> list[str]:
    both = walk(api, f"{CONTACTS}?cursor=&limit=1&{query}", "contacts-page", "emailAddress")
    offset = page(api, f"{CONTACTS}?{query}", "contacts-page")
    assert [item["emailAddress"] for item in offset["items"]] == both
    assert offset["total"] == len(both)
    return both


def test_each_filter(api, people):
    day = people["base"]
    assert emails(api, "status=active") == ["ann@example.com", "bob@sample.org", "dan@sample.org"]
    assert emails(api, "status=unsubscribed-by-admin") == ["cyd@example.com"]
    assert emails(api, "status=never-open") == ["ann@example.com", "bob@sample.org", "dan@sample.org"]
    assert emails(api, f"list={people['promo']}") == ["bob@sample.org", "cyd@example.com"]
    assert emails(api, "email=SAMPLE") == ["bob@sample.org", "dan@sample.org"]
    after = (day + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert emails(api, f"created_after={after}") == ["bob@sample.org", "cyd@example.com", "dan@sample.org"]
    before = (day + timedelta(days=2)).date().isoformat()
    assert emails(api, f"created_before={before}") == ["ann@example.com", "bob@sample.org"]
    assert emails(api, "field.plan=gold") == ["ann@example.com", "cyd@example.com"]
    assert emails(api, f"field.plan=gold&list={people['news']}&status=active") == ["ann@example.com"]
    assert emails(api, "email=nobody") == []


def test_field_filters_compare_each_type_as_text(api, people):
    assert emails(api, "field.score=10") == ["bob@sample.org"]
    assert emails(api, "field.score=2.5") == ["cyd@example.com"]
    assert emails(api, "field.score=3.0") == []  # as written: 3 is not 3.0
    assert emails(api, "field.plan=10") == ["dan@sample.org"]  # a string that reads as a number
    assert emails(api, "field.vip=true") == ["ann@example.com"]
    assert emails(api, "field.vip=false") == ["bob@sample.org"]
    assert emails(api, "field.vip=TRUE") == []
    assert emails(api, "field.joined=2024-05-02") == ["cyd@example.com"]
    assert emails(api, "field.joined=2024-05") == []
    assert emails(api, "field.plan=NaN") == emails(api, "field.score=null") == []
    assert emails(api, "field.plan=%5B%22gold%22%5D") == []  # ["gold"]


def test_the_email_filter_finds_the_start_of_an_address_or_of_its_domain(api, people):
    create_contact(api, "jane.doe@acme.com")
    create_contact(api, "jane_x@acme.org")
    create_contact(api, "joe@mail.acme.com")
    create_contact(api, "acme.fan@example.com")
    assert emails(api, "email=jane") == ["jane.doe@acme.com", "jane_x@acme.org"]
    assert emails(api, "email=JANE.DOE@AC") == ["jane.doe@acme.com"]
    assert emails(api, "email=acme.") == ["jane.doe@acme.com", "jane_x@acme.org", "acme.fan@example.com"]
    assert emails(api, "email=%40acme.com") == ["jane.doe@acme.com"]  # @acme.com: the domain alone
    assert emails(api, "email=%40acme") == ["jane.doe@acme.com", "jane_x@acme.org"]
    assert emails(api, "email=mail.acme") == ["joe@mail.acme.com"]
    assert emails(api, "email=doe") == []  # a part inside the address is not its start
    assert emails(api, "email=jane_") == ["jane_x@acme.org"]  # _ and % taken literally
    assert emails(api, "email=jane%25") == []
    assert emails(api, "email=%40acme.com&sort_by=email&order=desc") == ["jane.doe@acme.com"]
    body = assert_problem(api.get(f"{CONTACTS}?email=%40"), 400, INVALID)
    assert body["errors"][0]["field"] == "email"


def test_each_sort(api, people):
    # Last first: by email, by creation and by id alike.
    descending = ["dan@sample.org", "cyd@example.com", "bob@sample.org", "ann@example.com"]
    assert emails(api, "sort_by=email&order=desc") == descending
    assert emails(api, "sort_by=createdAt&order=desc") == descending
    backdate_subscribers(Subscriber.objects.filter(email="dan@sample.org"), people["base"])  # a tie: id decides
    assert emails(api, "sort_by=createdAt") == [
        "ann@example.com",
        "dan@sample.org",
        "bob@sample.org",
        "cyd@example.com",
    ]
    assert emails(api, "sort_by=id&order=desc") == descending


def test_filter_on_an_unknown_field_lists_the_fields(api, people):
    body = assert_problem(api.get(f"{CONTACTS}?field.colour=red"), 400, INVALID)
    assert "plan" in body["errors"][0]["detail"] and "firstName" in body["errors"][0]["detail"]


def test_requires_a_key(anon):
    assert_problem(anon.get(CONTACTS), 401)
