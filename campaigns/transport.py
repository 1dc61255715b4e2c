"""Delivering bytes over SMTP, on a few reused connections per sender, with an outcome per message.

Outcomes: ``sent`` (250), ``hard`` (5xx for the recipient or the data), ``soft`` (4xx:
retried later), ``fault`` (the server could not be reached, broke off before the data, or
refused the sender or our login: nothing was sent and it is not the recipient's doing, so
the message waits for the server to come back), ``failed`` (this address cannot be written
on this connection) and ``unknown`` (the connection broke after the data was sent: it may
have been delivered, so it is never sent again).

Speed: ``send_many`` costs one round trip a message on each connection when the server
offers PIPELINING (RFC 2920): a message's data and final "." go in one write with the next
message's MAIL FROM, RCPT TO and DATA, and the four replies are read after. With several
connections (lanes) the round trips of a turn overlap, and the send journal
(campaigns/journal.py) is written once a turn for all of them. Without PIPELINING each
command waits for its reply. Nagle is off (TCP_NODELAY): no write waits for the peer's
delayed ACK.
"""

import contextlib
import smtplib
import socket
import ssl
from dataclasses import dataclass

from campaigns.replies import (
    INTERRUPTED,
    UNWRITABLE,
    Outcome,
    data_outcome,
    failure,
    lost,
    refused,
)

NETWORK_ERRORS = (smtplib.SMTPException, OSError)  # socket.timeout is an OSError


def _terminated(data: bytes) -> bytes:
    return data + b".\r\n" if data.endswith(b"\r\n") else data + b"\r\n.\r\n"


class Unjournaled:
    """No journal: every message may go (``campaigns.journal.Journal`` is the real one)."""

    def announce(self, indexes: list[int], outcomes: list) -> None:
        pass

    def confirm(self) -> bool:
        return True


UNJOURNALED = Unjournaled()


@dataclass
class Lane:
    """One SMTP connection of a transport, and the message it holds: ``pending`` (index in the outcomes, data)
    had its DATA accepted (354), its data not written yet; ``in_flight`` (index) had its data written, its
    reply not read yet. At most one message of a lane is ever between its data and its reply."""

    connection: smtplib.SMTP | None = None
    pipelining: bool = False
    smtputf8: bool = False
    pending: tuple[int, bytes] | None = None
    in_flight: int | None = None


class SmtpTransport:
    """``connections`` lanes (SMTP connections) that ``send_many`` sends on in turn, one message each per turn."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        use_tls: bool = False,
        use_ssl: bool = False,
        timeout: float = 30.0,
        connections: int = 1,
    ):
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.use_tls, self.use_ssl = username, password, use_tls, use_ssl
        self.lanes = [Lane() for _ in range(max(1, connections))]

    @property
    def pipelining(self) -> bool:
        return self.lanes[0].pipelining

    def _connect(self, lane: Lane) -> None:
        cls = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        connection = cls(self.host, self.port, timeout=self.timeout)
        lane.connection = connection
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.ehlo_or_helo_if_needed()
        if self.use_tls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if self.username:
            connection.login(self.username, self.password)
        lane.pipelining = connection.has_extn("pipelining")
        lane.smtputf8 = connection.has_extn("smtputf8")

    @staticmethod
    def _envelope(lane: Lane, from_email: str, to_email: str) -> tuple[bytes, bytes] | None:
        """The MAIL FROM and RCPT TO commands, or None when the addresses cannot be written on this connection."""
        addresses = from_email + to_email
        if "\r" in addresses or "\n" in addresses:
            return None
        utf8 = not addresses.isascii()
        if utf8 and not lane.smtputf8:
            return None
        encoding = "utf-8" if utf8 else "ascii"
        return (
            f"MAIL FROM:<{from_email}>{' SMTPUTF8' if utf8 else ''}\r\n".encode(encoding),
            f"RCPT TO:<{to_email}>\r\n".encode(encoding),
        )

    def _refusal(self, lane: Lane, mail: tuple, rcpt: tuple, data: tuple) -> Outcome | None:
        """The outcome of a refused MAIL FROM, RCPT TO or DATA (the transaction is then reset); None if DATA got 354."""
        if mail[0] != 250:
            outcome = refused(mail[0], mail[1], recipient=False)
        elif rcpt[0] not in (250, 251):
            outcome = refused(rcpt[0], rcpt[1], recipient=True)
        elif data[0] != 354:
            outcome = refused(data[0], data[1], recipient=True)
        else:
            return None
        if data[0] == 354:
            # A server that accepted DATA after a refusal: dropping the connection abandons the transaction
            # (a message without its final "." is never delivered).
            self._drop(lane)
        else:
            try:
                lane.connection.rset()
            except NETWORK_ERRORS:
                self._drop(lane)
        return outcome

    def send(self, from_email: str, to_email: str, data: bytes) -> Outcome:
        """One message on the first lane, each command waiting for its reply (MAIL FROM, RCPT TO and DATA in
        one write with PIPELINING)."""
        return self._send_on(self.lanes[0], from_email, to_email, data)

    def _send_on(self, lane: Lane, from_email: str, to_email: str, data: bytes) -> Outcome:
        try:
            if lane.connection is None:
                self._connect(lane)
            envelope = self._envelope(lane, from_email, to_email)
            if envelope is None:
                return UNWRITABLE
            connection = lane.connection
            mail_command, rcpt_command = envelope
            if lane.pipelining:
                connection.send(mail_command + rcpt_command + b"DATA\r\n")
                mail, rcpt, data_reply = connection.getreply(), connection.getreply(), connection.getreply()
            else:
                connection.send(mail_command)
                mail = connection.getreply()
                rcpt = data_reply = (None, b"")
                if mail[0] == 250:
                    connection.send(rcpt_command)
                    rcpt = connection.getreply()
                    if rcpt[0] in (250, 251):
                        connection.send(b"DATA\r\n")
                        data_reply = connection.getreply()
            refused = self._refusal(lane, mail, rcpt, data_reply)
            if refused:
                return refused
        except NETWORK_ERRORS as exc:
            self._drop(lane)
            return failure(exc)
        try:
            connection.send(_terminated(data))
            return data_outcome(*connection.getreply())
        except NETWORK_ERRORS as exc:
            self._drop(lane)
            return lost(exc)

    def send_many(self, from_email: str, messages, outcomes: list, journal=UNJOURNALED) -> None:
        """Send each ``(to_email, data)`` of the iterable ``messages``, appending its outcome to ``outcomes``;
        it stops after a server fault (nothing more can go now).

        Turn by turn, each lane takes the next message: every lane's writes go out (the data of the message it
        held, with the new one's MAIL FROM, RCPT TO and DATA, in one write: PIPELINING, RFC 2920), then every
        lane's replies are read, so the lanes' round trips overlap. Without PIPELINING a lane sends its message
        waiting for each reply. The iterable is read up to a turn ahead of the data sent; if it raises, the
        messages waiting for their data are completed first. Whatever is raised, a message whose data may
        have been written has an outcome (``unknown`` if its reply was not read): a None was never sent.

        ``journal`` (campaigns/journal.py) is told before any message's data goes out (``announce`` once a
        turn, for the messages whose DATA was accepted; ``confirm`` just before their data, after the next
        turn's messages are built: the round trip overlaps); when it cannot confirm, that data is not sent and
        the batch ends there.
        """
        source = iter(messages)
        try:
            while self._turn(from_email, source, outcomes, journal):
                pass
        finally:
            self._complete_lanes(outcomes, journal)

    def _turn(self, from_email: str, source, outcomes: list, journal) -> bool:
        """One message a lane; False when there are no more, the journal stopped the batch or the server faulted."""
        taken, more = [], True
        for lane in self.lanes:
            item = next(source, None)
            if item is None:
                more = False
                break
            to_email, data = item
            index = len(outcomes)
            outcomes.append(None)
            if lane.connection is None:  # (never with a message pending: that needs the connection)
                try:
                    self._connect(lane)
                except NETWORK_ERRORS as exc:
                    self._drop(lane)
                    outcomes[index] = failure(exc)
                    return False
            if not lane.pipelining:
                journal.announce([index], outcomes)
                if not journal.confirm():
                    return False
                outcomes[index] = INTERRUPTED  # until it returns
                outcomes[index] = self._send_on(lane, from_email, to_email, data)
                if outcomes[index].kind == "fault":
                    return False
                continue
            envelope = self._envelope(lane, from_email, to_email)
            if envelope is None:
                outcomes[index] = UNWRITABLE
                continue
            taken.append((lane, index, envelope, data))
        if any(lane.pending for lane, *_ in taken) and not journal.confirm():
            return False  # their data must not go: _complete_lanes abandons them
        written = [entry for entry in taken if self._write(entry, outcomes)]
        for lane, index, _, data in written:
            self._read(lane, index, data, outcomes)
        started = [lane.pending[0] for lane, *_ in written if lane.pending]
        if started:
            journal.announce(started, outcomes)
        faulted = any(outcomes[index] is not None and outcomes[index].kind == "fault" for _, index, *_ in taken)
        return more and not faulted

    def _write(self, entry: tuple, outcomes: list) -> bool:
        """The lane's pending data and the new message's commands, in one write; False when it failed."""
        lane, index, envelope, _ = entry
        head = b""
        if lane.pending:
            lane.in_flight, head = lane.pending[0], _terminated(lane.pending[1])
            lane.pending = None
        try:
            lane.connection.send(head + b"".join(envelope) + b"DATA\r\n")
        except NETWORK_ERRORS as exc:
            self._lose_lane(lane, exc, outcomes)
            outcomes[index] = failure(exc)
            return False
        return True

    def _read(self, lane: Lane, index: int, data: bytes, outcomes: list) -> None:
        """The reply to the data written (if any), then to MAIL FROM, RCPT TO and DATA."""
        connection = lane.connection
        try:
            if lane.in_flight is not None:
                outcomes[lane.in_flight] = data_outcome(*connection.getreply())
                lane.in_flight = None
            mail, rcpt, data_reply = connection.getreply(), connection.getreply(), connection.getreply()
        except NETWORK_ERRORS as exc:
            self._lose_lane(lane, exc, outcomes)
            outcomes[index] = failure(exc)
            return
        outcomes[index] = self._refusal(lane, mail, rcpt, data_reply)
        if outcomes[index] is None:
            lane.pending = (index, data)

    def _lose_lane(self, lane: Lane, exc: Exception, outcomes: list) -> None:
        """The connection broke: the message whose data was written may have arrived (``unknown``)."""
        self._drop(lane)
        if lane.in_flight is not None:
            outcomes[lane.in_flight] = lost(exc)
            lane.in_flight = None

    def _complete_lanes(self, outcomes: list, journal) -> None:
        """End of the batch: each lane's pending message gets its data and final "." (if the journal confirms
        it), then its reply; a message interrupted between its data and its reply is never written twice."""
        for lane in self.lanes:
            if lane.in_flight is not None:
                self._drop(lane)
                outcomes[lane.in_flight] = INTERRUPTED
                lane.in_flight = None
        holding = [lane for lane in self.lanes if lane.pending]
        if not holding:
            return
        if not journal.confirm():
            for lane in holding:
                self._drop(lane)  # the transaction is abandoned: without its final "." nothing is delivered
                lane.pending = None
            return
        written = []
        for lane in holding:
            (index, data), lane.pending = lane.pending, None
            try:
                lane.connection.send(_terminated(data))
                written.append((lane, index))
            except NETWORK_ERRORS as exc:
                self._drop(lane)
                outcomes[index] = lost(exc)
        for lane, index in written:
            try:
                outcomes[index] = data_outcome(*lane.connection.getreply())
            except NETWORK_ERRORS as exc:
                self._drop(lane)
                outcomes[index] = lost(exc)

    def _drop(self, lane: Lane) -> None:
        """Close without QUIT: a transaction in progress is abandoned."""
        if lane.connection is not None:
            with contextlib.suppress(OSError):
                lane.connection.close()
            lane.connection = None

    def close(self) -> None:
        for lane in self.lanes:
            if lane.connection is not None:
                try:
                    lane.connection.quit()
                except NETWORK_ERRORS:
                    self._drop(lane)
                lane.connection = None


def transport_open(*, connections: int = 1):
    """A transport of the settings (campaigns/servers.py): an SMTP server chosen by weight among those not set
    aside, with ``connections`` lanes, or files (the embedded default)."""
    from campaigns.servers import configured, pick  # (it builds on this module)

    return pick(configured()).open(connections)
