"""A list's `public` flag, public name and description on the API and in the admin; `{{ preferencesUrl }}`
is a campaign's merge tag, not a single email's."""

import pytest

from campaigns.content import SINGLE_BUILTINS, TemplateError, compile_campaign
from lists.models import MailingList
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import Paths, create_list


@pytest.fixture
def paths(owner):
    return Paths(owner)


def get_list(api, paths, list_id) -> dict:
    return assert_hypermedia(api.get(paths.list(list_id)), 200, "list")


def test_a_list_is_not_public_unless_the_account_says_so(api, paths):
    body = get_list(api, paths, create_list(api, "Newsletter"))
    assert (body["public"], body["publicName"], body["publicDescription"]) == (False, "", "")


def test_create_a_public_list_and_read_it_back_on_both_the_item_and_the_collection(api, paths):
    response = api.post(
        paths.lists,
        {"name": "nl-2026", "public": True, "publicName": "  Weekly news ", "publicDescription": "Fridays"},
    )
    assert_hypermedia(response, 201, "message")
    list_id = int(response["Location"].rsplit("/", 1)[1])
    body = get_list(api, paths, list_id)
    assert (body["public"], body["publicName"], body["publicDescription"]) == (True, "Weekly news", "Fridays")
    item = assert_hypermedia(api.get(paths.lists), 200, "lists-collection")["items"][0]
    assert (item["public"], item["publicName"]) == (True, "Weekly news")
    assert MailingList.objects.get(pk=list_id).display_name == "Weekly news"


def test_put_keeps_what_it_leaves_out_and_changes_what_it_gives(api, paths):
    list_id = create_list(api, "Offers")
    api.put(paths.list(list_id), {"name": "Offers", "public": True, "publicDescription": "Deals"})
    assert_hypermedia(api.put(paths.list(list_id), {"name": "Offers 2026"}), 200, "message")
    row = MailingList.objects.get(pk=list_id)
    assert (row.name, row.public, row.public_name, row.public_description) == ("Offers 2026", True, "", "Deals")
    assert row.display_name == "Offers 2026"  # no public name: the name
    api.put(paths.list(list_id), {"name": "Offers 2026", "public": False, "publicDescription": ""})
    row.refresh_from_db()
    assert (row.public, row.public_description) == (False, "")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"public": "maybe"}, "public"),
        ({"publicName": "x" * 101}, "publicName"),
        ({"publicDescription": "x" * 301}, "publicDescription"),
        ({"publicName": 5 * [1]}, "publicName"),
    ],
)
def test_invalid_public_members_are_400_2_naming_them(api, paths, body, field):
    response = api.post(paths.lists, {"name": "Bad", **body})
    problem = assert_problem(response, 400, "/errors/400.2-validation-error", 2)
    assert [error["field"] for error in problem["errors"]] == [field]
    assert not MailingList.objects.exists()


def test_the_admin_sets_public_through_the_services(admin_client, owner):
    response = admin_client.post(
        "/admin/lists/mailinglist/add/",
        {
            "account": owner.account.pk,
            "name": "From the admin",
            "active": "on",
            "public": "on",
            "public_name": "Admin news",
            "public_description": "",
        },
    )
    assert response.status_code == 302, response.content[:500]
    row = MailingList.objects.get()
    assert (row.public, row.public_name) == (True, "Admin news")
    page = admin_client.get("/admin/lists/mailinglist/?public__exact=1").content.decode()
    assert "From the admin" in page


def test_preferences_url_is_a_campaign_merge_tag_only():
    compiled = compile_campaign(
        subject="Hi", html_part="", text_part="Prefs: {{ preferencesUrl }}", preheader="", fields={}
    )
    assert compiled.text == ["Prefs: ", ["tag", "preferencesUrl", ""]]
    with pytest.raises(TemplateError, match="unknown field 'preferencesUrl'"):
        compile_campaign(
            subject="Hi",
            html_part="",
            text_part="{{ preferencesUrl }}",
            preheader="",
            fields={},
            builtins=SINGLE_BUILTINS,
        )
