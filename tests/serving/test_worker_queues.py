"""The workers of `make run`, `make serve`, `bin/dredd` and the fault tests take every queue settings declare."""

import re
from pathlib import Path

from django.conf import settings

from config import supervisor

ROOT = Path(__file__).resolve().parents[2]


def rqworker_queues(path: str) -> set[str]:
    (line,) = [line for line in (ROOT / path).read_text().splitlines() if "manage.py rqworker " in line]
    return set(re.findall(r"rqworker ([\w ]+?)(?: --|\s*$|\"|\s*>)", line)[0].split())


def test_callbacks_have_their_own_queue():
    assert "callbacks" in settings.RQ_QUEUES


def test_make_serve_workers_take_every_queue_and_callbacks_have_their_own(monkeypatch):
    monkeypatch.setenv("RQ_WORKERS", "2")
    monkeypatch.setenv("SERVE_WEB", "false")
    children = supervisor.children()
    queues = {
        child.name: set(child.argv[child.argv.index("rqworker") + 1 :]) - {"--with-scheduler"} for child in children
    }
    assert set().union(*queues.values()) == set(settings.RQ_QUEUES)
    # A slow callback receiver must never hold a worker that imports or sends (issue 16).
    for name, taken in queues.items():
        assert ("callbacks" in taken) == name.startswith("callback-worker"), (name, taken)
    assert sum(name.startswith("callback-worker") for name in queues) == 1


def test_make_run_dredd_and_the_fault_tests_workers_take_every_queue():
    for path in ("bin/run", "bin/dredd", "tests/faults/services.py"):
        assert rqworker_queues(path) == set(settings.RQ_QUEUES), path
