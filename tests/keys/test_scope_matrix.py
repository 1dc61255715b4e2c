"""The scope matrix, generated from the URL configuration: every endpoint and method against every scope.

Every route the isolation test walks (``tests/security/test_isolation.py``: all but the public ones) must declare
its scope (``api.scopes``); the declaration must be the documented one (README: Access), which this test derives
from the route's path; and a key holding each single scope in turn is let through (any answer but 403.5) exactly
when that scope allows it, else answered 403.5 naming the scopes the request needs. A new endpoint without a
declaration, or on a path no area owns yet, fails here until someone decides.
"""

import json

import pytest

from api.scopes import ALL_SCOPES, UNDECLARED, area_scope, grants, level_of, needed_scopes
from tasks.registry import kinds
from tests.helpers import ApiClient
from tests.keys.builders import key_with
from tests.security.test_isolation import checked_routes
from tests.security.urlconf import METHODS

# The area of each resource, by the first segment of its path after /accounts/{accountName}/ or /api/v1/.
AREA_OF_SEGMENT = {
    "lists": "lists",
    "subscribers": "lists",
    "contacts": "lists",
    "fields": "lists",
    "segments": "lists",
    "forms": "lists",
    "campaigns": "campaigns",
    "templates": "campaigns",
    "domains": "campaigns",
    "emails": "emails",
    "analytics": "analytics",
    "exports": "exports",
    "keys": "keys",
    "webhooks": "webhooks",  # outgoing webhooks (the bounce and provider webhooks are public)
    "audit": "audit",
}
TASKS = "tasks"  # a task's kind decides (TaskKind.scope): any kind's area reaches the routes
READ_ONLY_POSTS = {"segment-count", "v1-segment-count"}  # they count, they change nothing
ANY_KEY_ROUTES = {"account-index"}  # links only
MISSING_SCOPE = "/errors/403.5-missing-scope"
# Values of the right shape that name nothing (a permitted request then answers 404 or 400, never a write).
ABSENT = {
    "email_md5": "0" * 32,
    "field_name": "nosuchfield",
    "list_id": 987654301,
    "task_id": 987654302,
    "campaign_id": 987654303,
    "email_id": 987654304,
    "segment_id": 987654305,
    "form_id": 987654306,
    "domain_id": 987654307,
    "template_id": 987654308,
    "key_id": 987654309,
    "webhook_id": 987654310,
    "delivery_id": 987654311,
}


def _resource_segment(route) -> str:
    parts = route.route.split("/")
    rest = parts[2:] if parts[0] == "accounts" else parts[2:] if parts[:2] == ["api", "v1"] else parts
    return rest[0] if rest else ""


def expected(route, method: str) -> tuple[str, ...]:
    """The scopes (any one of them) README: Access documents for ``method`` on ``route``."""
    level = level_of(method)
    if route.name in ANY_KEY_ROUTES:
        return ()
    if route.name in READ_ONLY_POSTS:
        return ("lists:read",)
    if "import" in route.route.split("/"):
        return (f"imports:{level}",)
    segment = _resource_segment(route)
    if segment == TASKS:
        return tuple(dict.fromkeys(area_scope(kind.scope, level) for kind in kinds()))
    area = AREA_OF_SEGMENT.get(segment)
    assert area is not None, f"{route.route}: which area is /{segment}? Teach AREA_OF_SEGMENT and README: Access"
    return (f"{area}:{level}",)


def test_every_endpoint_declares_the_documented_scope():
    problems = []
    for route in checked_routes():
        rule = getattr(route.view_class, "scope", UNDECLARED)
        if rule is UNDECLARED:
            problems.append(f"{route.route}: {route.view_class.__qualname__} declares no scope (api.scopes)")
            continue
        for method in route.methods:
            declared, documented = needed_scopes(rule, method), expected(route, method)
            if declared != documented:
                problems.append(f"{method.upper()} {route.route}: declares {declared}, documented {documented}")
    assert problems == [], "\n".join(problems)


def test_the_matrix_lets_through_exactly_what_each_scope_allows(owner):
    clients = {scope: ApiClient(key_with(owner, scope, name=scope)) for scope in ALL_SCOPES}
    values = {**ABSENT, "account_name": owner.name}
    failures, tried = [], 0
    for route in checked_routes():
        path = route.path({name: values[name] for name in route.kwargs})
        for method in route.methods:
            needed = expected(route, method)
            for scope, api in clients.items():
                tried += 1
                response = _send(api, method, path)
                allowed = not needed or any(grants([scope], one) for one in needed)
                refused = response.status_code == 403 and response.json().get("type") == MISSING_SCOPE
                if allowed and (refused or response.status_code in (401, 500)):
                    failures.append(f"{scope}: {method.upper()} {path} refused ({response.status_code})")
                if not allowed and not refused:
                    failures.append(f"{scope}: {method.upper()} {path} let through ({response.status_code})")
                if refused and response.json()["requiredScopes"] != list(needed):
                    failures.append(f"{scope}: {method.upper()} {path} names {response.json()['requiredScopes']}")
        for method in set(METHODS) - set(route.methods):  # the route's 405 comes first, whatever the scope
            response = _send(clients["analytics:read"], method, path)
            if response.status_code != 405:
                failures.append(f"analytics:read: {method.upper()} {path}: {response.status_code}, not 405")
    assert failures == [], "\n".join(failures)
    assert tried > 1500


def _send(api, method: str, path: str):
    if method in ("post", "put", "patch"):
        return api.request(method.upper(), path, json.dumps({}))
    return api.request(method.upper(), path)


@pytest.mark.parametrize("scope", ["full", "read", "lists:write", "webhooks:write"])
def test_the_account_index_answers_any_key(owner, scope):
    assert ApiClient(key_with(owner, scope)).get(f"/accounts/{owner.name}").status_code == 200
