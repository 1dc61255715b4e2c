"""The send journal (campaigns/journal.py) against real Redis, PostgreSQL and an SMTP server on loopback.

The transport tells the journal about each message before its data goes out, and the server checks it: when a
message's data arrives, its ``s`` entry is already in Redis. A journal taken by recovery mid-batch stops the
sender before any more data, whatever the moment: recovery's view never calls a delivered message "never
started". Recovery makes of a dead sender's claim exactly what its journal says; without one (lost with
Redis), today's rule, counted in the campaign's ``journalLost``; Redis unreachable, nothing yet.
"""

from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.db.models import F
from django.utils import timezone

from api.redis_client import redis_client
from campaigns import journal, recording
from campaigns.journal import Journals, campaign_claim, take
from campaigns.models import Message
from campaigns.replies import Outcome
from campaigns.selectors import campaign_stats
from campaigns.transport import SmtpTransport
from subscribers.models import Subscriber
from tasks.models import Task
from tasks.sweeper import recover_round
from tests.campaigns.builders import sender_joined
from tests.campaigns.test_transport import FROM, message, server  # noqa: F401 (a fixture)


class Watched:
    """A claim's journal for messages 1…n sent to ``r<i>@example.com``, and what its server saw."""

    def __init__(self, recorder, count: int):
        self.claim = campaign_claim(999_999, timezone.now())
        self.journals = Journals()
        self.journal = self.journals.open(self.claim)
        self.addresses = [f"r{i}@example.com" for i in range(1, count + 1)]
        self.journal.bind(list(range(1, count + 1)))
        self.unannounced: list[str] = []  # data that arrived without its `s` entry in the journal
        original = recorder.handle_DATA
        key = self.claim.key

        async def handle_data(smtp, session, envelope):
            entries = redis_client().lrange(key, 0, -1)
            for address in envelope.rcpt_tos:
                number = int(address.split("@")[0][1:])
                if b"s:%d" % number not in entries:
                    self.unannounced.append(address)
            return await original(smtp, session, envelope)

        recorder.handle_DATA = handle_data

    def messages(self, before=None):
        for number, address in enumerate(self.addresses, start=1):
            if before is not None:
                before(number)
            yield address, message(address)


@pytest.mark.parametrize("connections", [1, 3])
def test_each_message_is_in_the_journal_before_its_data_and_its_outcome_after(server, connections):  # noqa: F811
    recorder, one_lane, pipelining = server
    transport = SmtpTransport(host="127.0.0.1", port=one_lane.port, timeout=10, connections=connections)
    recorder.reply["r2@example.com"] = "550 5.1.1 No such user"
    recorder.data_reply["r4@example.com"] = "452 4.2.2 Mailbox full"
    watched = Watched(recorder, 5)
    outcomes = []
    transport.send_many(FROM, watched.messages(), outcomes, watched.journal)
    watched.journal.settle(outcomes)
    assert watched.unannounced == []
    assert [o.kind for o in outcomes] == ["sent", "hard", "sent", "soft", "sent"]
    entries = take([watched.claim])[watched.claim]
    # Refused at RCPT, r2's data never went: pipelining, it was never announced (one command at a time, every
    # message is announced before its MAIL FROM).
    assert entries.started == ({1, 3, 4, 5} if pipelining else {1, 2, 3, 4, 5})
    assert {number: (o.kind, o.code) for number, o in entries.outcomes.items()} == {
        1: ("sent", 250),
        2: ("hard", 550),
        3: ("sent", 250),
        4: ("soft", 452),
        5: ("sent", 250),
    }
    watched.journals.close()
    transport.close()


@pytest.mark.parametrize("connections", [1, 3])
@pytest.mark.parametrize("taken_before", [1, 2, 3, 5, 6])
def test_a_journal_taken_mid_batch_stops_the_sender_and_agrees_with_the_server(server, taken_before, connections):  # noqa: F811
    """Recovery takes the journal just before message ``taken_before`` is built (6: after the last), as if
    its sender had stopped answering; whatever the moment, what it read matches what the server got."""
    recorder, one_lane, _ = server
    transport = SmtpTransport(host="127.0.0.1", port=one_lane.port, timeout=10, connections=connections)
    watched = Watched(recorder, 5)
    taken = {}

    def before(number):
        if number == taken_before:
            taken.update(take([watched.claim]))

    outcomes = []
    transport.send_many(FROM, watched.messages(before), outcomes, watched.journal)
    if taken_before == 6:
        taken.update(take([watched.claim]))
    watched.journal.settle(outcomes)
    entries = taken[watched.claim]
    delivered = {int(address.split("@")[0][1:]) for address in recorder.per_recipient()}
    known = entries.started | set(entries.outcomes) if entries else set()
    assert delivered <= known  # never "never started" for a message the server has
    assert take([watched.claim])[watched.claim] is None  # nothing was written after the take
    watched.journals.close()
    transport.close()


# --- Recovery ---------------------------------------------------------------------------------------------------


def dead_sender(api, count: int, *, journaled: bool = True):
    """A campaign whose sender claimed ``count`` messages (and, ``journaled``, opened their journal) and died:
    the campaign, its task id, the claimed rows in order and the journal."""
    campaign, task = sender_joined(api, count)
    claimed_at = timezone.now()
    batch_journal = Journals().open(campaign_claim(campaign.pk, claimed_at)) if journaled else None
    batch = recording.claim(campaign_id=campaign.pk, task_id=task.pk, size=count, now=claimed_at)
    if batch_journal:
        batch_journal.bind([row.message_id for row in batch])
    return campaign, task.pk, batch, batch_journal


def statuses(campaign) -> dict[str, str]:
    return dict(Message.objects.filter(campaign=campaign).values_list("to_email", "status"))


def test_recovery_records_what_the_journal_says(api, settings):
    settings.TASK_STALE_AFTER_SECONDS = 0
    campaign, task_id, batch, batch_journal = dead_sender(api, 6)
    outcomes = [Outcome("sent", 250, "2.0.0 queued as 1"), Outcome("hard", 550, "5.1.1 No such user")]
    outcomes += [Outcome("soft", 451, "4.7.1 Later"), None]
    batch_journal.announce([3], outcomes)  # the three outcomes, and the fourth message's data going out
    assert batch_journal.confirm()  # … then the sender died, the 250 of the fourth not read, two never started

    made = recording.recover_stale(campaign=campaign, task_id=task_id)

    address = [row.to_email for row in batch]
    assert made == Counter({"sent": 1, "hard-bounce": 1, "queued": 3, "unknown": 1})
    assert statuses(campaign) == {
        address[0]: "sent",
        address[1]: "hard-bounce",
        address[2]: "queued",
        address[3]: "unknown",
        address[4]: "queued",
        address[5]: "queued",
    }
    rows = {row.to_email: row for row in Message.objects.filter(campaign=campaign)}
    assert (rows[address[0]].smtp_code, rows[address[0]].sent_at is not None) == (250, True)
    assert rows[address[2]].next_attempt_at is not None and rows[address[2]].attempts == 1  # a 4xx: retried later
    assert [(rows[a].attempts, rows[a].next_attempt_at) for a in address[4:]] == [(0, None)] * 2  # never tried
    assert rows[address[3]].smtp_response == journal.ON_THE_WIRE.response
    assert Subscriber.objects.get(email=address[1]).status == "hard-bounce"
    stats = campaign_stats([campaign.pk])[campaign.pk]
    assert (stats["sent"], stats["hardBounces"], stats["unknown"], stats["journalLost"]) == (1, 1, 1, 0)
    task = Task.objects.get(pk=task_id)
    assert (task.processed, task.succeeded, task.failed) == (3, 1, 2)
    assert redis_client().exists(batch_journal.claim.key) == 0
    assert recording.recover_stale(campaign=campaign, task_id=task_id) == Counter()  # nothing left to recover


def test_a_claim_whose_journal_was_lost_is_unknown_whole_and_counted(api, settings):
    settings.TASK_STALE_AFTER_SECONDS = 0
    campaign, task_id, _, _ = dead_sender(api, 4, journaled=False)
    assert recording.recover_stale(campaign=campaign, task_id=task_id) == Counter({"unknown": 4})
    assert set(statuses(campaign).values()) == {"unknown"}
    assert set(Message.objects.filter(campaign=campaign).values_list("smtp_response", flat=True)) == {
        journal.JOURNAL_LOST.response
    }
    stats = campaign_stats([campaign.pk])[campaign.pk]
    assert (stats["unknown"], stats["journalLost"]) == (4, 4)


def test_without_redis_there_is_no_journal_and_nothing_is_counted_lost(api, settings):
    settings.TASK_STALE_AFTER_SECONDS = 0
    campaign, task_id, _, _ = dead_sender(api, 2, journaled=False)
    settings.REDIS_URL = None
    assert recording.recover_stale(campaign=campaign, task_id=task_id) == Counter({"unknown": 2})
    assert campaign_stats([campaign.pk])[campaign.pk]["journalLost"] == 0


def test_recovery_waits_while_redis_cannot_answer(api, settings):
    settings.TASK_STALE_AFTER_SECONDS = 0
    campaign, task_id, _, _ = dead_sender(api, 2)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    with pytest.raises(redis.RedisError):
        recording.recover_stale(campaign=campaign, task_id=task_id)
    assert set(statuses(campaign).values()) == {"sending"}


def test_a_young_claim_is_left_to_its_live_sender(api, settings):
    settings.TASK_STALE_AFTER_SECONDS = 60
    campaign, task_id, _, batch_journal = dead_sender(api, 2)
    assert recording.recover_stale(campaign=campaign, task_id=task_id) == Counter()
    assert batch_journal.confirm() and redis_client().exists(batch_journal.claim.key) == 1


def test_the_sweeper_recovers_the_batch_of_a_paused_campaign_whose_sender_died(api, settings):
    settings.TASK_STALE_AFTER_SECONDS = 0
    campaign, task_id, batch, batch_journal = dead_sender(api, 3)
    batch_journal.announce([1], [Outcome("sent", 250, "ok"), None])
    batch_journal.confirm()
    Task.objects.filter(pk=task_id).update(status="paused", heartbeat_at=F("heartbeat_at") - timedelta(hours=1))
    recover_round()
    address = [row.to_email for row in batch]
    assert statuses(campaign) == {address[0]: "sent", address[1]: "unknown", address[2]: "queued"}
