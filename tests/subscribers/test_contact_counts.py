"""The lists' member counts and the subscribers' created days (subscribers/tally.py) stay exactly ``COUNT(*)`` of
the rows: through the API, erasure, deletes of lists and accounts, imports, two writers at once, rollbacks; the
migration fills them from the rows already written and the repair recounts them; /api/v1/contacts pages filtered
by list or creation time read their totals from them, without a ``COUNT(*)``. (tests/conftest.py checks both after
every test as well; tests/test_embedded_sqlite.py runs this file on SQLite, whose triggers are its own.)"""

import io
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from lists.models import MailingList
from subscribers.models import MemberCount, Membership, Subscriber, SubscriberCreatedDay
from subscribers.tally import TRIGGERS, created_count, member_count, triggers_installed
from tests.factories import make_account
from tests.helpers import contact_counts_mismatches, insert_accounts, migrated_back_to, postgresql_only
from tests.subscribers.builders import Paths, create_list, md5, subscribed, unsubscribe
from tests.v1.builders import CONTACTS, contact

EVERY_TRIGGER = {name for names in TRIGGERS.values() for name in names}


def test_the_triggers_are_installed(db):
    assert triggers_installed() == EVERY_TRIGGER


def page(api, query: str) -> tuple[int, int]:
    """(total, the COUNT(*) statements it cost) of page 1 in offset mode."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{CONTACTS}?{query}")
    assert response.status_code == 200, response.content
    counts = sum("count(" in query["sql"].lower() for query in queries.captured_queries)
    return response.json()["total"], counts


def test_list_and_creation_filters_read_their_totals_from_the_counters(api, owner, other):
    news, promo = create_list(api, "News"), create_list(api, "Promo")
    for n in range(5):
        subscribed(api, news, f"n{n}@example.com")
    subscribed(api, promo, "n0@example.com", status=200)  # already a subscriber: joins
    subscribed(api, promo, "p@example.com")
    unsubscribe(api, md5("n1@example.com"))  # a member whatever their status
    assert page(api, f"list={news}") == (5, 0)
    assert page(api, f"list={promo}") == (2, 0)
    theirs = MailingList.objects.create(account=other.account, name="Theirs")
    MemberCount.objects.create(list=theirs, count=7)  # another account's list: none of this account's rows
    assert page(api, f"list={theirs.pk}") == (0, 0)
    MemberCount.objects.filter(list=theirs).delete()
    assert page(api, "created_after=2000-01-01") == (6, 0)
    assert page(api, "created_before=2000-01-01T00:00:00Z") == (0, 0)
    assert page(api, "created_after=2000-01-01&created_before=2100-01-01") == (6, 0)
    assert page(api, f"list={news}&status=active")[0] == 4  # a combination counts its rows
    api.delete(Paths(api.owner).membership(news, md5("n2@example.com")))
    api.delete(contact(md5("n3@example.com")))  # erased
    assert page(api, f"list={news}") == (3, 0)
    assert page(api, "created_after=2000-01-01") == (5, 0)
    assert contact_counts_mismatches() == {}


@pytest.mark.django_db(transaction=True)
def test_deletes_of_subscribers_lists_and_accounts():
    owner, other = make_account("owner@example.com").account, make_account("other@example.org").account
    lists = [
        MailingList.objects.create(account=account, name=name)
        for account, name in ((owner, "One"), (owner, "Two"), (other, "Theirs"))
    ]
    for n in range(4):
        for account, chosen in ((owner, lists[:2]), (other, lists[2:])):
            subscriber = Subscriber.objects.create(account=account, email=f"s{n}@example.com", email_md5=f"{n}")
            Membership.objects.bulk_create(
                Membership(list=chosen_list, subscriber=subscriber) for chosen_list in chosen
            )
    assert contact_counts_mismatches() == {}
    assert [member_count(owner.pk, lists[0].pk), member_count(other.pk, lists[2].pk)] == [4, 4]
    Subscriber.objects.filter(account=owner, email="s0@example.com").delete()  # its memberships go first
    assert contact_counts_mismatches() == {}
    assert member_count(owner.pk, lists[1].pk) == 3
    list_id = lists[0].pk
    lists[0].delete()
    assert contact_counts_mismatches() == {}
    assert not MemberCount.objects.filter(list_id=list_id).exists()
    Account.objects.get(pk=owner.pk).delete()
    assert contact_counts_mismatches() == {}
    assert not SubscriberCreatedDay.objects.filter(account_id=owner.pk).exists()
    assert not MemberCount.objects.filter(list_id=lists[1].pk).exists()
    assert member_count(other.pk, lists[2].pk) == 4
    assert created_count(other.pk, after=None, before=None) == 4


def test_two_writers_at_once_and_a_rollback_keep_them_exact(transactional_db):
    postgresql_only("SQLite writes one transaction at a time")
    owner = make_account("owner@example.com").account
    one, two = (MailingList.objects.create(account=owner, name=name) for name in ("One", "Two"))
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(account=owner, email=f"s{n}@example.com", email_md5=f"{n}") for n in range(200)
    )
    errors = []
    barrier = threading.Barrier(2)

    def writer(first, mine):
        try:
            barrier.wait()
            for start in range(0, len(mine), 10):  # both lists in each transaction (in one order, as the services)
                with transaction.atomic():
                    for chosen in (one, two):
                        Membership.objects.bulk_create(
                            Membership(list=chosen, subscriber=s) for s in mine[start : start + 10]
                        )
                    Membership.objects.filter(list=first, subscriber__in=mine[start : start + 3]).delete()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=(one, subscribers[:100])),
        threading.Thread(target=writer, args=(two, subscribers[100:])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    def rolled_back():
        with transaction.atomic():
            Membership.objects.filter(list=one).delete()
            Subscriber.objects.create(account=owner, email="late@example.com", email_md5="late")
            raise RuntimeError

    with pytest.raises(RuntimeError):  # a rolled-back statement moves nothing
        rolled_back()
    assert contact_counts_mismatches() == {}
    assert member_count(owner.pk, one.pk) == member_count(owner.pk, two.pk) == 200 - 30
    assert created_count(owner.pk, after=None, before=None) == 200


@pytest.mark.django_db(transaction=True)
def test_the_repair_recounts_from_the_rows():
    owner = make_account("owner@example.com").account
    mailing_list = MailingList.objects.create(account=owner, name="L")
    empty = MailingList.objects.create(account=owner, name="Empty")
    subscriber = Subscriber.objects.create(account=owner, email="s@example.com", email_md5="s")
    Membership.objects.create(list=mailing_list, subscriber=subscriber)
    MemberCount.objects.filter(list=mailing_list).update(count=99)
    MemberCount.objects.create(list=empty, count=3)
    SubscriberCreatedDay.objects.filter(account=owner).update(count=5)
    SubscriberCreatedDay.objects.create(account=owner, day="2001-01-01", count=2)
    assert contact_counts_mismatches() != {}
    call_command("recount_counters", stdout=io.StringIO())
    assert contact_counts_mismatches() == {}
    assert member_count(owner.pk, mailing_list.pk) == 1 and member_count(owner.pk, empty.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_counters_from_the_rows():
    postgresql_only("the rows are written with PostgreSQL's now() (tests.helpers.insert_accounts)")
    with migrated_back_to(("subscribers", "0006_consent_records_and_pending_memberships")) as cursor:
        one, two = insert_accounts(cursor, "one@example.com", "two@example.com")
        list_ids = []
        for account_id in (one, one, two):
            cursor.execute(
                "INSERT INTO lists_list (account_id, name, active, subscribers_count, created_at) "
                "VALUES (%s, 'L', false, 0, now()) RETURNING id",
                [account_id],
            )
            list_ids.append(cursor.fetchone()[0])
        for n, (account_id, created_at, lists) in enumerate(
            (
                (one, "2026-03-01 23:30:00+00", list_ids[:2]),
                (one, "2026-03-02 00:30:00+01", list_ids[:1]),  # 2026-03-01 in UTC
                (one, "2026-03-02 00:30:00+00", []),
                (two, "2026-03-02 12:00:00+00", list_ids[2:]),
            )
        ):
            cursor.execute(
                "INSERT INTO subscribers_subscriber (account_id, email, email_md5, status, fields, created_at, "
                "updated_at, soft_bounces) VALUES (%s, %s, %s, 'active', '{}', %s, now(), 0) RETURNING id",
                [account_id, f"s{n}@example.com", f"{n}", created_at],
            )
            subscriber_id = cursor.fetchone()[0]
            for list_id in lists:
                cursor.execute(
                    "INSERT INTO subscribers_membership (list_id, subscriber_id, created_at) VALUES (%s, %s, now())",
                    [list_id, subscriber_id],
                )
    assert triggers_installed() == EVERY_TRIGGER
    assert contact_counts_mismatches() == {}
    assert [member_count(one, list_ids[0]), member_count(one, list_ids[1]), member_count(two, list_ids[2])] == [2, 1, 1]
    days = dict(SubscriberCreatedDay.objects.filter(account_id=one).values_list("day", "count"))
    assert {str(day): n for day, n in days.items()} == {"2026-03-01": 2, "2026-03-02": 1}


def _subscribers_created_at(account_id: int, times: list[datetime]) -> None:
    """Subscribers written as an import writes them, in one statement, each with its ``created_at``."""
    values = ", ".join(["(%s, %s, %s, 'active', '{}', %s, %s, 0)"] * len(times))
    params = []
    for n, at in enumerate(times):
        at = connection.ops.adapt_datetimefield_value(at)
        params += [account_id, f"s{n}@example.com", f"md5-{n}", at, at]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO subscribers_subscriber (account_id, email, email_md5, status, fields, created_at, "
            f"updated_at, soft_bounces) VALUES {values}",
            params,
        )


@pytest.mark.django_db(transaction=True)
def test_created_days_count_any_range_exactly():
    owner = make_account("owner@example.com").account
    at = [
        datetime(2026, 3, 1, 23, 59, tzinfo=UTC),
        datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 18, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
    ]
    _subscribers_created_at(owner.pk, at)
    assert contact_counts_mismatches() == {}
    rows = Subscriber.objects.filter(account=owner)
    edges = [None, *at, *(t + timedelta(minutes=1) for t in at), datetime(2026, 3, 2, 13, tzinfo=UTC)]
    edges.append(datetime(2026, 3, 2, 5, tzinfo=timezone(timedelta(hours=-8))))  # 13:00 UTC
    for after in edges:
        for before in edges:
            expected = rows
            if after is not None:
                expected = expected.filter(created_at__gte=after)
            if before is not None:
                expected = expected.filter(created_at__lt=before)
            assert created_count(owner.pk, after=after, before=before) == expected.count(), (after, before)
    rows.filter(email="s1@example.com").delete()
    assert contact_counts_mismatches() == {}
