"""Indexed ("filterable") fields: the flag on every surface, the cap, and the index itself: built by the field's
job, used by the contacts filter's page and count (the exact SQL the page runs), dropped when the field is
unindexed or deleted, and by the sweeper's round when its job was lost. On PostgreSQL and on SQLite."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fields import indexing, services
from fields.models import Field
from subscribers.field_indexes import field_indexes, index_name
from tests.admin.test_service_writes import FIELDS, form_errors
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import Paths, create_field, create_list, subscribed


@pytest.fixture
def queued(monkeypatch):
    """The ids the services queue an index job for (the job itself is run by the tests that need it)."""
    ids = []
    monkeypatch.setattr(services, "field_index_queue", ids.append)
    return ids


@pytest.fixture(autouse=True)
def _no_index_left(request):
    """An index outlives a committed test's flush: none is left for the next test."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        from subscribers.field_indexes import field_index_drop

        for field_id in field_indexes():
            field_index_drop(field_id=field_id)


def shown(api, name: str) -> dict:
    return assert_hypermedia(api.get(Paths(api.owner).field(name)), 200, "field")


def test_indexed_is_set_on_create_and_changed_by_put(api, queued):
    create_field(api, "city", "string", indexed=True)
    create_field(api, "plain", "string")
    city = shown(api, "city")
    assert (city["indexed"], city["indexStatus"]) == (True, "building")
    assert (shown(api, "plain")["indexed"], shown(api, "plain")["indexStatus"]) == (False, "none")
    assert (shown(api, "firstName")["indexed"], shown(api, "firstName")["indexStatus"]) == (False, "none")
    field = Field.objects.get(account=api.owner.account, name="city")
    assert queued == [field.pk]

    body = shown(api, "city")
    body["indexed"] = False  # the representation echoed back, indexStatus included
    assert_hypermedia(api.put(Paths(api.owner).field("city"), body), 200, "message")
    assert (shown(api, "city")["indexed"], shown(api, "city")["indexStatus"]) == (False, "none")
    assert queued == [field.pk, field.pk]

    # A predefined field may be indexed too; a PUT without `indexed`, or with the same value, queues nothing.
    assert_hypermedia(api.put(Paths(api.owner).field("firstName"), {"indexed": True}), 200, "message")
    assert_hypermedia(api.put(Paths(api.owner).field("firstName"), {"label": "Name", "indexed": True}), 200)
    assert shown(api, "firstName")["indexed"] is True and shown(api, "firstName")["label"] == "Name"
    assert len(queued) == 3

    refused = api.put(Paths(api.owner).field("city"), {"indexed": "sometimes"})
    assert assert_problem(refused, 400, error_code=2)["errors"][0]["field"] == "indexed"


def test_the_collection_shows_the_flag_and_its_status(api, queued):
    create_field(api, "city", "string", indexed=True)
    body = assert_hypermedia(api.get(Paths(api.owner).fields), 200, "fields-collection")
    got = {item["fieldName"]: (item["indexed"], item["indexStatus"]) for item in body["items"]}
    assert got["city"] == (True, "building") and got["lastName"] == (False, "none")


def test_an_account_indexes_at_most_the_cap(api, queued, settings):
    settings.FIELDS_INDEXED_MAX = 2
    create_field(api, "a", "string", indexed=True)
    assert_hypermedia(api.put(Paths(api.owner).field("country"), {"indexed": True}), 200, "message")

    refused = api.post(Paths(api.owner).fields, {"fieldName": "b", "type": "string", "indexed": True})
    problem = assert_problem(refused, 409, error_code=15)
    assert problem["type"].endswith("/errors/409.15-too-many-indexed-fields") or "409.15" in problem["type"]
    assert "indexes 2 fields already (country, a)" in problem["detail"]
    assert not Field.objects.filter(account=api.owner.account, name="b").exists()
    assert_problem(api.put(Paths(api.owner).field("lastName"), {"indexed": True}), 409, error_code=15)
    assert shown(api, "lastName")["indexed"] is False
    # Indexed already: not one more. Unindexing one makes room.
    assert_hypermedia(api.put(Paths(api.owner).field("a"), {"indexed": True, "label": "A"}), 200, "message")
    assert_hypermedia(api.put(Paths(api.owner).field("a"), {"indexed": False}), 200, "message")
    assert_hypermedia(api.put(Paths(api.owner).field("lastName"), {"indexed": True}), 200, "message")
    assert api.get("/errors/409.15-too-many-indexed-fields").status_code == 200


def test_the_cap_is_per_account(api, other, client_for, queued, settings):
    settings.FIELDS_INDEXED_MAX = 1
    create_field(api, "a", "string", indexed=True)
    create_field(client_for(other), "a", "string", indexed=True)


def test_the_admin_sets_and_clears_the_flag_through_the_service(api, owner, admin_client, queued, settings):
    response = admin_client.post(
        f"{FIELDS}/add/", {"account": owner.account.pk, "name": "city", "type": "string", "indexed": "on"}
    )
    assert response.status_code == 302, form_errors(response)
    assert (shown(api, "city")["indexed"], shown(api, "city")["indexStatus"]) == (True, "building")
    field = Field.objects.get(account=owner.account, name="city")
    assert queued == [field.pk]
    response = admin_client.post(f"{FIELDS}/{field.pk}/change/", {"label": "City"})  # the box left unticked
    assert response.status_code == 302, form_errors(response)
    assert (shown(api, "city")["indexed"], shown(api, "city")["indexStatus"]) == (False, "none")
    assert queued == [field.pk, field.pk]
    assert b"Index status" in admin_client.get(f"{FIELDS}/{field.pk}/change/").content

    settings.FIELDS_INDEXED_MAX = 0
    response = admin_client.post(f"{FIELDS}/{field.pk}/change/", {"label": "City", "indexed": "on"})
    assert "The account indexes 0 fields already" in form_errors(response)
    assert shown(api, "city")["indexed"] is False


# --- The index itself (committed: CREATE INDEX CONCURRENTLY runs outside a transaction) ----------------------------


def _plans(account, name: str, value: str) -> list[str]:
    """The plans of the statements `/api/v1/contacts?field.<name>=value` runs (its page and its count), read
    from the SQL it sent, with sequential scans priced out (a test's table is too small for an index to win)."""
    from tests.helpers import ApiClient

    with CaptureQueriesContext(connection) as captured:
        response = ApiClient(account).get(f"/api/v1/contacts?field.{name}={value}&limit=20&offset=0")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1 and len(body["items"]) == 1
    statements = [
        q["sql"] for q in captured.captured_queries if "subscribers_subscriber" in q["sql"] and name in q["sql"]
    ]
    assert len(statements) == 2 and any("COUNT(" in sql for sql in statements), statements
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            try:
                for sql in statements:
                    cursor.execute("EXPLAIN " + sql)
                    plans.append("\n".join(row[0] for row in cursor.fetchall()))
            finally:
                cursor.execute("RESET enable_seqscan")
        else:
            for sql in statements:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
    return plans


def _definition(field_id: int) -> str | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index_name(field_id)])
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [index_name(field_id)])
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.mark.django_db(transaction=True)
def test_the_index_is_built_used_by_the_filter_and_dropped(api, other, client_for, queued):
    list_id = create_list(api, "News")
    for i in range(30):
        subscribed(api, list_id, f"p{i}@example.com", {"firstName": f"Name{i}"})
    other_list = create_list(client_for(other), "News")
    subscribed(client_for(other), other_list, "o@example.com", {"firstName": "Name7"})
    field = Field.objects.get(account=api.owner.account, name="firstName")

    assert_hypermedia(api.put(Paths(api.owner).field("firstName"), {"indexed": True}), 200, "message")
    assert queued == [field.pk] and shown(api, "firstName")["indexStatus"] == "building"
    indexing.field_index_sync(field.pk)  # the job
    assert shown(api, "firstName")["indexStatus"] == "ready"
    assert field_indexes() == {field.pk: True}
    definition = _definition(field.pk)
    assert f"account_id = {api.owner.account.pk}" in definition and "firstName" in definition
    for plan in _plans(api.owner, "firstName", "Name7"):
        if connection.vendor == "postgresql":
            assert (
                f"Index Scan using {index_name(field.pk)}" in plan
                or f"Bitmap Index Scan on {index_name(field.pk)}" in (plan)
            ), plan
        else:
            assert f"USING INDEX {index_name(field.pk)}" in plan, plan
    indexing.field_index_sync(field.pk)  # a second run changes nothing
    assert field_indexes() == {field.pk: True} and shown(api, "firstName")["indexStatus"] == "ready"

    assert_hypermedia(api.put(Paths(api.owner).field("firstName"), {"indexed": False}), 200, "message")
    indexing.field_index_sync(field.pk)
    assert field_indexes() == {} and shown(api, "firstName")["indexStatus"] == "none"
    assert _plans(api.owner, "firstName", "Name7")  # the filter answers the same without it


@pytest.mark.django_db(transaction=True)
def test_deleting_an_indexed_field_drops_its_index(api, queued, monkeypatch):
    create_field(api, "city", "string", indexed=True)
    field = Field.objects.get(account=api.owner.account, name="city")
    indexing.field_index_sync(field.pk)
    assert field_indexes() == {field.pk: True}
    dropped = []
    monkeypatch.setattr("fields.signals.field_index_queue", dropped.append)
    assert_hypermedia(api.delete(Paths(api.owner).field("city")), 200, "message")
    assert dropped == [field.pk]  # queued by the delete, once it commits
    indexing.field_index_sync(field.pk)
    assert field_indexes() == {}


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_builds_what_a_lost_job_left_and_drops_what_nobody_wants(api, queued, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from subscribers.field_indexes import field_index_build

    create_field(api, "city", "string", indexed=True)
    create_field(api, "town", "string")
    city = Field.objects.get(account=api.owner.account, name="city")
    town = Field.objects.get(account=api.owner.account, name="town")
    field_index_build(field_id=town.pk, account_id=town.account_id, name="town")  # its drop's job was lost
    assert indexing.field_indexes_pending()
    ran = []
    monkeypatch.setattr(
        indexing, "field_index_queue", lambda field_id: (ran.append(field_id), indexing.field_index_sync(field_id))
    )
    indexing.field_indexes_recover()
    assert ran == [town.pk]  # city's job may still be on its way: not asked again yet
    assert field_indexes() == {}
    Field.objects.filter(pk=city.pk).update(index_requested_at=timezone.now() - timedelta(minutes=5))
    indexing.field_indexes_recover()
    assert ran == [town.pk, city.pk] and field_indexes() == {city.pk: True}
    assert shown(api, "city")["indexStatus"] == "ready" and not indexing.field_indexes_pending()
    assert_hypermedia(api.put(Paths(api.owner).field("city"), {"indexed": False}), 200, "message")
    indexing.field_indexes_recover()
    assert field_indexes() == {}


def test_a_name_outside_the_rule_never_reaches_the_sql():
    from subscribers.field_indexes import FieldText, text_sql

    for name in ("x'; DROP TABLE t; --", "a b", "1a", "é", "a" * 51, "a\n"):
        with pytest.raises(ValueError, match="not a field name"):
            text_sql("fields", name, "postgresql")
        with pytest.raises(ValueError, match="not a field name"):
            FieldText(name)


def test_deleting_an_account_drops_its_fields_indexes(db, queued, monkeypatch):
    from accounts.models import Account
    from tests.factories import make_account
    from tests.helpers import ApiClient

    gone = make_account("gone@example.net")
    create_field(ApiClient(gone), "city", "string", indexed=True)
    create_field(ApiClient(gone), "plain", "string")
    city = Field.objects.get(account=gone.account, name="city")
    dropped = []
    monkeypatch.setattr("fields.signals.field_index_queue", dropped.append)
    Account.objects.filter(pk=gone.account.pk).delete()
    assert dropped == [city.pk]  # the indexed one only; the job drops it once the delete commits
