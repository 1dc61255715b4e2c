"""A provider's HTTP API on loopback: Postmark's ``POST /email``, answered as Postmark answers, for anymail's real
Postmark backend (ANYMAIL_POSTMARK_API_URL pointed here). Every request is recorded; what a recipient gets can be
set: ``server.answer[address]`` is one of

- ``"inactive"``: 422, ErrorCode 406 (Postmark will not send to the address: its suppression list);
- ``"invalid"``: 422, ErrorCode 300 about the From address (the request is refused);
- ``"busy-once"``: 503 the first time, then accepted;
- ``"hang"``: no answer for ``hang_seconds`` (longer than the client's timeout);
- ``"drop"``: the request read, then the connection closed without an answer;
- ``"hold"``: the answer waits until ``released`` is set (``held`` is set once it arrived: a test kills the
  worker then).
"""

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.campaigns.smtp import free_port

TOKEN = "postmark-test-server-token"


@dataclass
class Call:
    to: str
    body: dict
    message_id: str | None = None


@dataclass
class Behaviour:
    answer: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 3.0
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(call.to for call in self.calls)

    def accepted(self) -> dict[str, str]:
        """Recipient → the MessageID this server gave it (the last one, if several)."""
        with self.lock:
            return {call.to: call.message_id for call in self.calls if call.message_id}


class Handler(BaseHTTPRequestHandler):
    behaviour: Behaviour

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:  # the client gave up waiting (a hung answer): nobody reads it
            self.close_connection = True

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("X-Postmark-Server-Token") != TOKEN:
            return self._reply(401, {"ErrorCode": 10, "Message": "Request does not contain a valid Server token."})
        to = body["To"].rpartition("<")[2].rstrip(">").lower()
        behaviour = self.behaviour
        with behaviour.lock:
            call = Call(to, body)
            behaviour.calls.append(call)
            answer = behaviour.answer.get(to, "")
            if answer == "busy-once":
                behaviour.answer.pop(to)
        if answer == "busy-once":
            return self._reply(503, {"ErrorCode": 0, "Message": "Service unavailable"})
        if answer == "inactive":
            return self._reply(
                422,
                {
                    "ErrorCode": 406,
                    "Message": "You tried to send to recipient(s) that have been marked as inactive. Found inactive "
                    f"addresses: {to}. Inactive recipients are ones that have generated a hard bounce, a spam "
                    "complaint, or a manual suppression.",
                },
            )
        if answer == "invalid":
            return self._reply(422, {"ErrorCode": 300, "Message": "Invalid 'From' address: 'nobody'."})
        if answer == "hang":
            time.sleep(behaviour.hang_seconds)
        if answer == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if answer == "hold":
            behaviour.held.set()
            behaviour.released.wait(60)
        call.message_id = str(uuid.uuid4())
        accepted = {"To": to, "SubmittedAt": "2026-12-01T12:00:00Z", "MessageID": call.message_id, "ErrorCode": 0}
        return self._reply(200, {**accepted, "Message": "OK"})


class ProviderApi:
    def __init__(self):
        self.behaviour = Behaviour()
        self.port = free_port()
        handler = type("BoundHandler", (Handler,), {"behaviour": self.behaviour})
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.behaviour.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def postmark(settings):
    """A Postmark API on loopback, and the server sending through it (anymail's Postmark backend)."""
    api = ProviderApi()
    settings.EMAIL_PROVIDER, settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "postmark", None, 1
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": TOKEN, "POSTMARK_API_URL": api.url}
    yield api
    api.stop()
