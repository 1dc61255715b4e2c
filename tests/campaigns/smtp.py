"""A real SMTP server on loopback (aiosmtpd) that records every delivery.

Recipients can be told to fail: ``server.reply[address] = "550 5.1.1 No such user"`` (at RCPT), or
``server.data_reply[address]`` (after the data). Each accepted message is kept with its raw bytes.
"""

import email
import email.policy
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Delivery:
    mail_from: str
    rcpt_to: str
    data: bytes

    def parsed(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Recorder:
    deliveries: list[Delivery] = field(default_factory=list)
    reply: dict[str, str] = field(default_factory=dict)
    data_reply: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.reply.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        answers = [self.data_reply[r.lower()] for r in envelope.rcpt_tos if r.lower() in self.data_reply]
        if answers:
            return answers[0]
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.deliveries.append(Delivery(envelope.mail_from, rcpt, envelope.original_content))
        return "250 Message accepted"

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(d.rcpt_to.lower() for d in self.deliveries)

    def to(self, address: str) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.rcpt_to.lower() == address.lower()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.recorder = Recorder()
        self.port = port or free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, decode_data=False)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture
def smtp_server(settings):
    """The SMTP server, and the settings pointing the app at it."""
    server = SmtpServer().start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server.recorder
    server.stop()
