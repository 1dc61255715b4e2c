"""Templates on both surfaces: CRUD, the same representation, validation as problem+json (the slot missing or
doubled, bad merge tags, a duplicated name), and deletion refused while an unfinished campaign uses it."""

import pytest

from templates.models import Template
from tests.campaigns.builders import audience, create_campaign, get_campaign, post
from tests.helpers import ApiClient, assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import create_field
from tests.templates.builders import LAYOUT, TEXT_LAYOUT, V1, create_template, template_body, templates_path

pytestmark = pytest.mark.django_db
INVALID = "/errors/400.44-template-invalid"


def test_create_read_update_delete_on_the_blueprint_surface(api):
    template_id = create_template(api, text=TEXT_LAYOUT)
    path = f"{templates_path(api)}/{template_id}"
    body = assert_hypermedia(api.get(path), 200, "template")
    assert (body["templateId"], body["name"], body["html"], body["text"]) == (
        template_id,
        "Newsletter",
        LAYOUT,
        TEXT_LAYOUT,
    )
    assert links_by_rel(body, "self")[0]["href"] == path
    assert links_by_rel(body, "/rels/edit-template")[0]["href"] == path
    assert links_by_rel(body, "/rels/delete-template")
    assert links_by_rel(body, "parent")[0]["href"] == templates_path(api)

    page = assert_hypermedia(api.get(templates_path(api)), 200, "templates-collection")
    assert [item["templateId"] for item in page["items"]] == [template_id]
    assert links_by_rel(page, "/rels/create-template")

    written = api.put(path, template_body(name="Plain", html="<p>{{ CONTENT }}</p>"))
    assert_hypermedia(written, 200, "message")
    assert Template.objects.values_list("name", "html", "text").get(pk=template_id) == (
        "Plain",
        "<p>{{ CONTENT }}</p>",
        "",
    )

    assert_hypermedia(api.delete(path), 200, "message")
    assert_problem(api.get(path), 404)


def test_the_v1_surface_shows_the_same_template(api):
    created = api.post(V1, template_body())
    body = assert_hypermedia(created, 201, "template")
    assert created["Location"] == f"{V1}/{body['templateId']}"
    same = assert_hypermedia(api.get(f"{V1}/{body['templateId']}"), 200, "template")
    hypermedia = assert_hypermedia(api.get(f"{templates_path(api)}/{body['templateId']}"), 200, "template")
    assert {k: v for k, v in same.items() if k != "_links"} == {k: v for k, v in hypermedia.items() if k != "_links"}
    page = assert_hypermedia(api.get(f"{V1}?sort_by=name"), 200, "templates-page")
    assert [item["templateId"] for item in page["items"]] == [body["templateId"]]
    updated = assert_hypermedia(api.put(f"{V1}/{body['templateId']}", template_body(name="Renamed")), 200, "template")
    assert updated["name"] == "Renamed"
    assert api.delete(f"{V1}/{body['templateId']}").status_code == 204


@pytest.mark.parametrize(
    "html, text, errors",
    [
        ("<p>No slot</p>", "", {"html": "no {{ content }} slot"}),
        ("{{ content }}<hr>{{content}}", "", {"html": "2 {{ content }} slots"}),
        (LAYOUT, "No slot in the text", {"text": "no {{ content }} slot"}),
        ("{{ content }} {{ nosuchfield }}", "", {"html": "unknown field 'nosuchfield'"}),
        ("{{ content }} {{ broken", "{{ content }} {{ x | y", {"html": "malformed merge tag", "text": "malformed"}),
        ('{{ content }}<a href="https://{{ city }}.example.com/">x</a>', "", {"html": "a link's host"}),
    ],
)
def test_a_bad_layout_is_a_problem_naming_each_member(api, html, text, errors):
    create_field(api, "city", "string")
    for response in (
        api.post(templates_path(api), template_body(html=html, text=text)),
        api.post(V1, {"name": "x", "html": html, "text": text}),
    ):
        body = assert_problem(response, 400, INVALID, error_code=44)
        found = {error["field"]: error["detail"] for error in body["errors"]}
        assert set(found) == set(errors), found
        for member, words in errors.items():
            assert words in found[member], found
    assert not Template.objects.exists()


def test_merge_tags_of_the_account_fields_and_the_builtins_are_accepted(api):
    create_field(api, "city", "string")
    create_template(api, html="{{ content }} {{ City | somewhere }} {{ firstName }} {{ emailAddress }}")


def test_missing_members_a_duplicated_name_and_an_unknown_template(api):
    assert_problem(api.post(templates_path(api), {"name": "No layout"}), 400, "/errors/400.24-missing-data")
    blank = api.post(templates_path(api), template_body(html=" "))
    assert_problem(blank, 400, INVALID)
    create_template(api, name="Weekly")
    duplicated = api.post(templates_path(api), template_body(name="WEEKLY"))
    assert_problem(duplicated, 400, "/errors/400.38-duplicated-name")
    assert_problem(api.get(f"{templates_path(api)}/999999"), 404)
    assert_problem(api.put(f"{V1}/999999", template_body()), 404)


def test_a_campaign_names_its_template_and_links_to_it(api):
    template_id = create_template(api)
    list_id, _ = audience(api, 1)
    campaign_id = create_campaign(api, [list_id], templateId=template_id)
    body = get_campaign(api, campaign_id)
    assert body["templateId"] == template_id
    assert links_by_rel(body, "/rels/template")[0]["href"] == f"{templates_path(api)}/{template_id}"
    v1 = assert_hypermedia(api.get(f"/api/v1/campaigns/{campaign_id}"), 200, "campaign")
    assert links_by_rel(v1, "/rels/template")[0]["href"] == f"{V1}/{template_id}"
    unknown = post(api, f"/accounts/{api.owner.name}/campaigns", {"name": "x", "templateId": 999999})
    body = assert_problem(unknown, 400, "/errors/400.2-validation-error")
    assert body["errors"] == [{"field": "templateId", "detail": "unknown template: 999999"}]


def test_a_template_in_use_by_an_unfinished_campaign_cannot_be_deleted(api):
    template_id = create_template(api)
    list_id, _ = audience(api, 1)
    campaign_id = create_campaign(api, [list_id], templateId=template_id)
    refused = assert_problem(api.delete(f"{templates_path(api)}/{template_id}"), 409, "/errors/409.10-template-in-use")
    assert str(campaign_id) in refused["detail"]
    assert_problem(api.delete(f"{V1}/{template_id}"), 409, "/errors/409.10-template-in-use")
    api.put(f"/accounts/{api.owner.name}/campaigns/{campaign_id}", {"name": "Spring sale", "lists": [list_id]})
    assert get_campaign(api, campaign_id)["templateId"] is None
    assert_hypermedia(api.delete(f"{templates_path(api)}/{template_id}"), 200, "message")


def test_a_template_whose_field_was_deleted_keeps_a_campaign_from_starting(api):
    create_field(api, "city", "string")
    template_id = create_template(api, html="{{ content }} {{ city }}")
    list_id, _ = audience(api, 1)
    campaign_id = create_campaign(api, [list_id], templateId=template_id)
    assert api.delete(f"/accounts/{api.owner.name}/fields/city").status_code == 200
    refused = post(api, f"/accounts/{api.owner.name}/campaigns/{campaign_id}/start")
    body = assert_problem(refused, 400, "/errors/400.42-campaign-not-ready")
    assert body["errors"] == [
        {"field": "templateId", "detail": "the template's html: unknown field 'city' in merge tag {{ city }}"}
    ]


def test_another_accounts_template_is_unknown_to_a_campaign_and_to_the_urls(api, other):
    theirs = create_template(ApiClient(other), name="Theirs")
    refused = post(api, f"/accounts/{api.owner.name}/campaigns", {"name": "x", "templateId": theirs})
    body = assert_problem(refused, 400, "/errors/400.2-validation-error")
    assert body["errors"] == [{"field": "templateId", "detail": f"unknown template: {theirs}"}]
    assert_problem(api.get(f"{V1}/{theirs}"), 404)
    assert_problem(api.get(f"/accounts/{other.name}/templates/{theirs}"), 403)
    assert Template.objects.get(pk=theirs).name == "Theirs"
