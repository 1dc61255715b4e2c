"""PostgreSQL's two chunk statements (subscribers/sql.py): the general one (every insert ON CONFLICT), for chunks that
change most of their rows, and the other (plain inserts for the addresses its probe did not find). Both give every
kind of row the same outcome and leave the same rows; an address another transaction inserts between the probe and
the insert sends the second one through its savepoint again, with nothing lost or doubled."""

import threading

import psycopg
import pytest
from django.db import connection, transaction

from lists.models import MailingList
from subscribers.bulk import subscribers_import_chunk
from subscribers.emails import normalize_email
from subscribers.models import Consent, Membership, Subscriber
from tests.subscribers.builders import create_list, md5, set_status, subscribed, unsubscribe
from tests.tasks.builders import assert_list_counters_exact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's chunk statements"),
]

ROWS = [
    ("new@example.com", {"firstName": "New"}),  # new
    ("changed@example.com", {"firstName": "Changed"}),  # exists elsewhere, a field changes: joins
    ("same@example.com", {"firstName": "Same"}),  # exists elsewhere, nothing changes: joins, not rewritten
    ("member@example.com", {"firstName": "Member"}),  # already in the list, nothing changes
    ("member-changed@example.com", {"firstName": "Now"}),  # already in the list, a field changes
    ("gone@example.com", {"firstName": "Gone?"}),  # unsubscribed: untouched
    ("bounced@example.com", {}),  # hard-bounced: untouched
]
# "rewritten" is not a result of the import: the writer's count of changed subscribers (subscribers.bulk.REWRITTEN).
OUTCOMES = {"new": 1, "updated": 2, "alreadyInList": 2, "skippedUnsubscribed": 1, "skippedBounced": 1, "rewritten": 2}


@pytest.fixture
def target(api, owner):
    target, other = create_list(api, "Target"), create_list(api, "Other")
    subscribed(api, other, "changed@example.com", {"firstName": "Before"})
    subscribed(api, other, "same@example.com", {"firstName": "Same"})
    subscribed(api, target, "member@example.com", {"firstName": "Member"})
    subscribed(api, target, "member-changed@example.com", {"firstName": "Then"})
    subscribed(api, other, "gone@example.com", {"firstName": "Gone"})
    unsubscribe(api, md5("gone@example.com"))
    subscribed(api, other, "bounced@example.com")
    set_status(owner.account, md5("bounced@example.com"), "hard-bounce")
    return MailingList.objects.get(pk=target)


def _chunk(owner, target, rows, *, rewrites: bool):
    with transaction.atomic():
        return subscribers_import_chunk(
            account_id=owner.account.pk,
            list_id=target.pk,
            rows=[(normalize_email(email), fields) for email, fields in rows],
            rewrites=rewrites,
        )


def _state(owner, target):
    subscribers = {s.email: (s.status, s.fields) for s in Subscriber.objects.filter(account=owner.account)}
    members = set(Membership.objects.filter(list=target).values_list("subscriber__email", flat=True))
    consents = sorted(Consent.objects.filter(list=target).values_list("subscriber__email", "source"))
    return subscribers, members, consents


@pytest.mark.parametrize("rewrites", [True, False], ids=["general", "probe-first"])
def test_both_statements_give_each_kind_of_row_its_outcome(api, owner, target, rewrites):
    same_before = Subscriber.objects.get(email="same@example.com").updated_at
    assert dict(_chunk(owner, target, ROWS, rewrites=rewrites)) == OUTCOMES
    subscribers, members, consents = _state(owner, target)
    assert subscribers["new@example.com"] == ("active", {"firstName": "New"})
    assert subscribers["changed@example.com"] == ("active", {"firstName": "Changed"})
    assert subscribers["member-changed@example.com"] == ("active", {"firstName": "Now"})
    assert subscribers["gone@example.com"] == ("unsubscribed-by-admin", {"firstName": "Gone"})
    assert Subscriber.objects.get(email="same@example.com").updated_at == same_before  # not rewritten
    assert members == {
        "new@example.com",
        "changed@example.com",
        "same@example.com",
        "member@example.com",
        "member-changed@example.com",
    }
    joined = {"new@example.com", "changed@example.com", "same@example.com"}
    assert {email for email, source in consents if source == "import"} == joined
    # The same chunk again: nothing new, nothing rewritten, whichever statement runs it.
    before = _state(owner, target)
    again = _chunk(owner, target, ROWS, rewrites=not rewrites)
    assert dict(again) == {"alreadyInList": 5, "skippedUnsubscribed": 1, "skippedBounced": 1}
    assert _state(owner, target) == before
    assert_list_counters_exact(api, owner.account)


def test_an_address_inserted_meanwhile_sends_the_statement_through_its_savepoint_again(api, owner, target):
    """Another transaction inserts an address of the chunk after the statement's probe would have looked for it:
    the plain insert waits on the unique index, fails when the other commits, and the statement runs again."""
    inserted, committed = threading.Event(), threading.Event()
    dsn = connection.get_connection_params()
    account_id = owner.account.pk

    def other_writer():
        with psycopg.connect(**dsn) as other:
            other.execute(
                "INSERT INTO subscribers_subscriber (account_id, email, email_md5, status, fields, created_at, "
                "updated_at) VALUES (%s, 'race@example.com', %s, 'active', '{}', now(), now())",
                [account_id, md5("race@example.com")],
            )
            inserted.set()
            threading.Event().wait(1.0)  # the chunk's statement is now waiting on this row's index entry
            other.commit()
        committed.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert inserted.wait(10)
    rows = [("race@example.com", {"firstName": "Race"}), ("fresh@example.com", {})]
    outcomes = _chunk(owner, target, rows, rewrites=False)
    thread.join(10)
    assert committed.is_set()
    assert dict(outcomes) == {"new": 1, "updated": 1, "rewritten": 1}
    race = Subscriber.objects.filter(account=owner.account, email="race@example.com")
    assert race.count() == 1 and race.get().fields == {"firstName": "Race"}
    joined = Membership.objects.filter(list=target, subscriber__email__in=["race@example.com", "fresh@example.com"])
    assert joined.count() == 2
