"""Sending through an email service provider's HTTP API (EMAIL_PROVIDER) with django-anymail, behind the SMTP
transport's interface: ``send_many`` appends an outcome per message, ``send`` sends one, ``close``.

A message is built as for SMTP (campaigns/mime.py: the same content, tracked links and List-Unsubscribe), then
handed to the provider as anymail's EmailMessage: subject, text and HTML parts, From, Reply-To and the headers
the provider does not write itself (it writes Date, Message-ID, the MIME structure and the DKIM-Signature:
providers sign with the keys of the domain verified with them, so nothing is signed here). Its metadata carries
the token of its Message-ID: a provider's event names the message by it too (campaigns/provider_events.py).
Our open pixel and tracked links are in every message, so the provider's own open and click tracking is turned
off for each message where anymail can.

Exactly once, as over SMTP: messages are claimed before any call; each call's ``s`` goes in the send journal
(campaigns/journal.py) and the call is made only once the journal confirms it; its outcome is journaled after.
A call whose answer is lost (a timeout once the request went, a dropped connection, a 2xx answer that cannot be
read) is ``unknown``: the provider may have taken it, so it is never sent again, and the batch stops there as
after a fault (a provider that stops answering costs at most ``connections`` messages a try). A call that sent
nothing is a ``fault`` (no connection; 401, 403 or 407: our credentials; 408, 429 or a 5xx: the provider says it
did not take it), retried later and not charged to the message; a request the provider refuses (400, 422…) is
``failed``; a recipient it will not send to (its suppression list) a hard bounce. ``connections`` calls go at
once, each lane on its own HTTP session.
"""

import contextlib
from concurrent.futures import ThreadPoolExecutor
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.parser import BytesParser
from email.policy import compat32
from email.utils import parseaddr
from itertools import islice

import requests
from anymail.exceptions import AnymailInvalidAddress, AnymailSerializationError, AnymailUnsupportedFeature
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from urllib3.exceptions import ConnectTimeoutError

from campaigns.replies import INTERRUPTED, Outcome
from campaigns.transport import UNJOURNALED

METADATA_KEY = "emailapi_message"  # the metadata that names our message (its Message-ID's token)
# Providers whose open and click tracking anymail turns off per message (for Amazon SES and Brevo, in their
# console: see the README).
OWN_TRACKING_ONLY = {"mailgun", "mailjet", "postmark", "sendgrid", "sparkpost", "test"}
# What the provider writes itself: not passed on as headers.
PROVIDER_WRITES = {
    "from",
    "to",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "dkim-signature",
}
CREDENTIALS_REFUSED = {401, 403, 407}
NOT_TAKEN = {408, 429}  # and 5xx: the provider answered that it did not take the message
REFUSALS = {  # anymail's recipient status → (our kind, what the message's response says)
    "sent": ("sent", "accepted by {name}"),
    "queued": ("sent", "accepted by {name}"),
    "rejected": ("hard", "{name} will not send to this address (an earlier bounce or complaint: its suppression list)"),
    "invalid": ("failed", "{name} refused the address"),
    "failed": ("failed", "{name} could not send it"),
}


def _text(value) -> str:
    return str(value).replace("\x00", "")[:1000]


def _header(value) -> str:
    """A header's text: its RFC 2047 words decoded, its folding undone."""
    return str(make_header(decode_header(str(value)))).replace("\r\n", "").replace("\n", "")


def _address(value: str) -> str:
    """``Name <address>``, the name decoded and quoted where it must be (Django and anymail parse it again)."""
    name, address = parseaddr(str(value))
    return str(Address(display_name=_header(name), addr_spec=address)) if name else address


def _text_of(part) -> str:
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", "replace").replace("\r\n", "\n")


def email_of(data: bytes, to_email: str) -> EmailMultiAlternatives:
    """The message of ``data`` (a message of campaigns/mime.py, dot-stuffed for SMTP) as anymail sends it.

    Read with the email package's compat32 policy and decoded here: its default policy costs ten times as much
    (about 2 ms a message, where this costs a fifth of one)."""
    parsed = BytesParser(policy=compat32).parsebytes(data.replace(b"\n..", b"\n."))
    parts = {part.get_content_type(): part for part in parsed.walk() if not part.is_multipart()}
    text, html = parts.get("text/plain"), parts.get("text/html")
    reply_to = parsed["Reply-To"]
    message = EmailMultiAlternatives(
        subject=_header(parsed["Subject"] or ""),
        body=_text_of(text) if text is not None else "",
        from_email=_address(parsed["From"]),
        to=[to_email],
        reply_to=[_address(address) for address in reply_to.split(",")] if reply_to else None,
        headers={name: _header(value) for name, value in parsed.items() if name.lower() not in PROVIDER_WRITES},
    )
    if html is not None:
        if text is None:
            message.body, message.content_subtype = _text_of(html), "html"
        else:
            message.attach_alternative(_text_of(html), "text/html")
    token = str(parsed["Message-ID"] or "").strip().strip("<>").partition("@")[0]
    if token:
        message.metadata = {METADATA_KEY: token}
    return message


def _never_sent(error) -> bool:
    """The request never left: no connection could be made (refused, no such host, timed out connecting)."""
    if isinstance(error, (requests.ConnectTimeout, requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema)):
        return True
    if not isinstance(error, requests.ConnectionError) or not error.args:
        return False
    # urllib3's NewConnectionError and NameResolutionError are ConnectTimeoutErrors too
    return isinstance(getattr(error.args[0], "reason", None), ConnectTimeoutError)


def failure(exc: Exception, name: str) -> Outcome:
    """What a call that raised made of its message."""
    detail = _text(f"{name}: {exc}".splitlines()[0] if str(exc) else f"{name}: {type(exc).__name__}")
    if isinstance(exc, (AnymailInvalidAddress, AnymailUnsupportedFeature, AnymailSerializationError)):
        return Outcome("failed", None, detail)  # refused before any request
    if isinstance(exc, ImproperlyConfigured):  # anymail's configuration errors: nothing was sent
        return Outcome("fault", None, detail)
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        detail = _text(f"{name} answered HTTP {status}: {_answer(exc)}")
        if 200 <= status < 300:
            return Outcome("unknown", None, f"{detail} (an answer that cannot be read: maybe taken, never sent again)")
        if status in CREDENTIALS_REFUSED or status in NOT_TAKEN or status >= 500:
            return Outcome("fault", None, detail)
        return Outcome("failed", None, detail)
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, requests.RequestException) and _never_sent(cause):
        return Outcome("fault", None, _text(f"{name} could not be reached: {type(cause).__name__}"))
    return Outcome(
        "unknown", None, _text(f"{name}'s answer was lost ({type(cause).__name__}): maybe accepted, never sent again")
    )


def _answer(exc) -> str:
    response = getattr(exc, "response", None)
    try:
        return " ".join(response.text.split())[:500] if response is not None else ""
    except Exception:  # an answer that cannot be decoded
        return ""


def accepted(message: EmailMultiAlternatives, name: str) -> Outcome:
    """The outcome of a call the provider answered: its status for the (one) recipient, and its message id."""
    status = getattr(message, "anymail_status", None)
    recipient = next(iter(status.recipients.values()), None) if status is not None else None
    message_id = recipient.message_id if recipient is not None else getattr(status, "message_id", None)
    provider_id = "" if message_id is None else _text(message_id)[:255]
    if recipient is None or recipient.status not in REFUSALS:
        return Outcome("unknown", None, f"{name} took the request without saying it will send it", provider_id)
    kind, response = REFUSALS[recipient.status]
    return Outcome(kind, None, response.format(name=name), provider_id)


class ProviderTransport:
    """``connections`` lanes, each an anymail backend (its HTTP session), calling the provider at once."""

    def __init__(self, *, provider: str, connections: int = 1, timeout: float = 30.0):
        self.provider, self.timeout = provider, timeout
        self.backend = settings.EMAIL_PROVIDERS[provider]
        self.lanes: list = [None] * max(1, connections)
        self.pool: ThreadPoolExecutor | None = None
        self.lost: Outcome | None = None  # the last send_many's lost answer: the sender waits as after a fault

    def _lane(self, lane: int):
        backend = self.lanes[lane]
        if backend is None:
            backend = get_connection(self.backend, timeout=self.timeout, ignore_recipient_status=True)
            backend.open()
            self.lanes[lane] = backend
        return backend

    def _call(self, lane: int, message: EmailMultiAlternatives) -> Outcome:
        try:
            backend = self._lane(lane)
        except Exception as exc:  # misconfigured (a missing key): nothing was sent
            return failure(exc, self.provider)
        name = getattr(backend, "esp_name", self.provider)
        if self.provider in OWN_TRACKING_ONLY:
            message.track_opens = message.track_clicks = False
        try:
            backend.send_messages([message])
        except Exception as exc:
            outcome = failure(exc, name)
            if outcome.kind == "unknown":
                self.lost = outcome
            return outcome
        return accepted(message, name)

    def _call_all(self, messages: list) -> list[Outcome]:
        if len(messages) == 1:
            return [self._call(0, messages[0])]
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=len(self.lanes), thread_name_prefix="provider")
        return list(self.pool.map(self._call, range(len(messages)), messages))

    def send(self, from_email: str, to_email: str, data: bytes) -> Outcome:
        outcomes: list[Outcome | None] = []
        self.send_many(from_email, [(to_email, data)], outcomes)
        return outcomes[0] or INTERRUPTED

    def send_many(self, from_email: str, messages, outcomes: list, journal=UNJOURNALED) -> None:
        """Send each ``(to_email, data)`` of ``messages``, appending its outcome to ``outcomes``: a lane's worth
        at a time, each journaled before its call; it stops after a fault or a lost answer, or when the journal
        cannot confirm (those messages get no outcome: they never went)."""
        source, width, self.lost = iter(messages), len(self.lanes), None
        while group := list(islice(source, width)):
            calls = []
            for to_email, data in group:
                index = len(outcomes)
                outcomes.append(None)
                try:
                    calls.append((index, email_of(data, to_email)))
                except Exception as exc:
                    outcomes[index] = Outcome("failed", None, _text(f"not a message {self.provider} can take: {exc}"))
            if calls:
                journal.announce([index for index, _ in calls], outcomes)
                if not journal.confirm():
                    return
                for index, _ in calls:
                    outcomes[index] = INTERRUPTED  # until its call returns
                for (index, _), outcome in zip(calls, self._call_all([m for _, m in calls]), strict=True):
                    outcomes[index] = outcome
            if self.lost is not None or any(outcomes[index].kind == "fault" for index, _ in calls):
                return

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
        for backend in self.lanes:
            if backend is not None:
                with contextlib.suppress(Exception):  # a session that cannot close cleanly is dropped all the same
                    backend.close()
        self.lanes = [None] * len(self.lanes)
