"""The SMTP transport against a real server on loopback (aiosmtpd), with and without PIPELINING (RFC 2920):
the same outcome for each message, in order, every accepted message delivered once."""

import asyncio

import pytest
from aiosmtpd.controller import Controller

from campaigns.transport import SmtpTransport
from tests.campaigns.smtp import Recorder, free_port

FROM = "news@shop.example.com"


class PipeliningRecorder(Recorder):
    """Offers PIPELINING (aiosmtpd reads pipelined commands in order; it only does not announce it)."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


class DroppingRecorder(Recorder):
    """Breaks the connection instead of answering the final "." of a message to ``drop_after_data``."""

    drop_after_data = ""

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after_data in [r.lower() for r in envelope.rcpt_tos]:
            server.transport.abort()
            await asyncio.sleep(0)
        return await super().handle_DATA(server, session, envelope)


class PipeliningDroppingRecorder(PipeliningRecorder, DroppingRecorder):
    pass


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def server(request):
    recorder = (PipeliningDroppingRecorder if request.param else DroppingRecorder)()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    transport = SmtpTransport(host="127.0.0.1", port=port, timeout=10)
    yield recorder, transport, request.param
    transport.close()
    controller.stop()


def message(to: str) -> bytes:
    return f"From: {FROM}\r\nTo: {to}\r\nSubject: Hi\r\n\r\nHello {to}\r\n..dot-stuffed line\r\n".encode()


def send_all(transport, addresses) -> list:
    outcomes = []
    transport.send_many(FROM, ((to, message(to)) for to in addresses), outcomes)
    return outcomes


def test_each_message_gets_its_own_outcome_in_order(server):
    recorder, transport, pipelining = server
    recorder.reply["hard@example.com"] = "550 5.1.1 No such user"
    recorder.reply["soft@example.com"] = "452 4.2.2 Mailbox full"
    recorder.data_reply["spam@example.com"] = "554 5.7.1 Rejected as spam"
    addresses = [
        "a@example.com",
        "hard@example.com",
        "b@example.com",
        "soft@example.com",
        "spam@example.com",
        "c@example.com",
    ]
    outcomes = send_all(transport, addresses)
    assert transport.pipelining is pipelining
    assert [(o.kind, o.code) for o in outcomes] == [
        ("sent", 250),
        ("hard", 550),
        ("sent", 250),
        ("soft", 452),
        ("hard", 554),
        ("sent", 250),
    ]
    assert "No such user" in outcomes[1].response and "Rejected as spam" in outcomes[4].response
    assert recorder.per_recipient() == {"a@example.com": 1, "b@example.com": 1, "c@example.com": 1}
    received = recorder.to("b@example.com")[0]
    assert received.mail_from == FROM
    assert received.data.endswith(b"Hello b@example.com\r\n.dot-stuffed line\r\n")  # the server un-stuffs
    # The connection is still usable: one more message on it.
    assert transport.send(FROM, "d@example.com", message("d@example.com")).kind == "sent"
    assert recorder.per_recipient()["d@example.com"] == 1


def test_a_failing_build_still_completes_the_message_in_flight(server):
    recorder, transport, _ = server

    def messages():
        yield "a@example.com", message("a@example.com")
        yield "b@example.com", message("b@example.com")
        raise RuntimeError("a template error")

    outcomes = []
    with pytest.raises(RuntimeError):
        transport.send_many(FROM, messages(), outcomes)
    assert [o.kind for o in outcomes] == ["sent", "sent"]
    assert recorder.per_recipient() == {"a@example.com": 1, "b@example.com": 1}


def test_connection_lost_after_the_data_is_unknown_and_the_rest_continue(server):
    recorder, transport, pipelining = server
    recorder.drop_after_data = "lost@example.com"
    outcomes = send_all(transport, ["a@example.com", "lost@example.com", "b@example.com", "c@example.com"])
    kinds = [o.kind for o in outcomes]
    # Pipelining, b's MAIL FROM went out with lost's data, in the same write: its data never did, so it is a
    # fault (nothing sent: it waits for its next turn, charged to nobody), and the batch stops there. One
    # command at a time, the next message opens a new connection.
    assert kinds == (["sent", "unknown", "fault"] if pipelining else ["sent", "unknown", "sent", "sent"])
    assert "connection lost after the data was sent" in outcomes[1].response
    assert recorder.per_recipient()["a@example.com"] == 1
    assert (
        recorder.per_recipient()["b@example.com"]
        == recorder.per_recipient()["c@example.com"]
        == (0 if pipelining else 1)
    )


@pytest.mark.parametrize("smtputf8", [True, False])
def test_an_address_the_server_cannot_take_fails_alone(smtputf8):
    recorder, port = PipeliningRecorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False, enable_SMTPUTF8=smtputf8)
    controller.start()
    transport = SmtpTransport(host="127.0.0.1", port=port, timeout=10)
    try:
        outcomes = send_all(
            transport, ["a@example.com", "zoë@example.com", "bad\r\nRCPT TO:<x@example.com>", "b@example.com"]
        )
    finally:
        transport.close()
        controller.stop()
    assert [o.kind for o in outcomes] == ["sent", "sent" if smtputf8 else "failed", "failed", "sent"]
    assert recorder.per_recipient() == {
        "a@example.com": 1,
        "b@example.com": 1,
        **({"zoë@example.com": 1} if smtputf8 else {}),
    }


def test_an_unreachable_server_is_a_fault_and_the_batch_stops():
    transport = SmtpTransport(host="127.0.0.1", port=free_port(), timeout=5)
    outcomes = send_all(transport, ["a@example.com", "b@example.com"])
    assert [o.kind for o in outcomes] == ["fault"]  # b was never tried: it waits for the server, charged to nobody
    assert outcomes[0].code is None and "ConnectionRefusedError" in outcomes[0].response


class CountingRecorder(PipeliningDroppingRecorder):
    sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        return await super().handle_EHLO(server, session, envelope, hostname, responses)


def test_lanes_send_one_message_each_in_turn_and_every_message_once():
    recorder = CountingRecorder()
    recorder.reply["hard@example.com"] = "550 5.1.1 No such user"
    recorder.data_reply["spam@example.com"] = "554 5.7.1 Rejected as spam"
    recorder.drop_after_data = "lost@example.com"
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    transport = SmtpTransport(host="127.0.0.1", port=port, timeout=10, connections=3)
    try:
        addresses = [f"a{i}@example.com" for i in range(10)]
        addresses[3], addresses[5], addresses[7] = "hard@example.com", "spam@example.com", "lost@example.com"
        outcomes = send_all(transport, addresses)
        expected = {"hard@example.com": "hard", "spam@example.com": "hard", "lost@example.com": "unknown"}
        assert [o.kind for o in outcomes] == [expected.get(address, "sent") for address in addresses]
        assert recorder.sessions >= 3  # every lane connected (and the one lost connected again)
        assert recorder.per_recipient() == {address: 1 for address in addresses if address not in expected}
    finally:
        transport.close()
        controller.stop()
