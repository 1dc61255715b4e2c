"""Keys over the API, on both surfaces: create (the plaintext once), list, get, revoke."""

import pytest

from accounts.models import ApiKey
from tests.factories import AccountWithKey
from tests.helpers import ApiClient, assert_hypermedia, assert_problem, links_by_rel
from tests.keys.builders import client_with, surfaces

SURFACES = ["hypermedia", "v1"]


@pytest.fixture(params=SURFACES)
def surface(request, owner):
    return surfaces(owner)[request.param]


def create(api, surface, **body):
    body = {"name": "Reporting", "scopes": ["analytics:read", "campaigns:read"], **body}
    return api.post(surface.collection(), body)


def test_a_created_key_shows_its_plaintext_once_and_works(api, owner, surface):
    response = create(api, surface)
    body = assert_hypermedia(response, 201, "new-api-key")
    assert response["Cache-Control"] == "no-store"
    assert response["Location"] == surface.detail(body["keyId"])
    assert body["scopes"] == ["campaigns:read", "analytics:read"]  # in the one order keys list them
    assert (body["status"], body["lastUsedAt"], body["expiresAt"], body["revokedAt"]) == ("active", None, None, None)
    raw = body["key"]
    assert body["prefix"] == raw[:8]
    assert ApiKey.objects.get(pk=body["keyId"]).key_hash != raw  # only the hash is kept
    own = ApiClient(AccountWithKey(owner.account, raw))
    assert own.get("/api/v1/campaigns").status_code == 200  # what its scopes allow
    assert_problem(own.get("/api/v1/contacts"), 403, "/errors/403.5-missing-scope", 5)

    for path in (surface.collection(), surface.detail(body["keyId"])):
        seen = api.get(path)
        assert seen.status_code == 200
        assert raw not in seen.content.decode(), f"{path} shows the plaintext again"
    detail = assert_hypermedia(api.get(surface.detail(body["keyId"])), 200, "api-key")
    assert "key" not in detail
    assert detail["lastUsedAt"] is not None  # it was used once above


def test_the_collection_lists_every_key_with_its_state(api, owner, surface):
    made = assert_hypermedia(create(api, surface), 201)
    page = assert_hypermedia(api.get(surface.collection()), 200, surface.page_profile)
    names = {item["keyId"]: item for item in page["items"]}
    assert set(names) == set(ApiKey.objects.filter(account=owner.account).values_list("pk", flat=True))
    assert names[made["keyId"]]["name"] == "Reporting" and "key" not in names[made["keyId"]]
    assert links_by_rel(page, "/rels/create-api-key")
    api.post(surface.revoke(made["keyId"]))
    revoked = assert_hypermedia(api.get(f"{surface.collection()}?status=revoked"), 200)
    assert [item["keyId"] for item in revoked["items"]] == [made["keyId"]]
    assert revoked["items"][0]["status"] == "revoked"
    active = assert_hypermedia(api.get(f"{surface.collection()}?status=active"), 200)
    assert made["keyId"] not in [item["keyId"] for item in active["items"]]
    assert_problem(api.get(f"{surface.collection()}?status=lost"), 400, "/errors/400.3-invalid-parameter")


def test_revoking_a_key_stops_it_on_the_next_request(api, owner, surface):
    body = assert_hypermedia(create(api, surface, scopes=["read"]), 201)
    victim = ApiClient(AccountWithKey(owner.account, body["key"]))
    assert victim.get(f"/accounts/{owner.name}/lists").status_code == 200  # cached by this process now
    key = assert_hypermedia(api.get(surface.detail(body["keyId"])), 200, "api-key")
    [revoke] = links_by_rel(key, "/rels/revoke-api-key")
    answer = assert_hypermedia(api.post(revoke["href"]), 200, "message")
    assert answer["message"] == "API key revoked"
    assert_problem(victim.get(f"/accounts/{owner.name}/lists"), 401, "/errors/401.1-invalid-token", 1)
    after = assert_hypermedia(api.get(surface.detail(body["keyId"])), 200, "api-key")
    assert after["status"] == "revoked" and after["revokedAt"] is not None
    assert not links_by_rel(after, "/rels/revoke-api-key")
    assert_problem(api.post(surface.revoke(body["keyId"])), 409, "/errors/409.14-key-revoked", 14)


def test_a_key_may_revoke_itself(owner, surface):
    own = client_with(owner, "keys:write")
    key_id = ApiKey.objects.filter(account=owner.account, name="scoped").get().pk
    assert_hypermedia(own.post(surface.revoke(key_id)), 200, "message")
    assert own.get(surface.collection()).status_code == 401


@pytest.mark.parametrize(
    "body, status, problem",
    [
        ({"scopes": ["read"]}, 400, "/errors/400.24-missing-data"),
        ({"name": "No scopes"}, 400, "/errors/400.24-missing-data"),
        ({"name": "Empty", "scopes": []}, 400, "/errors/400.2-validation-error"),
        ({"name": "Typo", "scopes": ["read", "list:write", "everything"]}, 400, "/errors/400.59-unknown-scope"),
        (
            {"name": "Past", "scopes": ["read"], "expiresAt": "2020-01-01T00:00:00+00:00"},
            400,
            "/errors/400.60-invalid-expiry",
        ),
        ({"name": "Bad time", "scopes": ["read"], "expiresAt": "soon"}, 400, "/errors/400.2-validation-error"),
    ],
)
def test_a_bad_body_names_what_is_wrong(api, surface, body, status, problem):
    before = ApiKey.objects.count()
    answer = assert_problem(api.post(surface.collection(), body), status, problem)
    if problem.endswith("unknown-scope"):
        assert [e["field"] for e in answer["errors"]] == ["scopes[1]", "scopes[2]"]
        assert "lists:write" in answer["detail"]
    assert ApiKey.objects.count() == before


def test_another_accounts_key_is_a_404(api, other, surface):
    foreign = ApiKey.objects.get(account=other.account)
    assert_problem(api.get(surface.detail(foreign.pk)), 404, "/errors/404.1-not-found")
    assert_problem(api.post(surface.revoke(foreign.pk)), 404, "/errors/404.1-not-found")
    assert ApiKey.objects.get(pk=foreign.pk).revoked_at is None


def test_an_expiring_key_says_when(api, surface):
    body = assert_hypermedia(create(api, surface, expiresAt="2999-01-01T00:00:00+02:00"), 201)
    assert body["expiresAt"] == "2998-12-31T22:00:00+00:00"
