"""URLs written with a trailing slash (the received Blueprint has `/accounts/{a}/`, `…/fields/`,
`…/tasks/?page=2`) answer 308 to the route without it, the query string kept; never a 404."""

import pytest
from django.urls import get_resolver

from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import Paths

SAMPLES = {
    "IdConverter": "345",
    "IntConverter": "1",
    "Md5Converter": "1bc5edb4799fd8eec67c66122f47eb73",
    "FieldNameConverter": "income",
}


def every_route() -> list[str]:
    """A sample path of every named route of the URLconf, generated: a new route is covered without an edit."""
    resolver = get_resolver()
    paths = set()
    for name in [key for key in resolver.reverse_dict if isinstance(key, str)]:
        for possibilities, _pattern, _defaults, converters in resolver.reverse_dict.getlist(name):
            for text, params in possibilities:
                values = {p: SAMPLES.get(type(converters.get(p)).__name__, "user@example.com") for p in params}
                paths.add("/" + text % values)
    return sorted(p for p in paths if not p.endswith("/") and p != "/")


def test_every_route_written_with_a_trailing_slash_redirects_to_it(anon):
    routes = every_route()
    assert "/accounts/user@example.com/fields" in routes and "/api/v1/contacts" in routes
    for path in routes:
        response = anon.get(path + "/?page=2&x=%C3%A9")
        assert response.status_code == 308, (path, response.status_code)
        assert response["Location"] == f"{path}?page=2&x=%C3%A9", path


@pytest.mark.parametrize(
    "href",
    ["/accounts/{a}/", "/accounts/{a}/fields/", "/accounts/{a}/tasks/?page=2", "/accounts/{a}/lists/"],
)
def test_the_received_hrefs_with_a_slash_lead_to_their_resource(api, owner, href):
    response = api.get(href.format(a=owner.name))
    assert response.status_code == 308
    target = response["Location"]
    assert target == href.format(a=owner.name).replace("/?", "?").rstrip("/")
    assert api.get(target).status_code == 200


def test_a_post_with_a_slash_is_redirected_with_its_method_kept(api, owner):
    paths = Paths(owner)
    response = api.post(paths.fields + "/", {"fieldName": "city", "type": "string"})
    assert (response.status_code, response["Location"]) == (308, paths.fields)  # 308: same method, same body
    assert_hypermedia(api.post(response["Location"], {"fieldName": "city", "type": "string"}), 200, "message")


def test_v1_paths_with_a_slash_too(api):
    response = api.get("/api/v1/contacts/?limit=5")
    assert (response.status_code, response["Location"]) == (308, "/api/v1/contacts?limit=5")


def test_unknown_paths_stay_404_and_slashed_routes_stay_as_they_are(anon):
    assert_problem(anon.get("/no/such/thing/"), 404, "/errors/404.1-not-found")
    assert_problem(anon.get("/accounts/a@example.com/nothing/"), 404, "/errors/404.1-not-found")
    assert anon.get("/api/schema/").status_code == 200  # its route has the slash
    assert anon.get("/").status_code == 200
