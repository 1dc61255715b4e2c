"""Tenant isolation, generated from the URL configuration.

Every route of ``get_resolver()`` is either public by a decision written down in ``PUBLIC`` (with
the reason) or walked here: account A's key tries every method on account B's URLs (403), and on
its own URLs and on /api/v1 with B's object ids (404), and on the collections it may read. No
answer may show B's data and B's rows must be unchanged. A new route is walked the day it is added;
a keyword this test cannot fill, or a new public route, fails the test until someone decides.

The other isolation tests (tests/subscribers/test_isolation.py, tests/v1/…) check representations
in detail; this one checks that nothing was forgotten.
"""
import itertools
import json

import pytest
from django.urls import resolve

from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import ApiClient
from tests.security.tenants import account_lookup, build_tenant, project_models, snapshot
from tests.security.urlconf import METHODS, routes
from tests.tasks.builders import queues  # noqa: F401 (a fixture)

# Routes without an API key, each for a reason; the test fails when one disappears or a new one appears.
PUBLIC = {
    "": "the general entry point; a key only personalises its account link",
    "admin/": "Django admin: staff session and CSRF, not API keys (tests/security/test_admin.py)",
    "api/schema/": "the OpenAPI document: documentation, no account data",
    "api/docs/": "Swagger UI over the OpenAPI document",
    "rels": "documentation index", "rels/<str:name>": "documentation of a relation type",
    "models": "documentation index", "models/<str:name>": "documentation of a model",
    "errors": "documentation index", "errors/<str:key>": "documentation of a problem type",
    "schemas": "documentation index", "schemas/<str:name>": "a JSON Schema",
    "t/o/<str:token>": "open pixel: the HMAC-signed message token is the credential (tests/security/test_tokens.py)",
    "t/c/<str:token>/<int:position>": "tracked link: signed token, redirects only to the campaign's own link",
    "u/<str:token>": "unsubscribe page and one-click POST: signed token",
    "api/v1/webhooks/bounces": "the mail provider's bounce reports: a shared secret (BOUNCE_WEBHOOK_SECRET)",
    "^.*$": "the catch-all: a 404 problem for any URL no route matches",
}
STOP_AT = frozenset({"admin/"})  # its own routes are the admin's business, behind its login

ID_KEYWORDS = ("list_id", "email_md5", "field_name", "task_id", "campaign_id", "email_id")
KNOWN_KEYWORDS = ("account_name", *ID_KEYWORDS)

# Bodies that would change B's object if a check were missing (any other write sends {}).
BODIES = {
    "list-detail": {"name": "Hijacked"},
    "list-subscribers": {"emailAddress": "intruder@tenanta.example"},
    "list-import": {"items": [{"emailAddress": "intruder@tenanta.example"}]},
    "subscriber-detail": {"emailAddress": "intruder@tenanta.example", "belongsToLists": [], "fields": []},
    "subscriber-unsubscribe": {"reason": "hijacked"},
    "field-detail": {"label": "Hijacked"},
    "campaign-detail": {"name": "Hijacked", "subject": "Hijacked"},
    "v1-campaign-detail": {"name": "Hijacked", "subject": "Hijacked"},
    "v1-contact-detail": {"emailAddress": "intruder@tenanta.example", "belongsToLists": [], "fields": []},
}


def checked_routes():
    return [route for route in routes(stop_at=STOP_AT) if route.route not in PUBLIC]


def test_every_route_is_public_by_decision_or_walked():
    every = {route.route: route for route in routes(stop_at=STOP_AT)}
    assert sorted(set(PUBLIC) - set(every)) == [], "PUBLIC names routes that no longer exist"
    problems = []
    for route in checked_routes():
        unknown = [name for name in route.kwargs if name not in KNOWN_KEYWORDS]
        if unknown:
            problems.append(f"{route.route}: no value for {unknown}; teach tests/security/tenants.py")
        if not route.methods:
            problems.append(f"{route.route}: no view class to read its methods from")
    assert problems == [], "\n".join(problems)


def test_every_tenant_model_is_in_the_snapshot():
    """B's rows are compared before and after; a model with no way to its account would escape."""
    assert [model._meta.label for model in project_models() if account_lookup(model) is None] == []


@pytest.fixture
def tenants(owner, other, smtp_server, queues):  # noqa: F811
    return build_tenant(owner, "tenanta"), build_tenant(other, "tenantb")


def _content(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + raw.decode("utf-8", "replace")


def _send(api, method, path, body):
    if method in ("post", "put", "patch"):
        return api.request(method.upper(), path, json.dumps(body))
    return api.request(method.upper(), path)


def _cases(route, a, b):
    """(label, path, expected statuses for each method) of one route."""
    ids = [name for name in route.kwargs if name in ID_KEYWORDS]
    own = {"account_name": a.values["account_name"][0]}
    if "account_name" in route.kwargs:
        for combo in itertools.product(*(b.values[name] for name in route.kwargs)):
            yield "B's URL", route.path(dict(zip(route.kwargs, combo))), {m: {403} for m in METHODS}
    if not ids:
        # A's own collection (or /api/v1's): it may answer, but never with B's data.
        yield "A's collection", route.path(own), {m: (None if m in route.methods else {405}) for m in METHODS}
        return
    allowed = {m: ({404} if m in route.methods else {405}) for m in METHODS}
    for size in range(1, len(ids) + 1):
        for foreign in itertools.combinations(ids, size):
            choices = [b.values[name] if name in foreign else a.values[name][:1] for name in ids]
            for combo in itertools.product(*choices):
                yield f"B's ids {foreign} under A", route.path({**own, **dict(zip(ids, combo))}), allowed


def test_a_key_never_reaches_b_data(tenants):
    a, b = tenants
    api = ApiClient(a.who)
    failures = []
    for route in checked_routes():
        before = snapshot(b.who.account)
        for label, path, expected in _cases(route, a, b):
            assert resolve(path).route == route.route, (path, resolve(path).route)
            for method in METHODS:
                body = BODIES.get(route.name, {})
                response = _send(api, method, path, body)
                sent = path + json.dumps(body)
                seen = [secret for secret in b.secrets if secret in _content(response) and secret not in sent]
                wanted = expected[method]
                if (wanted is not None and response.status_code not in wanted) or response.status_code >= 500:
                    failures.append(f"{method.upper()} {path} ({label}): {response.status_code}, "
                                    f"expected {sorted(wanted or ['< 500'])}")
                if seen:
                    failures.append(f"{method.upper()} {path} ({label}): shows B's {sorted(seen)}")
        if snapshot(b.who.account) != before:
            failures.append(f"{route.route}: B's rows changed")
    assert failures == [], "\n".join(failures)
