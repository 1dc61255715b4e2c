"""How the suite runs on several processes (pytest-xdist; ``make test`` runs ``-n 2 --dist loadfile``). Loaded with
``-p tests.parallel`` (pytest.ini); without ``-n`` none of this changes what runs.

- Every item gets a node id of its own. xdist names tests by node id between its processes; Schemathesis's items
  (one per operation) all share their function's id under pytest 9, so only one of them would run: an item whose id
  is taken is given its full name (``test_api_conforms_to_its_schema[GET /accounts/{account_name}]``).
- ``--dist loadfile`` keeps a file's tests on one worker (module fixtures, the order pytest-django gives them), and
  some files go further: those in the same LANE run one after the other on one worker, never beside each other.
  They start real processes (Chromium, private PostgreSQL and Redis servers, rqworkers that are killed, SMTP
  servers that count time): one at a time, the other worker running ordinary tests beside them.
- The lane goes first (the longest unit, so no worker is left with it at the end), the embedded SQLite run (minutes
  of CPU) at its end, after the tests that count time; the rest follow in collection order, a file to whichever
  worker is free.

Each worker has its own test database (pytest-django: test_<name>_gw0, ...) and its own Redis database
(tests/env.py, TEST_REDIS_DBS).
"""

from collections import Counter

import pytest

# Files (or folders, ending in "/") that run in one lane: one at a time, in collection order, on one worker.
LANE = "processes"
LANE_PATHS = (
    "tests/browser/",  # Chromium against the live server
    "tests/faults/",  # private PostgreSQL and Redis clusters crashed and restarted under a sending campaign
    "tests/campaigns/test_ab_crashes.py",  # rqworkers SIGKILLed mid-batch
    "tests/campaigns/test_exactly_once.py",
    "tests/campaigns/test_throttled_sending.py",  # throughput against limits per hour/second
    "tests/campaigns/test_schedule.py",
    "tests/tasks/test_sigkill_recovery.py",
    "tests/tasks/test_task_kinds.py",
    "tests/exports/test_killed_worker.py",
    "tests/emails/test_recovery.py",
    "tests/providers/test_exactly_once.py",
    "tests/serving/test_serve.py",
    "tests/test_embedded_sqlite.py",  # a whole pytest run of its own on SQLite (minutes of CPU): last in the lane
)
# The lane starts first (it is the longest unit); the SQLite run ends it, after the tests that count time.
LANE_LAST = ("tests/test_embedded_sqlite.py",)


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its lane, or its file."""
    path = nodeid.split("::", 1)[0]
    if any(path == lane_path or (lane_path.endswith("/") and path.startswith(lane_path)) for lane_path in LANE_PATHS):
        return LANE
    return path


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Unique node ids; the lane's tests before the others (the same order in every worker's collection, as
    xdist requires). Within a file the order stays pytest-django's (transactional tests after the others)."""
    taken = Counter(item.nodeid for item in items)
    for item in items:
        if taken[item.nodeid] > 1 and item.parent is not None:
            item._id = item.parent.id.child(item.name)
    if len({item.nodeid for item in items}) != len(items):
        raise pytest.UsageError("two collected tests share a node id: pytest-xdist would run only one of them")

    def order(item) -> tuple[int, int]:
        path = item.nodeid.split("::", 1)[0]
        return (0, path in LANE_LAST) if unit_of(item.nodeid) == LANE else (1, 0)

    items.sort(key=order)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``: a unit per file or lane, handed out in collection order (not xdist's default of the
    units with the most tests first, which would leave the one long embedded run to the end)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LoadFileAndLanes(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    config.option.loadscopereorder = False
    return LoadFileAndLanes(config, log)
