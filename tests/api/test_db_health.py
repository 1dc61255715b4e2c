"""The kept-connection health check (config/postgresql): a connection the server ended is found dead
without a query, and a live one is found alive, so a PostgreSQL restart costs no request a 500."""

import pytest
from django.db import connections

from tests.helpers import wait_for


@pytest.fixture
def kept_connection(db):
    connection = connections.create_connection("default")  # outside the test's transaction, as a worker's
    connection.ensure_connection()
    yield connection
    connection.close()


def backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_live_idle_connection_is_usable_and_checking_sends_nothing(kept_connection):
    pid = backend_pid(kept_connection)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT xact_start FROM pg_stat_activity WHERE pid = %s", [pid])
        before = cursor.fetchone()
    for _ in range(100):
        assert kept_connection.is_usable()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT xact_start, state FROM pg_stat_activity WHERE pid = %s", [pid])
        after = cursor.fetchone()
    assert after == (*before, "idle")  # no statement ran on it


def test_a_connection_the_server_ended_is_unusable_and_replaced(kept_connection):
    pid = backend_pid(kept_connection)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_for(lambda: not kept_connection.is_usable(), "the terminated connection to be found dead", timeout=5)
    kept_connection.close_if_unusable_or_obsolete()  # what Django does between two requests
    assert backend_pid(kept_connection) != pid  # a new connection, and no error


def test_the_check_is_the_one_in_use():
    assert connections["default"].__class__.__module__ == "config.postgresql.base"
    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"] is True
