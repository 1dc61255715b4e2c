"""Sending limits: at most N messages in any window of a second (or an hour), per account and per SMTP server,
shared by every worker through Redis.

A **sliding log** per limit: each reservation is one entry (its time, its number of messages) in a sorted set,
with the running total beside it. A reservation asks for N slots under every limit that applies at once (one
Lua script, one round trip, Redis's own clock): it is granted at once, up to the room every window has, or
answered with the time until the oldest entry in the way leaves its window. Nothing is booked ahead: a
reservation granted later is made then, so an account that must wait an hour never holds a server's slots
from another account meanwhile. Once its batch is claimed, a grant is settled (``settle``): its entry moves
to the instant its messages start out and gives back the slots the claim did not use.

Why a log and not GCRA (a token bucket in one number): GCRA paces at the rate but lets a bucket that was idle
send a whole burst and then the rate, so a window can hold nearly twice the limit ("1,000 an hour" giving
~2,000 in the first hour), unless the burst is made tiny, which turns "1,000 an hour" into one message every
3.6 s. Providers state their limits as "at most N in any hour"; the log keeps exactly that. Its cost stays
small because it logs reservations, not messages: a sender reserves up to a tenth of the per-second limit at
a time (``chunk``), so a second's log holds about ten entries and an hour's one per grant of that hour
(36,000 at most with a per-second limit beside it, a few MB), each trimmed once.

Without Redis (the embedded default: one process) the same log lives in the process (``LocalLogs``).
"""

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from redis.exceptions import RedisError

from api.redis_client import redis_client, run_script

logger = logging.getLogger("campaigns")
PREFIX = "emailapi:rate:"
SEQUENCE = PREFIX + "sequence"

# KEYS: the sequence, then per limit its log (a sorted set: "<seq>:<count>" scored by the time in µs) and its
# total (a string). ARGV: the slots wanted, then per limit its count and window (µs).
# Answers {granted, wait µs, seq}: granted > 0 (wait 0) or granted 0 and the wait before asking again.
RESERVE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local want = tonumber(ARGV[1])
local limits = (#KEYS - 1) / 2
local grant, wait = want, 0
for i = 1, limits do
  local log, sum = KEYS[2 * i], KEYS[2 * i + 1]
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local total = tonumber(redis.call('GET', sum) or '0')
  local gone = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
  if #gone > 0 then
    for _, member in ipairs(gone) do
      total = total - tonumber(string.match(member, ':(%d+)$'))
    end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
    redis.call('SET', sum, total, 'PX', math.ceil(window / 1000) + 1000)
  end
  local room = limit - total
  if room >= 1 then
    if room < grant then grant = room end
  else
    -- the oldest entries leave the window first: the time until enough of them have left to free one slot
    local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
    local freed = 0
    for j = 1, #entries, 2 do
      freed = freed + tonumber(string.match(entries[j], ':(%d+)$'))
      if room + freed >= 1 then
        local until_free = tonumber(entries[j + 1]) + window - now
        if until_free > wait then wait = until_free end
        break
      end
    end
  end
end
if wait > 0 then return {0, wait, 0} end
local seq = redis.call('INCR', KEYS[1])
for i = 1, limits do
  local log, sum, window = KEYS[2 * i], KEYS[2 * i + 1], tonumber(ARGV[2 * i + 1])
  local ttl = math.ceil(window / 1000) + 1000
  redis.call('ZADD', log, now, seq .. ':' .. grant)
  redis.call('PEXPIRE', log, ttl)
  redis.call('INCRBY', sum, grant)
  redis.call('PEXPIRE', sum, ttl)
end
return {grant, 0, seq}
"""

# KEYS: per limit its log and total. ARGV: the reservation's seq, the slots granted, the slots used, then each
# limit's window (µs).
# The entry moves to now (its messages go now: it leaves the window a second or an hour after they started
# out, not after the grant) and keeps only the slots used.
SETTLE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local seq, granted, used = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 1, #KEYS, 2 do
  local log, sum = KEYS[i], KEYS[i + 1]
  if redis.call('ZREM', log, seq .. ':' .. granted) == 1 then
    redis.call('DECRBY', sum, granted - used)
  elseif used > 0 then  -- the claim took longer than the window: the entry had left it, its messages count now
    redis.call('INCRBY', sum, used)
  end
  if used > 0 then
    local ttl = math.ceil(tonumber(ARGV[3 + (i + 1) / 2]) / 1000) + 1000
    redis.call('ZADD', log, now, seq .. ':' .. used)
    redis.call('PEXPIRE', log, ttl)
    redis.call('PEXPIRE', sum, ttl)
  end
end
return 1
"""


@dataclass(frozen=True)
class Limit:
    """At most ``count`` messages in any ``seconds``, for whoever shares ``key``."""

    key: str
    count: int
    seconds: int


@dataclass(frozen=True)
class Grant:
    """``count`` slots granted now (``seq`` names the reservation), or none and ``wait`` seconds to wait."""

    count: int
    wait: float
    seq: int = 0
    limits: tuple = ()


def account_limits(account_id: int, per_second: int | None, per_hour: int | None) -> tuple[Limit, ...]:
    """The account's own limits (None: the SEND_RATE_* default; 0: none)."""
    second = settings.SEND_RATE_PER_SECOND if per_second is None else per_second
    hour = settings.SEND_RATE_PER_HOUR if per_hour is None else per_hour
    return _limits(f"account:{account_id}", second, hour)


def server_limits(name: str, per_second: int, per_hour: int) -> tuple[Limit, ...]:
    return _limits(f"smtp:{name}", per_second, per_hour)


def _limits(scope: str, per_second: int, per_hour: int) -> tuple[Limit, ...]:
    limits = []
    if per_second:
        limits.append(Limit(f"{scope}:s", per_second, 1))
    if per_hour:
        limits.append(Limit(f"{scope}:h", per_hour, 3600))
    return tuple(limits)


def chunk(limits, size: int) -> int:
    """Slots to ask for at a time: ``size``, but at most a tenth of a per-second limit (at least 1), so that the
    messages of one grant, sent just after it, never make a second's window at the server much fuller than the
    limit, and several senders share a limit by small turns."""
    for limit in limits:
        if limit.seconds <= 1:
            size = min(size, max(1, limit.count // 10))
        size = min(size, limit.count)
    return max(1, size)


def reserve(limits, wanted: int) -> Grant:
    """Up to ``wanted`` slots under every limit of ``limits`` at once, or the wait before asking again. Raises
    RedisError when Redis is configured and cannot answer (the caller waits: a limit is never ignored)."""
    limits = tuple(limits)
    if not limits:
        return Grant(wanted, 0.0)
    client = redis_client()
    if client is None:
        return LOCAL.reserve(limits, wanted)
    keys = [SEQUENCE]
    args = [wanted]
    for limit in limits:
        keys += [PREFIX + limit.key, PREFIX + limit.key + ":n"]
        args += [limit.count, limit.seconds * 1_000_000]
    granted, wait, seq = run_script(client, RESERVE, keys, args)
    return Grant(int(granted), int(wait) / 1e6, int(seq), limits)


def settle(grant: Grant, used: int) -> None:
    """Just before the grant's messages go (``used`` of them; the rest are given back): its entry moves to now.

    A grant's messages leave after it, once their batch is claimed: late by a few milliseconds that vary with
    the database. Counted from the grant, a window at the receiving server could hold a slow claim's
    messages and those of a prompt one a second later, well over the limit (measured: 24 in a second under a
    limit of 20). Counted from when they start out, a window holds at most the limit and the tail of one
    grant (a tenth of a per-second limit, sent within milliseconds). Counted from when the last had gone it
    would be exact, but each entry would then come back later by the batch's whole send, and a second's limit
    of 500 gave 442/s. Best effort: an entry not settled keeps its grant's time and slots, which slows
    sending a little and never lets more through."""
    if not grant.limits or grant.count <= 0:
        return
    used = max(0, min(used, grant.count))
    client = redis_client()
    if client is None:
        LOCAL.settle(grant, used)
        return
    keys = []
    for limit in grant.limits:
        keys += [PREFIX + limit.key, PREFIX + limit.key + ":n"]
    try:
        windows = [limit.seconds * 1_000_000 for limit in grant.limits]
        run_script(client, SETTLE, keys, [grant.seq, grant.count, used, *windows])
    except RedisError as exc:
        logger.warning("sending limits: a grant not settled (%s)", exc)


class LocalLogs:
    """The same sliding logs in this process (no Redis: the embedded server, one process)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.logs: dict[str, deque] = {}  # key → deque of [time, count, seq]
        self.totals: dict[str, int] = {}
        self.sequence = 0

    def reserve(self, limits, wanted: int) -> Grant:
        with self.lock:
            now = time.monotonic()
            grant, wait = wanted, 0.0
            for limit in limits:
                log = self.logs.setdefault(limit.key, deque())
                while log and log[0][0] <= now - limit.seconds:
                    self.totals[limit.key] -= log.popleft()[1]
                room = limit.count - self.totals.get(limit.key, 0)
                if room >= 1:
                    grant = min(grant, room)
                    continue
                freed = 0
                for at, count, _ in log:
                    freed += count
                    if room + freed >= 1:
                        wait = max(wait, at + limit.seconds - now)
                        break
            if wait > 0:
                return Grant(0, wait)
            self.sequence += 1
            for limit in limits:
                self.logs[limit.key].append([now, grant, self.sequence])
                self.totals[limit.key] = self.totals.get(limit.key, 0) + grant
            return Grant(grant, 0.0, self.sequence, tuple(limits))

    def settle(self, grant: Grant, used: int) -> None:
        with self.lock:
            now = time.monotonic()
            for limit in grant.limits:
                log = self.logs.setdefault(limit.key, deque())
                entry = next((entry for entry in log if entry[2] == grant.seq), None)
                if entry is not None:
                    log.remove(entry)
                self.totals[limit.key] = self.totals.get(limit.key, 0) + used - (entry[1] if entry else 0)
                if used:
                    log.append([now, used, grant.seq])  # the latest time yet: the log stays in time order


LOCAL = LocalLogs()
