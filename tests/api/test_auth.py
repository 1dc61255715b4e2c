import base64

import pytest
from django.test import Client

from accounts.models import ApiKey
from accounts.services import api_key_revoke
from tests.helpers import assert_hypermedia, assert_problem


def index(owner):
    return f"/accounts/{owner.name}"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "OAuth2", "oauth2", "Token", "token", "TOKEN"])
def test_authorization_header_schemes(owner, scheme):
    response = Client().get(index(owner), HTTP_AUTHORIZATION=f"{scheme} {owner.key}")
    assert_hypermedia(response)


def test_access_token_query_parameter(owner):
    assert_hypermedia(Client().get(f"{index(owner)}?access_token={owner.key}"))


@pytest.mark.parametrize("user", ["user", "", "anything at all"])
def test_basic_auth_password_is_the_key(owner, user):
    credentials = base64.b64encode(f"{user}:{owner.key}".encode()).decode()
    assert_hypermedia(Client().get(index(owner), HTTP_AUTHORIZATION=f"Basic {credentials}"))


def test_key_is_case_insensitive(owner):
    assert_hypermedia(Client().get(index(owner), HTTP_AUTHORIZATION=f"Bearer {owner.key.upper()}"))


def test_no_key_is_401_missing_token(owner):
    response = Client().get(index(owner))
    assert_problem(response, 401, "/errors/401.2-missing-token", 2)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", ["0" * 32, "not-a-key", "", "x" * 500])
def test_unknown_key_is_401_invalid_token(owner, key):
    response = Client().get(index(owner), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert_problem(response, 401, "/errors/401.1-invalid-token", 1)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_key_in_query_is_401(owner):
    assert_problem(Client().get(f"{index(owner)}?access_token=abc"), 401, "/errors/401.1-invalid-token", 1)


def test_bad_basic_encoding_is_401(owner):
    assert_problem(Client().get(index(owner), HTTP_AUTHORIZATION="Basic %%%"), 401, "/errors/401.1-invalid-token")


def test_unsupported_scheme_is_401(owner):
    assert_problem(
        Client().get(index(owner), HTTP_AUTHORIZATION=f"Digest {owner.key}"), 401, "/errors/401.1-invalid-token"
    )


def test_revoked_key_is_401(owner):
    api_key_revoke(api_key=ApiKey.objects.get(account=owner.account))
    response = Client().get(index(owner), HTTP_AUTHORIZATION=f"Bearer {owner.key}")
    assert_problem(response, 401, "/errors/401.1-invalid-token", 1)


def test_key_of_another_account_is_403(owner, other):
    response = Client().get(index(other), HTTP_AUTHORIZATION=f"Bearer {owner.key}")
    assert_problem(response, 403, "/errors/403.1-forbidden-wrong-account", 1)


def test_docs_are_public(db):
    client = Client()
    assert client.get("/rels/account-home").status_code == 200
    assert client.get("/schemas/message").status_code == 200
    assert client.get("/errors/401.1-invalid-token").status_code == 200
    assert client.get("/models/message").status_code == 200
    assert client.get("/api/schema/").status_code == 200


def test_last_used_is_recorded(owner):
    Client().get(index(owner), HTTP_AUTHORIZATION=f"Bearer {owner.key}")
    assert ApiKey.objects.get(account=owner.account).last_used_at is not None
