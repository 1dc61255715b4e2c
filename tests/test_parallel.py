"""The parallel run's plan (tests/env.py, tests/parallel.py): each xdist worker's Redis database, the units of work."""

import os

import pytest

from tests.env import worker_redis_url
from tests.parallel import LANE, unit_of


def test_each_worker_has_its_own_redis_database():
    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw0", None) == "redis://127.0.0.1:6379/15"
    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw1", None) == "redis://127.0.0.1:6379/14"
    assert worker_redis_url("redis://127.0.0.1:6379/5", "gw1", "5,6,7") == "redis://127.0.0.1:6379/6"
    assert worker_redis_url("unix:///run/redis.sock?db=3", "gw1", None) == "unix:///run/redis.sock?db=2"
    with pytest.raises(ValueError, match="TEST_REDIS_DBS"):
        worker_redis_url("redis://127.0.0.1:6379/0", "gw1", None)  # no database -1
    with pytest.raises(ValueError, match="none for worker gw2"):
        worker_redis_url("redis://127.0.0.1:6379/5", "gw2", "5,6")


def test_the_app_and_its_queues_use_the_workers_redis_database(settings):
    """Under xdist REDIS_URL was rewritten before Django read it: settings, the cache and RQ's queues all use it."""
    import django_rq

    assert os.environ["REDIS_URL"] == settings.REDIS_URL
    db = int(os.environ["REDIS_URL"].rsplit("/", 1)[1])
    assert django_rq.get_queue("default").connection.connection_pool.connection_kwargs["db"] == db


def test_files_that_start_processes_share_one_lane():
    assert unit_of("tests/browser/test_backoffice.py::test_x") == LANE
    assert unit_of("tests/faults/test_redis_restart.py::test_y[500]") == LANE
    assert unit_of("tests/tasks/test_sigkill_recovery.py::test_z") == LANE
    assert unit_of("tests/v1/test_contacts.py::test_a") == "tests/v1/test_contacts.py"
