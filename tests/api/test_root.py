import re

from django.urls import resolve

from tests.helpers import assert_hypermedia, assert_problem, links_by_rel


def test_root_is_public_and_links_a_templated_account_home(anon, db):
    response = anon.get("/")
    body = assert_hypermedia(response, profile="message")
    assert response["Cache-Control"] == "private, max-age=86400"
    assert body["message"] == "Welcome to Email Marketing Hypermedia API"
    assert links_by_rel(body, "self")[0]["href"] == "/"
    home = links_by_rel(body, "/rels/account-home")[0]
    assert home == {
        "href": "/accounts/{accountName}",
        "rel": "/rels/account-home",
        "description": "Account Index",
        "templated": True,
    }


def test_root_with_a_key_links_the_keys_account(api, owner):
    body = assert_hypermedia(api.get("/"))
    assert links_by_rel(body, "/rels/account-home")[0]["href"] == f"/accounts/{owner.name}"


def test_root_ignores_a_bad_key(db):
    from django.test import Client

    response = Client().get("/", HTTP_AUTHORIZATION="Bearer " + "0" * 32)
    assert response.status_code == 200


def test_account_index(api, owner):
    response = api.get(f"/accounts/{owner.name}")
    body = assert_hypermedia(response, profile="message")
    assert response["Cache-Control"] == "private, max-age=86400"
    assert links_by_rel(body, "parent")[0]["href"] == "/"
    assert links_by_rel(body, "self")[0]["href"] == f"/accounts/{owner.name}"


SAMPLE_VALUES = {
    "listId": "1",
    "taskId": "1",
    "campaignId": "1",
    "segmentId": "1",
    "formId": "1",
    "domainId": "1",
    "templateId": "1",
    "webhookId": "1",
    "keyId": "1",
    "emailMd5": "0" * 32,
    "fieldName": "city",
}


def test_account_index_links_resolve_to_routes(api, owner):
    body = assert_hypermedia(api.get(f"/accounts/{owner.name}"))
    for item in body["_links"]:
        href = item["href"]
        if item.get("templated"):
            href = re.sub(r"\{([^}]+)\}", lambda m: SAMPLE_VALUES[m.group(1)], href)
        else:
            assert "{" not in href
        assert resolve(href).url_name, href


def test_account_name_is_case_insensitive_in_url(api, owner):
    assert api.get(f"/accounts/{owner.name.upper()}").status_code == 200


def test_account_index_of_another_account_is_403(api, other):
    assert_problem(api.get(f"/accounts/{other.name}"), 403, "/errors/403.1-forbidden-wrong-account", 1)


def test_account_index_of_a_missing_account_is_the_same_403(api):
    assert_problem(api.get("/accounts/nobody@nowhere.example"), 403, "/errors/403.1-forbidden-wrong-account", 1)
