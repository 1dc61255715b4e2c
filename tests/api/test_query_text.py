"""A NUL character in a query parameter is a 400 naming the parameter, on every surface: before it was refused
centrally, a filter that reached PostgreSQL with one answered 500 (`/api/v1/contacts?email=a%00b`)."""

import pytest

from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/contacts?email=a%00b",
    "/api/v1/contacts?field.firstName=a%00b",
    "/api/v1/contacts?search=a%00b",
    "/api/v1/emails?status=se%00nt",
    "/accounts/owner@example.com/subscribers?search=a%00b",
    "/accounts/owner@example.com/lists?page=1&name%00=x",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_nul_character_in_a_query_parameter_is_a_400_naming_it(api, path):
    response = api.get(path)
    body = assert_problem(response, 400, "/errors/400.3-invalid-parameter")
    assert "NUL character" in body["detail"], body
    assert body["errors"][0]["field"] in ("email", "field.firstName", "search", "status", "name%00"), body


def test_a_nul_character_is_refused_before_authentication_too(anon):
    response = anon.get("/api/v1/contacts?email=a%00b")
    assert response.status_code == 400
