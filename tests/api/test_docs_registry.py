"""Every rel, profile, model and problem type the server can emit has its document."""

import re

import pytest
from jsonschema import Draft202012Validator

from api.links import check_rel, link
from api.registry import REGISTRY
from tests.helpers import assert_hypermedia


def test_every_registered_rel_has_a_page(anon):
    assert REGISTRY.rels
    for name, doc in REGISTRY.rels.items():
        response = anon.get(f"/rels/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/html")
        assert doc.title.encode() in response.content


def test_every_profile_is_a_valid_json_schema(anon):
    for name in REGISTRY.profiles:
        response = anon.get(f"/schemas/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/schema+json"
        schema = response.json()
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"/schemas/{name}"
        Draft202012Validator.check_schema(schema)


def test_every_schema_reference_points_to_a_registered_profile():
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for name, doc in REGISTRY.profiles.items():
        for target in refs(doc.schema):
            assert target.startswith("/schemas/") and target[9:] in REGISTRY.profiles, (name, target)


def test_every_problem_type_has_a_page(anon):
    for key, doc in REGISTRY.problems.items():
        assert doc.type == f"/errors/{key}"
        response = anon.get(doc.type)
        assert response.status_code == 200, key
        assert str(doc.code).encode() in response.content


def test_every_model_has_a_page_and_its_profile_exists(anon):
    for name, doc in REGISTRY.models.items():
        assert anon.get(f"/models/{name}").status_code == 200, name
        assert doc.profile is None or doc.profile in REGISTRY.profiles


def test_every_rel_names_registered_profiles_and_problems():
    for doc in REGISTRY.rels.values():
        for profile in (doc.request_profile, doc.response_profile):
            assert profile is None or profile in REGISTRY.profiles, (doc.name, profile)
        for key in doc.problems:
            assert key in REGISTRY.problems, (doc.name, key)


def test_indexes_list_every_entry(anon):
    for prefix, table in (("/rels", REGISTRY.rels), ("/schemas", REGISTRY.profiles), ("/models", REGISTRY.models)):
        page = anon.get(prefix).content.decode()
        for name in table:
            assert f'href="{prefix}/{name}"' in page, (prefix, name)
    errors_page = anon.get("/errors").content.decode()
    for doc in REGISTRY.problems.values():
        assert f'href="{doc.type}"' in errors_page


def test_undeclared_rel_cannot_be_emitted():
    with pytest.raises(LookupError):
        link("/x", "/rels/never-declared")
    with pytest.raises(LookupError):
        check_rel("made-up-iana-name")


def test_walk_from_root_finds_only_documented_rels(api, owner):
    """Crawl the entry points a client starts from; every rel and profile resolves."""
    seen_rels = set()
    for path in ("/", f"/accounts/{owner.name}"):
        response = api.get(path)
        body = assert_hypermedia(response)
        profile = response["Content-Type"].split("profile=")[1]
        assert api.get(profile).status_code == 200
        for item in body["_links"]:
            seen_rels.update(t for t in item["rel"].split() if t.startswith("/rels/"))
    assert "/rels/account-home" in seen_rels
    for rel in seen_rels:
        assert api.get(rel).status_code == 200, rel


def test_problem_types_follow_the_naming_rule():
    for key in REGISTRY.problems:
        assert re.fullmatch(r"[1-5][0-9]{2}\.[0-9]+-[a-z0-9-]+", key), key
