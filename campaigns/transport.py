"""Delivering bytes over SMTP, one reused connection per sender, with an outcome per message.

Outcomes: ``sent`` (250), ``hard`` (5xx for the recipient or the data), ``soft`` (4xx:
retried later), ``fault`` (the server could not be reached, broke off before the data, or
refused the sender or our login: nothing was sent and it is not the recipient's doing, so
the message waits for the server to come back), ``failed`` (this address cannot be written
on this connection) and ``unknown`` (the connection broke after the data was sent: it may
have been delivered, so it is never sent again).

Speed: ``send_many`` costs one round trip a message when the server offers PIPELINING
(RFC 2920): a message's data and final "." go in one write with the next message's
MAIL FROM, RCPT TO and DATA, and the four replies are read after. Without PIPELINING
each command waits for its reply. Nagle is off (TCP_NODELAY): no write waits for the
peer's delayed ACK.
"""

import contextlib
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

NETWORK_ERRORS = (smtplib.SMTPException, OSError)  # socket.timeout is an OSError


@dataclass(frozen=True)
class Outcome:
    kind: str  # sent | hard | soft | fault | failed | unknown
    code: int | None
    response: str


def _text(response) -> str:
    if isinstance(response, bytes):
        response = response.decode("utf-8", "replace")
    return str(response).replace("\x00", "")[:1000]


def _refused(code: int, response, *, recipient: bool) -> Outcome:
    if not recipient:
        return Outcome("fault", code, _text(response))
    return Outcome("hard" if 500 <= code < 600 else "soft", code, _text(response))


def _data_outcome(code: int, response) -> Outcome:
    """The reply to the final "." of a message."""
    return Outcome("sent", code, _text(response)) if code == 250 else _refused(code, response, recipient=True)


def _failure(exc: Exception) -> Outcome:
    """Nothing of the message's data was sent: the server could not be reached, or broke off before."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int) and isinstance(exc, smtplib.SMTPResponseException):
        return Outcome("fault", code, _text(exc.smtp_error))
    return Outcome("fault", code if isinstance(code, int) else None, _text(f"{type(exc).__name__}: {exc}"))


def _lost(exc: Exception) -> Outcome:
    return Outcome("unknown", None, f"connection lost after the data was sent: {exc}"[:1000])


def _terminated(data: bytes) -> bytes:
    return data + b".\r\n" if data.endswith(b"\r\n") else data + b"\r\n.\r\n"


INTERRUPTED = Outcome("unknown", None, "interrupted after the data may have been sent")
UNWRITABLE = Outcome(
    "failed",
    None,
    "The address cannot be sent to this server (a line break, or not ASCII and the server does not offer SMTPUTF8).",
)


class SmtpTransport:
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
    ):
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.use_tls, self.use_ssl = username, password, use_tls, use_ssl
        self.connection: smtplib.SMTP | None = None
        self.pipelining = self.smtputf8 = False

    def _connect(self) -> smtplib.SMTP:
        cls = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        connection = cls(self.host, self.port, timeout=self.timeout)
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.ehlo_or_helo_if_needed()
        if self.use_tls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if self.username:
            connection.login(self.username, self.password)
        self.pipelining = connection.has_extn("pipelining")
        self.smtputf8 = connection.has_extn("smtputf8")
        return connection

    def _envelope(self, from_email: str, to_email: str) -> tuple[bytes, bytes] | None:
        """The MAIL FROM and RCPT TO commands, or None when the addresses cannot be written on this connection."""
        addresses = from_email + to_email
        if "\r" in addresses or "\n" in addresses:
            return None
        utf8 = not addresses.isascii()
        if utf8 and not self.smtputf8:
            return None
        encoding = "utf-8" if utf8 else "ascii"
        return (
            f"MAIL FROM:<{from_email}>{' SMTPUTF8' if utf8 else ''}\r\n".encode(encoding),
            f"RCPT TO:<{to_email}>\r\n".encode(encoding),
        )

    def _refusal(self, mail: tuple, rcpt: tuple, data: tuple) -> Outcome | None:
        """The outcome of a refused MAIL FROM, RCPT TO or DATA (the transaction is then reset); None if DATA got 354."""
        if mail[0] != 250:
            outcome = _refused(mail[0], mail[1], recipient=False)
        elif rcpt[0] not in (250, 251):
            outcome = _refused(rcpt[0], rcpt[1], recipient=True)
        elif data[0] != 354:
            outcome = _refused(data[0], data[1], recipient=True)
        else:
            return None
        if data[0] == 354:
            # A server that accepted DATA after a refusal: dropping the connection abandons the transaction
            # (a message without its final "." is never delivered).
            self._drop()
        else:
            try:
                self.connection.rset()
            except NETWORK_ERRORS:
                self._drop()
        return outcome

    def send(self, from_email: str, to_email: str, data: bytes) -> Outcome:
        """One message, each command waiting for its reply (MAIL FROM, RCPT TO and DATA in one write with
        PIPELINING)."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            envelope = self._envelope(from_email, to_email)
            if envelope is None:
                return UNWRITABLE
            connection = self.connection
            mail_command, rcpt_command = envelope
            if self.pipelining:
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
            refused = self._refusal(mail, rcpt, data_reply)
            if refused:
                return refused
        except NETWORK_ERRORS as exc:
            self._drop()
            return _failure(exc)
        return self._complete(data)

    def _complete(self, data: bytes) -> Outcome:
        """DATA was accepted (354): the message and its final ".", then the reply."""
        try:
            self.connection.send(_terminated(data))
            return _data_outcome(*self.connection.getreply())
        except NETWORK_ERRORS as exc:
            self._drop()
            return _lost(exc)

    def send_many(self, from_email: str, messages, outcomes: list) -> None:
        """Send each ``(to_email, data)`` of the iterable ``messages``, appending its outcome to ``outcomes``.

        The iterable is read one message ahead of the data sent. If it raises, the message waiting for its
        data is completed first. Whatever is raised, a message whose data may have been written has an
        outcome (``unknown`` if its reply was not read): a None in ``outcomes`` was never sent.
        """
        pending = None  # (index in outcomes, data): DATA accepted with 354, the data not written yet
        in_flight = None  # the same, its data written, its reply not read yet
        try:
            for to_email, data in messages:
                index = len(outcomes)
                outcomes.append(None)
                if self.connection is None:  # (never with a message pending: that needs the connection)
                    try:
                        self.connection = self._connect()
                    except NETWORK_ERRORS as exc:
                        self._drop()
                        outcomes[index] = _failure(exc)
                        continue
                if not self.pipelining:
                    outcomes[index] = INTERRUPTED  # until send returns
                    outcomes[index] = self.send(from_email, to_email, data)
                    continue
                envelope = self._envelope(from_email, to_email)
                if envelope is None:
                    outcomes[index] = UNWRITABLE
                    continue
                connection = self.connection
                head, in_flight, pending = _terminated(pending[1]) if pending else b"", pending, None
                try:
                    connection.send(head + b"".join(envelope) + b"DATA\r\n")
                    if in_flight:
                        outcomes[in_flight[0]] = _data_outcome(*connection.getreply())
                        in_flight = None
                    mail, rcpt, data_reply = connection.getreply(), connection.getreply(), connection.getreply()
                except NETWORK_ERRORS as exc:
                    self._drop()
                    if in_flight:
                        outcomes[in_flight[0]] = _lost(exc)
                        in_flight = None
                    outcomes[index] = _failure(exc)
                    continue
                outcomes[index] = self._refusal(mail, rcpt, data_reply)
                if outcomes[index] is None:
                    pending = (index, data)
        finally:
            if in_flight:  # interrupted between writing its data and reading the reply: never written twice
                self._drop()
                outcomes[in_flight[0]] = INTERRUPTED
            elif pending:
                outcomes[pending[0]] = self._complete(pending[1])

    def _drop(self) -> None:
        """Close without QUIT: a transaction in progress is abandoned."""
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.close()
            self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except NETWORK_ERRORS:
                self._drop()
            self.connection = None


class FileTransport:
    """The embedded default (no EMAIL_HOST): each message is written to VAR_DIR/mail as an .eml file."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sequence = 0

    def send(self, from_email: str, to_email: str, data: bytes) -> Outcome:
        self.sequence += 1
        name = f"{to_email.replace('/', '_')}-{id(self):x}-{self.sequence}.eml"
        (self.directory / name).write_bytes(data.replace(b"\r\n..", b"\r\n."))
        return Outcome("sent", 250, "written to file")

    def send_many(self, from_email: str, messages, outcomes: list) -> None:
        for to_email, data in messages:
            outcomes.append(self.send(from_email, to_email, data))

    def close(self) -> None:
        pass


def transport_open():
    if settings.EMAIL_HOST:
        return SmtpTransport(
            host=settings.EMAIL_HOST,
            port=settings.EMAIL_PORT,
            username=settings.EMAIL_HOST_USER,
            password=settings.EMAIL_HOST_PASSWORD,
            use_tls=settings.EMAIL_USE_TLS,
            use_ssl=getattr(settings, "EMAIL_USE_SSL", False),
            timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30,
        )
    return FileTransport(settings.EMAIL_FILE_PATH)
