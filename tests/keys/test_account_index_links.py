"""The account index lists only the links its key's scopes allow: what each link needs is read from the view it
leads to (api/affordances.py), so a listed link can be followed and a hidden one would be 403."""

import pytest

from api.affordances import affordance_needs
from api.registry import REGISTRY
from api.scopes import ALL_SCOPES
from tests.helpers import assert_hypermedia
from tests.keys.builders import client_with

WRITES = ("create-", "edit-", "delete-", "revoke-", "rotate-", "start-", "pause-", "stop-", "cancel-", "verify-")


def _links(client, owner) -> list[dict]:
    return assert_hypermedia(client.get(f"/accounts/{owner.name}"), 200, "message")["_links"]


def index_links(client, owner) -> dict[str, dict]:
    return {item["rel"]: item for item in _links(client, owner)}


def test_every_affordance_leads_to_a_view_that_declares_its_scope():
    for affordance in REGISTRY.affordances:
        affordance_needs(affordance)  # raises UnresolvedAffordance otherwise


def test_a_full_access_key_sees_every_link(api, owner):
    response = api.get(f"/accounts/{owner.name}")
    assert "Authorization" in response["Vary"]
    body = assert_hypermedia(response, 200, "message")
    assert len(body["_links"]) == len(REGISTRY.affordances) + 2  # with parent and self


def test_a_read_only_key_sees_no_create_edit_or_delete_link(owner):
    links = index_links(client_with(owner, "read"), owner)
    assert "self /rels/account-home" in links and "parent index" in links
    written = [
        rel for rel in links if any(f"/rels/{verb}" in rel for verb in WRITES) or rel.startswith(("edit ", "delete "))
    ]
    assert written == []
    assert {"/rels/lists-collection", "/rels/campaigns-collection", "/rels/tasks-collection"} <= set(links)
    assert "/rels/subscribe-to-list" not in links and "/rels/import-to-list" not in links


def test_a_key_without_campaigns_read_sees_no_campaign_link(owner):
    links = index_links(client_with(owner, "lists:write"), owner)
    assert not [rel for rel in links if "campaign" in rel or "template" in rel or "domain" in rel]
    assert {"/rels/create-list", "edit /rels/edit-list", "/rels/subscribers-collection"} <= set(links)
    assert "/rels/tasks-collection" not in links  # no area of a task kind
    assert "/rels/api-keys-collection" not in links and "/rels/webhooks-collection" not in links

    campaigns = index_links(client_with(owner, "campaigns:read"), owner)
    assert {"/rels/campaigns-collection", "/rels/campaign", "/rels/tasks-collection"} <= set(campaigns)
    assert "/rels/create-campaign" not in campaigns and "/rels/lists-collection" not in campaigns


@pytest.mark.parametrize("scope", ["read", "lists:read", "campaigns:write", "keys:read", "webhooks:read"])
def test_each_listed_link_can_be_followed_and_each_hidden_one_is_refused(owner, scope):
    """Every plain (not templated) GET link of the registry, with a key of ``scope``: listed, it answers; hidden,
    it answers 403."""
    client = client_with(owner, scope)
    listed = {item["href"] for item in _links(client, owner) if not item.get("templated")}
    tried = 0
    for affordance in REGISTRY.affordances:
        if affordance.templated or REGISTRY.rels[affordance.rel.split("/rels/")[1]].method != "GET":
            continue
        href = affordance.href(owner.name)
        status = client.get(href).status_code
        assert (status == 403) is (href not in listed), (scope, affordance.rel, status)
        tried += 1
    assert tried >= 8


def test_every_scope_gets_an_index(owner):
    for scope in ALL_SCOPES:
        assert "self /rels/account-home" in index_links(client_with(owner, scope), owner)
