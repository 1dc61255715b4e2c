"""The sending limits' sliding log (campaigns/throttle.py): the Lua script against the tests' real Redis, and the
same rules in-process (no Redis). Windows of a second are waited out for real; an hour's only computed."""

import time
import uuid

import pytest

from campaigns import throttle
from campaigns.throttle import Limit


@pytest.fixture(params=["redis", "in-process"])
def backend(request, settings):
    if request.param == "in-process":
        settings.REDIS_URL = None
        throttle.LOCAL.__init__()
    return request.param


def limit(count: int, seconds: int) -> Limit:
    return Limit(f"test:{uuid.uuid4().hex}", count, seconds)


def test_a_window_grants_up_to_its_limit_then_answers_the_wait_until_its_oldest_entry_leaves(backend):
    second = limit(5, 1)
    started = time.monotonic()
    assert throttle.reserve([second], 3).count == 3
    time.sleep(0.2)
    assert throttle.reserve([second], 3).count == 2  # the room left, not what was asked
    refused = throttle.reserve([second], 1)
    assert refused.count == 0
    elapsed = time.monotonic() - started
    assert 1 - elapsed - 0.05 <= refused.wait <= 1 - elapsed + 0.05  # until the first entry (3) leaves
    time.sleep(refused.wait)
    again = throttle.reserve([second], 5)
    assert again.count == 3  # the first entry's three slots, not yet the second's two
    leftover = throttle.reserve([second], 1)
    assert leftover.count == 0 and 0.1 <= leftover.wait <= 0.25  # the second entry, 0.2 s younger


def test_every_limit_applies_at_once_and_the_longest_wait_wins(backend):
    second, hour = limit(10, 1), limit(12, 3600)
    assert throttle.reserve([second, hour], 8).count == 8
    assert throttle.reserve([second, hour], 8).count == 2  # the second's room
    time.sleep(throttle.reserve([second, hour], 1).wait)
    assert throttle.reserve([second, hour], 8).count == 2  # the hour's room now
    refused = throttle.reserve([second, hour], 1)
    assert refused.count == 0 and 3590 < refused.wait <= 3600  # the hour's oldest entry
    assert throttle.reserve([second], 1).count == 1  # a limit alone is not held by another's


def test_a_settled_grant_gives_back_what_it_did_not_use_and_counts_from_when_its_messages_went(backend):
    shared = limit(10, 1)
    grant = throttle.reserve([shared], 10)
    time.sleep(0.3)  # its messages took this long to go
    throttle.settle(grant, 4)  # only four were claimed
    assert throttle.reserve([shared], 10).count == 6
    refused = throttle.reserve([shared], 1)
    assert refused.count == 0 and 0.9 <= refused.wait <= 1.0  # a second from the settling, not from the grant
    time.sleep(refused.wait)
    assert throttle.reserve([shared], 10).count >= 4  # the settled entry's four (and the six, just after)


def test_a_lowered_limit_waits_for_the_surplus_to_leave(backend):
    shared = limit(10, 1)
    throttle.reserve([shared], 6)
    time.sleep(0.3)
    throttle.reserve([shared], 4)
    lowered = Limit(shared.key, 5, 1)  # 10 in the window now: the first six must leave before one more goes
    refused = throttle.reserve([lowered], 1)
    assert refused.count == 0 and 0.6 <= refused.wait <= 0.75


def test_no_limit_grants_everything_without_asking_anyone(backend, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens: it would fail if asked
    assert throttle.reserve([], 200) == throttle.Grant(200, 0.0)


def test_a_grant_is_at_most_a_tenth_of_a_per_second_limit():
    assert throttle.chunk([Limit("a", 200, 1)], 200) == 20
    assert throttle.chunk([Limit("a", 5, 1)], 200) == 1
    assert throttle.chunk([Limit("a", 1000, 3600)], 200) == 200
    assert throttle.chunk([Limit("a", 50, 3600)], 200) == 50
    assert throttle.chunk([], 200) == 200


def test_limits_come_from_the_account_else_the_defaults(settings):
    settings.SEND_RATE_PER_SECOND, settings.SEND_RATE_PER_HOUR = 100, 0
    assert throttle.account_limits(7, None, None) == (Limit("account:7:s", 100, 1),)
    assert throttle.account_limits(7, 0, 5000) == (Limit("account:7:h", 5000, 3600),)
    assert throttle.server_limits("relay", 0, 0) == ()
