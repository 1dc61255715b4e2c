"""A callback attempt ends by CALLBACK_TIMEOUT_SECONDS whatever the receiver does, e.g. drip its answer."""

import socket
import threading
import time

import pytest

from tasks import callbacks
from tests.subscribers.builders import create_list
from tests.tasks.builders import json_body, run_jobs, submit, task_row

ROWS = [["email"], ["a@example.com"]]
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + b"X-Drip: slowly\r\n" * 100 + b"\r\n"


class Drip:
    """A loopback server that answers every connection one byte each ``every`` seconds, for ``lasting`` seconds
    (then hangs up): without a deadline a client sees a live peer all along and waits."""

    def __init__(self, every: float = 0.2, lasting: float = 6.0):
        self.every, self.lasting, self.connections = every, lasting, 0
        self.stopping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.threads = [threading.Thread(target=self._accept, daemon=True)]

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._drip, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _drip(self, conn):
        with conn:
            ends = time.monotonic() + self.lasting
            for byte in ANSWER:
                if self.stopping.wait(self.every) or time.monotonic() > ends:
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def __enter__(self):
        self.threads[0].start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.listener.close()
        for thread in self.threads:
            thread.join(timeout=2)


@pytest.fixture
def drip_settings(settings, queues):
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = True
    settings.CALLBACK_BACKOFF_SECONDS = 0
    settings.CALLBACK_TIMEOUT_SECONDS = 1
    settings.CALLBACK_ATTEMPTS = 2
    return settings


def test_a_dripping_receiver_is_given_up_at_the_deadline_of_each_attempt(api, drip_settings):
    list_id = create_list(api, "Target")
    with Drip() as drip:
        task_id = submit(api, list_id, json_body(ROWS, callback=drip.url), "application/json")
        run_jobs("imports")
        started = time.monotonic()
        run_jobs()
        elapsed = time.monotonic() - started
    assert drip.connections == 2
    assert elapsed < 2 * 1 + 1.5, elapsed  # two attempts of at most CALLBACK_TIMEOUT_SECONDS each
    task = task_row(task_id)
    assert (task.status, task.callback_status, task.callback_attempts) == ("done", "failed", 2)
    assert "timed out" in task.callback_error


def test_a_slow_name_server_counts_against_the_deadline(settings, monkeypatch):
    """getaddrinfo cannot be interrupted: a lookup held by the callback host's name server used to hold the
    attempt for as long as the resolver liked. Now the attempt stops waiting at its deadline."""
    settings.CALLBACK_TIMEOUT_SECONDS = 0.5
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = True

    def slow(*args, **kwargs):
        time.sleep(3)
        return []

    monkeypatch.setattr(callbacks.socket, "getaddrinfo", slow)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        callbacks.post("http://slow-dns.example/hook", b"{}", {})
    assert time.monotonic() - started < 1.5
    started = time.monotonic()
    callbacks.callback_check("http://slow-dns.example/hook")  # at submission: accepted, checked again later
    assert time.monotonic() - started < callbacks.SUBMISSION_LOOKUP_SECONDS + 1
