"""What became of a message handed to a server: an ``Outcome``, and the SMTP replies and errors read as one.

``sent`` (250), ``hard`` (5xx for the recipient or the data), ``soft`` (4xx: retried later), ``fault`` (nothing was
sent and it is not the recipient's doing: the message waits for the server), ``failed`` (this address cannot be
written on this connection) and ``unknown`` (the data may have been delivered: never sent again)."""

import smtplib
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    kind: str  # sent | hard | soft | fault | failed | unknown
    code: int | None
    response: str
    provider_id: str = ""  # the provider's id of the message it accepted (campaigns/provider.py)


def reply_text(response) -> str:
    """A reply or an error as stored with the message: text, at most 1,000 characters, no NUL."""
    if isinstance(response, bytes):
        response = response.decode("utf-8", "replace")
    return str(response).replace("\x00", "")[:1000]


def refused(code: int, response, *, recipient: bool) -> Outcome:
    if not recipient:
        return Outcome("fault", code, reply_text(response))
    return Outcome("hard" if 500 <= code < 600 else "soft", code, reply_text(response))


def data_outcome(code: int, response) -> Outcome:
    """The reply to the final "." of a message."""
    return Outcome("sent", code, reply_text(response)) if code == 250 else refused(code, response, recipient=True)


def failure(exc: Exception) -> Outcome:
    """Nothing of the message's data was sent: the server could not be reached, or broke off before."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int) and isinstance(exc, smtplib.SMTPResponseException):
        return Outcome("fault", code, reply_text(exc.smtp_error))
    return Outcome("fault", code if isinstance(code, int) else None, reply_text(f"{type(exc).__name__}: {exc}"))


def lost(exc: Exception) -> Outcome:
    return Outcome("unknown", None, f"connection lost after the data was sent: {exc}"[:1000])


INTERRUPTED = Outcome("unknown", None, "interrupted after the data may have been sent")
UNWRITABLE = Outcome(
    "failed",
    None,
    "The address cannot be sent to this server (a line break, or not ASCII and the server does not offer SMTPUTF8).",
)
