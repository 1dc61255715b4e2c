"""A test client that authenticates, the assertions every response shares, and a database migrated back for
the migration tests."""

import json
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from api.links import IANA_RELS
from api.registry import REGISTRY


class ApiClient:
    def __init__(self, account_with_key, **auth):
        self.owner = account_with_key
        self.client = Client()
        self.auth = auth or ({"HTTP_AUTHORIZATION": f"Bearer {account_with_key.key}"} if account_with_key else {})

    def request(self, method, path, data=None, content_type="application/json", **extra):
        headers = {**self.auth, **extra}
        if data is not None and not isinstance(data, (str, bytes)):
            data = json.dumps(data)
        call = getattr(self.client, method.lower())
        if data is None:
            return call(path, **headers)
        return call(path, data=data, content_type=content_type, **headers)

    def get(self, path, **extra):
        return self.request("GET", path, **extra)

    def post(self, path, data=None, **extra):
        return self.request("POST", path, data if data is not None else {}, **extra)

    def put(self, path, data=None, **extra):
        return self.request("PUT", path, data if data is not None else {}, **extra)

    def delete(self, path, **extra):
        return self.request("DELETE", path, **extra)


def _schema_registry() -> Registry:
    resources = [(f"/schemas/{name}", Resource.from_contents(doc.schema)) for name, doc in REGISTRY.profiles.items()]
    return Registry().with_resources(resources)


def profile_of(response) -> str:
    content_type = response["Content-Type"]
    assert content_type.startswith("application/json; profile=/schemas/"), content_type
    return content_type.split("profile=/schemas/", 1)[1]


def assert_hypermedia(response, status=200, profile=None) -> dict:
    """A JSON response: right status, a known profile, valid against its schema, with _links."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    name = profile_of(response)
    if profile is not None:
        assert name == profile
    body = response.json()
    validator = Draft202012Validator(REGISTRY.profiles[name].schema, registry=_schema_registry())
    errors = sorted(validator.iter_errors(body), key=lambda e: e.path)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert "_links" in body
    for item in body["_links"]:
        assert_rel_documented(item["rel"])
    return body


def assert_rel_documented(rel: str) -> None:
    for token in rel.split():
        assert token in IANA_RELS or token[len("/rels/") :] in REGISTRY.rels, token


def assert_problem(response, status, type_=None, error_code=None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    for key in ("type", "title", "detail", "status", "errorCode"):
        assert key in body, key
    assert body["status"] == status
    assert body["type"].startswith(f"/errors/{status}.")
    assert body["type"][len("/errors/") :] in REGISTRY.problems, body["type"]
    if type_ is not None:
        assert body["type"] == type_, body
    if error_code is not None:
        assert body["errorCode"] == error_code
    return body


def links_by_rel(body: dict, token: str) -> list[dict]:
    return [item for item in body["_links"] if token in item["rel"].split()]


def action_links(body: dict, rels: dict[str, str]) -> list[tuple[str, dict]]:
    """The actions ``body``'s links offer, in order, each with its link; ``rels`` maps an action to its rel."""
    return [(name, item) for item in body["_links"] for name, rel in rels.items() if rel in item["rel"].split()]


def wait_for(condition, what: str, logs=None, *, timeout: float = 60.0):
    """Poll ``condition`` until it returns something true, and return that. Past ``timeout`` seconds fail,
    naming ``what`` and adding ``logs`` (a callable, or an object with ``logs()``): a broken guarantee
    fails its test instead of hanging it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    text = "" if logs is None else logs() if callable(logs) else logs.logs()
    raise AssertionError(f"timed out waiting for {what}\n{text}")


def postgresql_only(why: str) -> None:
    """Skip the rest of a test that holds on PostgreSQL only, in a file tests/test_embedded_sqlite.py also runs on
    SQLite (whose triggers are its own)."""
    if connection.vendor != "postgresql":
        pytest.skip(why)


@contextmanager
def migrated_back_to(target: tuple[str, str]):
    """The database migrated back to ``target`` (app, migration) for the block, which writes through the
    cursor it is given; then, even when the block fails, migrated forward through every migration."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def insert_accounts(cursor, *names: str) -> list[int]:
    """Accounts written in plain SQL, for a schema migrated back (the models describe the latest one): their
    ids, in the order of ``names``."""
    ids = []
    for name in names:
        cursor.execute(
            "INSERT INTO accounts_account (name, signing_secret, created_at) VALUES (%s, 's', now()) RETURNING id",
            [name],
        )
        ids.append(cursor.fetchone()[0])
    return ids


def tally_mismatches() -> dict:
    """{(account, status, campaign) or (account, "sent on", day): (counter, COUNT(*))} where the messages' tally
    or sent days differ from the rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, status, COALESCE(campaign_id, 0), COUNT(*) FROM campaigns_message GROUP BY 1, 2, 3"
        )
        counted = {row[:3]: row[3] for row in cursor.fetchall()}
        cursor.execute(  # a count is the sum of its shards (campaigns.MessageTally.shard)
            "SELECT account_id, status, campaign_id, SUM(count) FROM campaigns_messagetally GROUP BY 1, 2, 3"
        )
        tallied = {row[:3]: row[3] for row in cursor.fetchall()}
        day = "(sent_at AT TIME ZONE 'UTC')::date" if connection.vendor == "postgresql" else "date(sent_at)"
        cursor.execute(
            f"SELECT account_id, 'sent on', {day}, COUNT(*) FROM campaigns_message WHERE sent_at IS NOT NULL "
            "GROUP BY 1, 3"
        )
        counted.update({(row[0], row[1], str(row[2])): row[3] for row in cursor.fetchall()})
        cursor.execute("SELECT account_id, 'sent on', day, count FROM campaigns_messagesentday")
        tallied.update({(row[0], row[1], str(row[2])): row[3] for row in cursor.fetchall()})
    return {
        key: (tallied.get(key, 0), counted.get(key, 0))
        for key in counted.keys() | tallied.keys()
        if tallied.get(key, 0) != counted.get(key, 0)
    }


def contact_counts_mismatches() -> dict:
    """{("list", list) or (account, "created on", day): (counter, COUNT(*))} where the lists' member counts or the
    subscribers' created days (subscribers/tally.py) differ from the rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'list', list_id, COUNT(*) FROM subscribers_membership GROUP BY 2")
        counted = {row[:2]: row[2] for row in cursor.fetchall()}
        cursor.execute("SELECT 'list', list_id, count FROM subscribers_membercount")
        kept = {row[:2]: row[2] for row in cursor.fetchall()}
        day = "(created_at AT TIME ZONE 'UTC')::date" if connection.vendor == "postgresql" else "date(created_at)"
        cursor.execute(f"SELECT account_id, {day}, COUNT(*) FROM subscribers_subscriber GROUP BY 1, 2")
        counted.update({(row[0], "created on", str(row[1])): row[2] for row in cursor.fetchall()})
        cursor.execute("SELECT account_id, day, count FROM subscribers_subscribercreatedday")
        kept.update({(row[0], "created on", str(row[1])): row[2] for row in cursor.fetchall()})
    return {
        key: (kept.get(key, 0), counted.get(key, 0))
        for key in counted.keys() | kept.keys()
        if kept.get(key, 0) != counted.get(key, 0)
    }


def backdate_subscribers(rows, created_at) -> None:
    """Set ``rows``' (a queryset of subscribers) ``created_at``, which the application never changes, and repair
    the created days their triggers keep (subscribers/tally.py) as ``manage.py recount_counters`` would."""
    from accounts.models import Account
    from subscribers.tally import contact_counts_recount

    accounts = set(rows.values_list("account_id", flat=True))
    rows.update(created_at=created_at)
    for account in Account.objects.filter(pk__in=accounts):
        contact_counts_recount(account=account)
