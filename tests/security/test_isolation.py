"""Tenant isolation, generated from the URL configuration.

Every route of ``get_resolver()`` is either public by a decision written down in ``PUBLIC`` (with
the reason) or walked here: account A's key tries every method on account B's URLs (403), and on
its own URLs and on /api/v1 with B's object ids (404), and on the collections it may read. No
answer may show B's data and B's rows must be unchanged. A new route is walked the day it is added;
a keyword this test cannot fill, or a new public route, fails the test until someone decides.

Expected answers: 403 on B's URLs, for every method (the account check runs before the method's);
404 for B's ids under A's URL or on /api/v1 with a method the view implements, 405 with one it does not
(the route decides that, before any object is looked up, so it tells nothing about B's objects); A's
own collections may answer anything but a 5xx. Never 401: A's key is valid.

The other isolation tests (tests/subscribers/test_isolation.py, tests/v1/…) check representations
in detail; this one checks that nothing was forgotten.
"""

import itertools
import json
import re

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
    "rels": "documentation index",
    "rels/<str:name>": "documentation of a relation type",
    "models": "documentation index",
    "models/<str:name>": "documentation of a model",
    "errors": "documentation index",
    "errors/<str:key>": "documentation of a problem type",
    "schemas": "documentation index",
    "schemas/<str:name>": "a JSON Schema",
    "t/o/<str:token>": "open pixel: the HMAC-signed message token is the credential (tests/security/test_tokens.py)",
    "t/c/<str:token>/<int:position>": "tracked link: signed token, redirects only to the campaign's own link",
    "u/<str:token>": "unsubscribe page and one-click POST: signed token",
    "c/<str:token>": "double opt-in confirmation page and button: signed token (tests/consent)",
    "f/<str:form_key>": "a signup form's public endpoint: browsers post to it from the account's sites, no key "
    "(its random key names the form; origins, honeypot and rate limits: tests/signup/test_public.py)",
    "p/<str:token>": "preference page: signed token (its own key), POSTs guarded by the page's form value "
    "(tests/preferences/test_page.py)",
    "api/v1/webhooks/bounces": "the mail provider's bounce reports: a shared secret (BOUNCE_WEBHOOK_SECRET)",
    "exports/<str:token>": "an export's file: the signed, expiring link is the credential, as a pre-signed storage "
    "URL (tests/exports/test_links_and_task.py: forged 404, expired 410)",
    "api/v1/webhooks/providers/<str:provider>": "an email service provider's events: its own authentication, "
    "anymail's Basic WEBHOOK_SECRET and its signature (tests/providers), off until one is set",
    "healthz": "liveness probe for load balancers: answers that the process is up, nothing else",
    "readyz": "readiness probe: says whether PostgreSQL and Redis answer, no account data",
    "^.*$": "the catch-all: a 404 problem for any URL no route matches",
}
STOP_AT = frozenset({"admin/"})  # its own routes are the admin's business, behind its login

ID_KEYWORDS = (
    "list_id",
    "email_md5",
    "field_name",
    "task_id",
    "campaign_id",
    "email_id",
    "segment_id",
    "form_id",
    "domain_id",
    "template_id",
    "webhook_id",
    "delivery_id",
    "key_id",
)
# Any value of the right shape: a request without a key must be refused before it is looked up.
PLACEHOLDERS = {
    "account_name": "someone@example.com",
    "list_id": 1,
    "email_md5": "0" * 32,
    "field_name": "city",
    "task_id": 1,
    "campaign_id": 1,
    "email_id": 1,
    "segment_id": 1,
    "form_id": 1,
    "domain_id": 1,
    "template_id": 1,
    "webhook_id": 1,
    "delivery_id": 1,
    "key_id": 1,
}
KNOWN_KEYWORDS = tuple(PLACEHOLDERS)

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
    "signup-form-detail": {"name": "Hijacked", "lists": [1]},
    "v1-signup-form-detail": {"name": "Hijacked", "lists": [1]},
    "template-detail": {"name": "Hijacked", "html": "{{ content }}"},
    "v1-template-detail": {"name": "Hijacked", "html": "{{ content }}"},
    "webhook-detail": {"url": "https://intruder.example/x", "eventTypes": ["task.finished"]},
    "v1-webhook-detail": {"url": "https://intruder.example/x", "eventTypes": ["task.finished"]},
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


def test_every_walked_route_needs_a_key(db):
    """A route left out of PUBLIC must refuse a request without a key: a new public route cannot hide here."""
    public = []
    for route in checked_routes():
        path = route.path({name: PLACEHOLDERS[name] for name in route.kwargs})
        for method in METHODS:
            response = _send(ApiClient(None), method, path, {})
            if response.status_code != 401:
                public.append(f"{method.upper()} {path}: {response.status_code}")
    assert public == [], "list these in PUBLIC with a reason, or require a key:\n" + "\n".join(public)


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
            yield "B's URL", route.path(dict(zip(route.kwargs, combo, strict=True))), {m: {403} for m in METHODS}
    if not ids:
        # A's own collection (or /api/v1's): it may answer, but never with B's data.
        yield "A's collection", route.path(own), {m: (None if m in route.methods else {405}) for m in METHODS}
        return
    allowed = {m: ({404} if m in route.methods else {405}) for m in METHODS}
    for size in range(1, len(ids) + 1):
        for foreign in itertools.combinations(ids, size):
            choices = [b.values[name] if name in foreign else a.values[name][:1] for name in ids]
            for combo in itertools.product(*choices):
                yield f"B's ids {foreign} under A", route.path({**own, **dict(zip(ids, combo, strict=True))}), allowed


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
                    failures.append(
                        f"{method.upper()} {path} ({label}): {response.status_code}, "
                        f"expected {sorted(wanted or ['< 500'])}"
                    )
                if seen:
                    failures.append(f"{method.upper()} {path} ({label}): shows B's {sorted(seen)}")
        if snapshot(b.who.account) != before:
            failures.append(f"{route.route}: B's rows changed")
    assert failures == [], "\n".join(failures)


# --- B's values in query parameters --------------------------------------------------------------

# Query parameters that cannot name another account's object, and those that can, with B's values.
NOT_REFERENCES = {
    "page",
    "per_page",
    "status",
    "format",
    "timeline",
    "from",
    "to",
    "group_by",
    "limit",
    "offset",
    "order",
    "sort_by",
    "created_after",
    "created_before",
    "sent_after",
    "sent_before",
    "cursor",
    "variant",  # an A/B campaign's variant letter, of a campaign the path already names
    "eventType",
    # The audit trail's filters other than the object's id: who, what kind of action, when.
    "actor",
    "actorKind",
    "action",
    "objectType",
    "since",
    "until",
}
REFERENCES = {
    "list": lambda b: b.values["list_id"],
    "campaign": lambda b: b.values["campaign_id"],
    "subscriber": lambda b: b.values["email_md5"],  # a campaign's preview as one of B's subscribers
    "recipient": lambda b: ["tenantb.reader@tenantb.example", "tenantb.single@tenantb.example"],
    "email": lambda b: ["tenantb", "tenantb.reader@tenantb.example"],
    "field.{name}": lambda b: ["tenantbField=tenantb value", "tenantbField=tenantb%20value"],
    "objectId": lambda b: [*b.values["list_id"], *b.values["campaign_id"], *b.values["email_md5"]],  # audit trail
}


def _operations():
    """(path template, query parameter names) of every GET in the OpenAPI document."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if "get" in operations:
            yield path, [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]


def test_every_query_parameter_is_known_to_the_isolation_test():
    unknown = {
        (path, name)
        for path, names in _operations()
        for name in names
        if name not in NOT_REFERENCES and name not in REFERENCES
    }
    assert unknown == set(), "decide whether these can name another account's object"


def _query(name: str, value) -> str:
    if name == "field.{name}":
        return f"field.{value}"
    return f"{name}={value}"


def _b_cursors(b) -> list[str]:
    """Cursors B was given: a client of A may have got hold of one."""
    b_api, found = ApiClient(b.who), []
    for path in ("/api/v1/contacts", "/api/v1/emails", "/api/v1/campaigns"):
        body = b_api.get(f"{path}?cursor=&limit=1&sort_by={'email' if 'contacts' in path else 'id'}").json()
        found.extend(
            link["href"].split("cursor=")[1].split("&")[0] for link in body["_links"] if "next" in link["rel"].split()
        )
    assert len(found) == 3
    return found


def test_b_values_in_query_parameters_show_nothing_of_b(tenants):
    a, b = tenants
    api, failures, tried = ApiClient(a.who), [], 0
    own = {name: values[0] for name, values in a.values.items()}
    cursors = _b_cursors(b)
    for template, names in _operations():
        queries = [_query(name, value) for name in names if name in REFERENCES for value in REFERENCES[name](b)]
        if "cursor" in names:
            queries += [f"cursor={cursor}" for cursor in cursors]
        if not queries:
            continue
        path = re.sub(r"\{(\w+)\}", lambda match: str(own[match.group(1)]), template)
        for query in queries:
            tried += 1
            response = api.get(f"{path}?{query}")
            seen = [secret for secret in b.secrets if secret in _content(response) and secret not in query]
            if response.status_code not in (200, 400) or seen:
                failures.append(f"GET {path}?{query}: {response.status_code}, shows B's {sorted(seen)}")
    assert failures == [], "\n".join(failures)
    assert tried >= 12  # contacts (list, email, field, cursor), emails (campaign, recipient, cursor), campaigns
