"""The send journal: what became of each message of a claim, kept outside the sender's process.

A sender claims messages (a campaign batch, or one single email) and commits them ``sending`` before a byte
goes out; if it dies, the rows alone cannot tell which of them the server had accepted, which was on the wire,
and which were never attempted. The journal can: a Redis list per claim, named by the claim's scope and its
``claimed_at`` (both on the rows, so recovery finds it from the database):

- ``open`` before the claim commits (``RPUSH`` of a marker, with ``SEND_JOURNAL_TTL_SECONDS`` to live): a claim
  whose list exists has a journal from its first message on;
- ``s:<id>`` before a message's data is written (its final "." follows), and ``o:<id>:<kind>:<code>:<reply>``
  once its outcome is known (``p:…``, with the provider's id of the message, when a provider took it). Both go
  in one ``RPUSHX`` a message, written when the message's ``DATA`` was accepted and read back just before its
  data goes out, so the round trip overlaps building the next message; ``RPUSHX`` does nothing to a list that
  is gone (taken by recovery, or lost with Redis), and the sender then does not send that data. A provider's
  call is journaled the same way: ``s`` before the call, its outcome after (campaigns/provider.py);
- the outcomes still unwritten when the batch ends (``settle``), before the batch's transaction; the list is
  deleted once that transaction has committed (``discard``).

Recovery (``take``) reads and deletes the lists of stale claims in one ``MULTI``: an outcome makes the
message's row (``sent``, a bounce, …), ``s`` alone makes it ``unknown`` (its data may have arrived: per SMTP
connection at most the one message in flight), no entry puts it back in the queue (it never went out). A
claim without a list (Redis restarted in the same crash, the TTL passed, or Redis away when it was opened)
falls back to the rule without a journal: every message of it ``unknown``, counted (``journalLost``).
Without REDIS_URL (the embedded default) there is no journal at all: that rule always.
"""

import base64
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings

from api.redis_client import redis_client
from campaigns import transport
from campaigns.replies import Outcome

logger = logging.getLogger("campaigns")
OPEN = b"open"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REDIS_FAILURES = (redis.RedisError, OSError)

# What recovery makes of a message of a dead sender's claim, when it is not its journaled outcome.
ON_THE_WIRE = Outcome(
    "unknown", None, "In flight when its sender stopped (its data may have arrived); never sent again."
)
JOURNAL_LOST = Outcome(
    "unknown",
    None,
    "Claimed when its sender stopped, and the send journal of its batch was lost; maybe delivered, never sent again.",
)
NO_JOURNAL = Outcome("unknown", None, "In flight when its sender stopped; maybe delivered, never sent again.")


@dataclass(frozen=True)
class Claim:
    """Whose messages (``campaign:<id>`` or ``email:<message id>``) and when they were claimed."""

    scope: str
    claimed_at: datetime

    @property
    def key(self) -> str:
        micros = (self.claimed_at - EPOCH) // timedelta(microseconds=1)
        return f"emailapi:journal:{self.scope}:{micros}"


def campaign_claim(campaign_id: int, claimed_at: datetime) -> Claim:
    return Claim(f"campaign:{campaign_id}", claimed_at)


def email_claim(message_id: int, claimed_at: datetime) -> Claim:
    return Claim(f"email:{message_id}", claimed_at)


def _bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


def _outcome_entry(message_id: int, outcome: Outcome) -> bytes:
    code = b"" if outcome.code is None else b"%d" % outcome.code
    response = outcome.response.encode("utf-8", "replace")
    if outcome.provider_id:  # a provider's id of the message, in base64 (no ":" in it): p:<id>:<kind>:<code>:<b64>:…
        provider_id = base64.urlsafe_b64encode(outcome.provider_id.encode("utf-8", "replace"))
        return b"p:%d:%s:%s:%s:%s" % (message_id, outcome.kind.encode(), code, provider_id, response)
    return b"o:%d:%s:%s:%s" % (message_id, outcome.kind.encode(), code, response)


class Unjournaled(transport.Unjournaled):
    """No journal for this claim (no Redis, or Redis away when it was opened): every message may go."""

    def bind(self, message_ids: list[int]) -> None:
        pass

    def settle(self, outcomes: list) -> None:
        pass

    def discard(self) -> None:
        pass


UNJOURNALED_CLAIM = Unjournaled()


class Journal:
    """One claim's journal on its sender's side, over ``connection`` (a redis-py connection the sender holds:
    a message costs one ``RPUSHX`` whose reply is read only when the message's data is about to go)."""

    def __init__(self, connection, claim: Claim):
        self.connection, self.claim = connection, claim
        self.key = claim.key.encode()
        self.bind([])
        self.waiting = False  # an RPUSHX whose reply is not read yet
        self.usable = True  # False once the list is gone or Redis failed: nothing more may be sent

    def bind(self, message_ids: list[int]) -> None:
        """The claimed messages, in the order the sender sends them (its ``outcomes``' order)."""
        self.ids = message_ids
        self.unwritten = bytearray(b"\x01") * len(message_ids)  # 1: its outcome is not in the journal yet
        self.low = 0  # every outcome before this index is written (or will never be: not sent)

    def _entries(self, outcomes: list) -> list[bytes]:
        """The outcomes known and not yet written, in index order (a pending message's does not hold the rest)."""
        entries, unwritten = [], self.unwritten
        for index in range(self.low, len(outcomes)):
            if unwritten[index] and outcomes[index] is not None:
                entries.append(_outcome_entry(self.ids[index], outcomes[index]))
                unwritten[index] = 0
        while self.low < len(outcomes) and not unwritten[self.low]:
            self.low += 1
        return entries

    def _send(self, entries: list[bytes]) -> None:
        command = [b"*%d\r\n$6\r\nRPUSHX\r\n" % (len(entries) + 2), _bulk(self.key), *map(_bulk, entries)]
        self.connection.send_packed_command([b"".join(command)], check_health=False)
        self.waiting = True

    def announce(self, indexes: list[int], outcomes: list) -> None:
        """The data of the messages at ``indexes`` is about to go: their ``s`` entries (and the outcomes known
        since the last write) are sent; ``confirm()`` reads the reply."""
        if not self.usable:
            return
        entries = self._entries(outcomes)
        entries += [b"s:%d" % self.ids[index] for index in indexes]
        try:
            self._read_reply()
            self._send(entries)
        except REDIS_FAILURES as exc:
            self._fail(exc)

    def _read_reply(self) -> None:
        if self.waiting:
            self.waiting = False
            if not self.connection.read_response():  # 0: the list is gone
                logger.warning("send journal %s is gone (taken by recovery, or lost with Redis)", self.claim.key)
                self.usable = False

    def confirm(self) -> bool:
        """True when the last announcement is in the journal: its message's data may go."""
        try:
            self._read_reply()
        except REDIS_FAILURES as exc:
            self._fail(exc)
        return self.usable

    def settle(self, outcomes: list) -> None:
        """Every outcome known is written before the batch's transaction (a crash in it loses none)."""
        try:
            self._read_reply()
            entries = self._entries(outcomes) if self.usable else []
            if entries:
                self._send(entries)
                self._read_reply()
        except REDIS_FAILURES as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        logger.warning("send journal %s: Redis failed (%s); the batch stops here", self.claim.key, exc)
        self.usable, self.waiting = False, False
        self.connection.disconnect()

    def discard(self) -> None:
        """The batch is recorded: its journal is no longer needed."""
        try:
            self._read_reply()
            self.connection.send_command("DEL", self.key)
            self.connection.read_response()
        except REDIS_FAILURES:  # it expires by itself
            self.connection.disconnect()


class Journals:
    """A sender's journals, one claim after another, over one Redis connection it holds meanwhile (taken from
    the process's pool when the first is opened, given back by ``close``)."""

    def __init__(self):
        self.pool = self.connection = None
        self.last: Journal | None = None

    def open(self, claim: Claim) -> Journal | Unjournaled:
        """The claim's journal, written before the claim commits; without Redis the claim goes unjournaled."""
        client = redis_client()
        if client is None:
            return UNJOURNALED_CLAIM
        ttl = b"%d" % (settings.SEND_JOURNAL_TTL_SECONDS * 1000)
        key = claim.key.encode()
        try:
            if self.connection is None:
                self.pool = client.connection_pool
                self.connection = self.pool.get_connection()
            if self.last is not None and self.last.waiting:
                self.last.confirm()
            self.connection.send_packed_command(
                [
                    b"*3\r\n$5\r\nRPUSH\r\n" + _bulk(key) + _bulk(OPEN),
                    b"*3\r\n$7\r\nPEXPIRE\r\n" + _bulk(key) + _bulk(ttl),
                ]
            )
            self.connection.read_response()
            self.connection.read_response()
        except REDIS_FAILURES as exc:
            logger.warning("send journal %s: Redis failed (%s); this batch goes without one", claim.key, exc)
            if self.connection is not None:
                self.connection.disconnect()
            return UNJOURNALED_CLAIM
        self.last = Journal(self.connection, claim)
        return self.last

    def close(self) -> None:
        """The connection goes back to the pool, closed first if a reply is still unread on it."""
        if self.connection is None:
            return
        if self.last is not None and self.last.waiting:
            self.connection.disconnect()
        self.pool.release(self.connection)
        self.pool = self.connection = self.last = None


# --- Recovery -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entries:
    """A claim's journal as recovery took it: the messages that started, and the outcomes written."""

    started: frozenset
    outcomes: dict

    def outcome_of(self, message_id: int) -> Outcome | None:
        """The message's outcome; ON_THE_WIRE if it started without one; None if it never started."""
        if message_id in self.outcomes:
            return self.outcomes[message_id]
        return ON_THE_WIRE if message_id in self.started else None


def _parsed(values: list[bytes]) -> Entries:
    started, outcomes = set(), {}
    for value in values:
        kind, _, rest = value.partition(b":")
        if kind == b"s":
            started.add(int(rest))
        elif kind == b"o":
            message_id, outcome_kind, code, response = rest.split(b":", 3)
            outcomes[int(message_id)] = Outcome(
                outcome_kind.decode(), int(code) if code else None, response.decode("utf-8", "replace")
            )
        elif kind == b"p":
            message_id, outcome_kind, code, provider_id, response = rest.split(b":", 4)
            outcomes[int(message_id)] = Outcome(
                outcome_kind.decode(),
                int(code) if code else None,
                response.decode("utf-8", "replace"),
                base64.urlsafe_b64decode(provider_id).decode("utf-8", "replace"),
            )
    return Entries(frozenset(started), outcomes)


def take(claims: list[Claim]) -> dict[Claim, Entries | None]:
    """The journals of ``claims`` (None: the claim has none), read and deleted in one ``MULTI``: a sender
    still holding one of them finds it gone and sends nothing more of it. Raises ``redis.RedisError`` when
    Redis cannot answer now (the journals may be there: try again later)."""
    client = redis_client()
    if client is None:
        return dict.fromkeys(claims)
    pipe = client.pipeline(transaction=True)
    for claim in claims:
        pipe.lrange(claim.key, 0, -1)
        pipe.delete(claim.key)
    replies = pipe.execute()
    return {claim: _parsed(values) if values else None for claim, values in zip(claims, replies[::2], strict=True)}


def fallback(message_id: int, entries: Entries | None) -> Outcome | None:
    """What recovery makes of a claimed message: its journaled outcome, ON_THE_WIRE, None (never started:
    queued again), or without a journal JOURNAL_LOST (Redis configured) / NO_JOURNAL (no Redis)."""
    if entries is not None:
        return entries.outcome_of(message_id)
    return JOURNAL_LOST if settings.REDIS_URL else NO_JOURNAL


def summary(made: Counter) -> str:
    """What a recovery made of the messages, for its log line: ``sent 9, unknown 1``."""
    return ", ".join(f"{status} {count}" for status, count in sorted(made.items()))
