"""The signup form resource on both surfaces: create, read, page, edit, delete; 400 naming each bad list, field,
origin and URL; one account never sees another's forms."""

import re

from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.signup.builders import SITE, V1, create_form, form_body, forms_path
from tests.subscribers.builders import create_field, create_list

VALIDATION = "/errors/400.2-validation-error"


def test_create_read_edit_and_delete_on_the_blueprint_surface(api):
    news = create_list(api, "News")
    path = forms_path(api)
    response = api.post(path, form_body([news], name="Footer"))
    created = assert_hypermedia(response, 201, "message")
    detail_href = response["Location"]
    assert links_by_rel(created, "/rels/signup-form")[0]["href"] == detail_href
    detail = assert_hypermedia(api.get(detail_href), 200, "signup-form")
    assert (detail["name"], detail["lists"], detail["doubleOptIn"]) == ("Footer", [news], False)
    assert detail["fields"] == [{"fieldName": "firstName", "required": True}]
    assert detail["allowedOrigins"] == [SITE] and detail["thankYouUrl"] == f"{SITE}/thanks"
    # Random, not the id: 16 random bytes, URL-safe (a substring check against the id would fail by chance: a
    # random key contains a given digit often).
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", detail["formKey"]) and detail["formKey"] != str(detail["formId"])
    assert detail["actionUrl"].endswith(f"/f/{detail['formKey']}")
    assert links_by_rel(detail, "/rels/signup-form-post")[0]["href"] == detail["actionUrl"]
    assert detail["honeypotField"].startswith("b_")

    collection = assert_hypermedia(api.get(path), 200, "signup-forms-collection")
    assert [item["formId"] for item in collection["items"]] == [detail["formId"]]
    assert links_by_rel(collection, "/rels/create-signup-form")

    other = create_list(api, "Other")
    edited = form_body([other, news], name="Footer 2", doubleOptIn=True, thankYouUrl=None, errorUrl="")
    assert_hypermedia(api.put(detail_href, edited), 200, "message")
    after = assert_hypermedia(api.get(detail_href), 200, "signup-form")
    assert (after["name"], after["lists"], after["doubleOptIn"]) == ("Footer 2", sorted([news, other]), True)
    assert (after["thankYouUrl"], after["errorUrl"]) == (None, None)
    assert after["formKey"] == detail["formKey"]  # the pasted snippets keep working

    assert_hypermedia(api.delete(detail_href), 200, "message")
    assert_problem(api.get(detail_href), 404, "/errors/404.1-not-found")
    assert_problem(api.post(f"/f/{detail['formKey']}", {}), 404)


def test_create_read_edit_and_delete_on_api_v1(api):
    news = create_list(api, "News")
    form = create_form(api, [news], name="Popup")
    href = f"{V1}/{form['formId']}"
    assert assert_hypermedia(api.get(href), 200, "signup-form")["name"] == "Popup"
    page = assert_hypermedia(api.get(f"{V1}?limit=10&sort_by=name"), 200, "signup-forms-page")
    assert [item["formId"] for item in page["items"]] == [form["formId"]]
    put = assert_hypermedia(api.put(href, form_body([news], name="Popup 2")), 200, "signup-form")
    assert put["name"] == "Popup 2"
    assert api.delete(href).status_code == 204
    assert_problem(api.get(href), 404)


def test_a_name_is_unique_per_account(api):
    news = create_list(api, "News")
    create_form(api, [news], name="Footer")
    assert_problem(api.post(V1, form_body([news], name="footer")), 400, "/errors/400.38-duplicated-name")


def test_bad_lists_fields_origins_and_urls_are_named(api, other):
    news = create_list(api, "News")
    create_field(api, "city", "string")
    body = form_body(
        [news, 999999],
        fields=[{"fieldName": "city"}, {"fieldName": "nope"}, {"fieldName": "emailAddress"}, {"fieldName": "city"}],
        allowedOrigins=[SITE, "https://x.example/path", "ftp://x.example"],
        thankYouUrl="https://elsewhere.example/thanks",
        errorUrl="/relative",
    )
    errors = assert_problem(api.post(V1, body), 400, VALIDATION)["errors"]
    assert sorted(e["field"] for e in errors) == [
        "allowedOrigins[1]",
        "allowedOrigins[2]",
        "errorUrl",
        "fields[1].fieldName",
        "fields[2].fieldName",
        "fields[3].fieldName",
        "lists[1]",
        "thankYouUrl",
    ]
    missing = assert_problem(api.post(V1, {"name": "x"}), 400, "/errors/400.24-missing-data")
    assert [e["field"] for e in missing["errors"]] == ["lists"]
    assert_problem(api.post(V1, form_body([])), 400, VALIDATION)


def test_origins_are_normalised(api):
    news = create_list(api, "News")
    form = create_form(
        api,
        [news],
        allowedOrigins=["HTTPS://WWW.Shop.Example:443/", "http://localhost:8080", "https://www.shop.example"],
    )
    assert form["allowedOrigins"] == [SITE, "http://localhost:8080"]


def test_another_account_never_sees_or_changes_a_form(api, other, client_for):
    news = create_list(api, "News")
    form = create_form(api, [news])
    theirs = client_for(other)
    assert_problem(theirs.get(f"{V1}/{form['formId']}"), 404)
    assert_problem(theirs.put(f"{V1}/{form['formId']}", form_body([news])), 404)
    assert_problem(theirs.delete(f"{V1}/{form['formId']}"), 404)
    assert_problem(theirs.get(f"{forms_path(api)}/{form['formId']}"), 403)
    assert theirs.get(V1).json()["items"] == []
    their_list = create_list(theirs, "Theirs")
    errors = assert_problem(api.post(V1, form_body([their_list])), 400, VALIDATION)["errors"]
    assert [e["field"] for e in errors] == ["lists[0]"]  # another account's list is no list of this one
