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


def test_make_serve_workers_take_every_queue(monkeypatch):
    monkeypatch.setenv("RQ_WORKERS", "1")
    monkeypatch.setenv("SERVE_WEB", "false")
    (worker,) = supervisor.children()
    assert set(settings.RQ_QUEUES) <= set(worker.argv)


def test_make_run_dredd_and_the_fault_tests_workers_take_every_queue():
    for path in ("bin/run", "bin/dredd", "tests/faults/services.py"):
        assert rqworker_queues(path) == set(settings.RQ_QUEUES), path
