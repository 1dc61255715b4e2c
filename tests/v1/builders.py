"""Shortcuts for the /api/v1 tests: contacts, and walking a collection page by page."""

from urllib.parse import parse_qs, urlsplit

from tests.helpers import assert_hypermedia, links_by_rel

CONTACTS = "/api/v1/contacts"


def contact(md5: str) -> str:
    return f"{CONTACTS}/{md5}"


def create_contact(api, email: str, fields=None, lists=(), status=201, **extra):
    body = {"emailAddress": email, "lists": list(lists), **extra}
    if fields:
        body["fields"] = [{"fieldName": name, "value": value} for name, value in fields.items()]
    response = api.post(CONTACTS, body)
    if status == 201:
        return assert_hypermedia(response, 201, "subscriber")
    return response


def href_of(body: dict, rel: str) -> str | None:
    found = links_by_rel(body, rel)
    return found[0]["href"] if found else None


def query_of(href: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(href).query, keep_blank_values=True).items()}


def page(api, path: str, profile: str) -> dict:
    return assert_hypermedia(api.get(path), 200, profile)


def walk(api, first: str, profile: str, key: str, *, direction: str = "next", between=None) -> list:
    """Follow ``direction`` links from ``first``; ``between(n)`` runs after page n. The items' ``key``s."""
    seen, href, n = [], first, 0
    while href:
        body = page(api, href, profile)
        seen.extend(item[key] for item in (body["items"] if direction == "next" else reversed(body["items"])))
        n += 1
        href = href_of(body, direction)
        if between and href:
            between(n)
        assert n < 1000
    return seen
