"""The messages' tally (campaigns/tally.py) stays exactly ``COUNT(*)`` of the messages per account, status and
campaign: under two writers at once, across rollbacks, after deletes of subscribers, campaigns and accounts; the
migration fills it from the messages already written; /api/v1/emails pages filtered by status or campaign read
their totals from it and agree with the rows. (tests/conftest.py checks the tally after every test as well.)"""

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from campaigns.models import Campaign, Message, MessageStatus, MessageTally
from campaigns.tally import sent_count, tally_read, tally_recount, triggers_expected, triggers_installed
from subscribers.models import Subscriber
from tests.campaigns.builders import create_campaign, send, sent_campaign, start
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.factories import make_account
from tests.helpers import insert_accounts, migrated_back_to, postgresql_only, tally_mismatches

EMAILS = "/api/v1/emails"


def test_the_triggers_are_installed(db):
    assert triggers_installed() == triggers_expected()


def total(api, query: str) -> int:
    response = api.get(f"{EMAILS}?{query}")
    assert response.status_code == 200, response.content
    return response.json()["total"]


def test_filtered_email_pages_read_exact_totals(api, owner, smtp_server):  # noqa: F811
    postgresql_only("a campaign is sent by in-process jobs, which SQLite's test transaction locks out")
    campaign_id, list_id, emails = sent_campaign(api, 4)
    other_campaign = create_campaign(api, [list_id])
    start(api, other_campaign)
    send()
    bounced = Message.objects.filter(campaign_id=campaign_id, to_email=emails[0])
    bounced.update(status=MessageStatus.HARD_BOUNCE)
    Message.objects.filter(campaign_id=campaign_id, to_email=emails[1]).update(status=MessageStatus.SOFT_BOUNCE)
    rows = Message.objects.filter(account=owner.account)
    for query, expected in (
        ("status=sent", rows.filter(status="sent").count()),
        ("status=bounced", 2),
        ("status=queued", 0),
        (f"campaign={campaign_id}", 4),
        (f"campaign={campaign_id}&status=sent", 2),
        (f"campaign={other_campaign}&status=bounced", 0),
        (f"campaign={other_campaign}", 4),
        ("campaign=999999", 0),
    ):
        assert total(api, query) == expected, query
    assert total(api, "status=sent") == 6
    # The total is the tally's: no COUNT(*) of the messages.
    with CaptureQueriesContext(connection) as captured:
        total(api, "status=sent&limit=1")
    assert not [q["sql"] for q in captured if "COUNT(" in q["sql"].upper() and 'campaigns_message"' in q["sql"]]


def _messages(account_id: int, count: int, status: str = "queued", campaign_id=None) -> list[int]:
    return [
        m.pk
        for m in Message.objects.bulk_create(
            Message(account_id=account_id, campaign_id=campaign_id, to_email=f"m{i}@example.com", status=status)
            for i in range(count)
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_and_a_rollback_keep_it_exact():
    postgresql_only("SQLite writes one transaction at a time")
    owner = make_account("owner@example.com").account
    ids = _messages(owner.pk, 400)
    errors = []
    barrier = threading.Barrier(2)

    def writer(mine: list[int], to: str):
        try:
            barrier.wait()
            for start in range(0, len(mine), 10):  # many small statements, interleaved with the other writer's
                with transaction.atomic():
                    Message.objects.filter(pk__in=mine[start : start + 10], status="queued").update(status="sending")
                    Message.objects.filter(pk__in=mine[start : start + 5]).update(status=to)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=(ids[:200], "sent")),
        threading.Thread(target=writer, args=(ids[200:], "hard-bounce")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    def rolled_back():
        with transaction.atomic():
            Message.objects.filter(pk__in=ids).update(status="unknown")
            raise RuntimeError

    with pytest.raises(RuntimeError):  # a rolled-back batch moves nothing
        rolled_back()
    assert tally_mismatches() == {}
    assert tally_read(owner.pk, statuses=["sent"]) == 100
    assert tally_read(owner.pk, statuses=["hard-bounce"]) == 100
    assert tally_read(owner.pk, statuses=["sending"]) == 200
    assert tally_read(owner.pk) == 400


@pytest.mark.django_db(transaction=True)
def test_deletes_of_subscribers_campaigns_and_accounts():
    owner, other = make_account("owner@example.com").account, make_account("other@example.org").account
    campaign = Campaign.objects.create(account=owner, name="C", subject="s", from_email="a@example.com")
    subscriber = Subscriber.objects.create(account=owner, email="s@example.com")
    Message.objects.create(account=owner, campaign=campaign, subscriber=subscriber, to_email="s@example.com")
    _messages(owner.pk, 3, "sent", campaign.pk)
    _messages(other.pk, 2, "sent")
    subscriber.delete()
    assert tally_mismatches() == {}
    campaign_id = campaign.pk
    campaign.delete()  # its messages stay, of no campaign
    assert tally_mismatches() == {}
    assert tally_read(owner.pk, campaign_id=campaign_id) == 0
    assert tally_read(owner.pk, campaign_id=0) == 4
    Account.objects.filter(pk=owner.pk).get().delete()
    assert tally_mismatches() == {}
    assert not MessageTally.objects.filter(account_id=owner.pk).exists()
    assert tally_read(other.pk, statuses=["sent"]) == 2


@pytest.mark.django_db(transaction=True)
def test_the_repair_recounts_from_the_rows():
    owner = make_account("owner@example.com").account
    _messages(owner.pk, 3, "sent")
    MessageTally.objects.filter(account_id=owner.pk).update(count=99)
    MessageTally.objects.create(account_id=owner.pk, status="held", campaign_id=5, count=7)
    tally_recount(account=owner)
    assert tally_mismatches() == {}


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_tally_from_the_messages():
    postgresql_only("the accounts are written with PostgreSQL's now() (tests.helpers.insert_accounts)")
    now = datetime.now(UTC)
    with migrated_back_to(("campaigns", "0009_message_provider_id")) as cursor:
        one, two = insert_accounts(cursor, "one@example.com", "two@example.com")
        for account_id, status, messages in ((one, "sent", 3), (one, "queued", 1), (two, "hard-bounce", 2)):
            for _ in range(messages):
                cursor.execute(
                    "INSERT INTO campaigns_message (account_id, to_email, status, attempts, smtp_response, "
                    "created_at, sent_at) VALUES (%s, 'x@example.com', %s, 1, '', %s, %s)",
                    [account_id, status, now, now],
                )
    assert triggers_installed() == triggers_expected()
    assert tally_mismatches() == {}
    assert tally_read(one, statuses=["sent"]) == 3 and tally_read(two) == 2


@pytest.mark.django_db(transaction=True)
def test_sent_days_count_any_range_exactly():
    owner = make_account("owner@example.com").account
    at = [
        datetime(2026, 3, 1, 23, 59, tzinfo=UTC),
        datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 18, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
    ]
    ids = _messages(owner.pk, len(at) + 1, "sent")  # one never sent
    for pk, sent_at in zip(ids, at, strict=False):
        Message.objects.filter(pk=pk).update(sent_at=sent_at)
    assert tally_mismatches() == {}
    rows = Message.objects.filter(account=owner)
    edges = [None, *at, *(t + timedelta(minutes=1) for t in at), datetime(2026, 3, 2, 13, tzinfo=UTC)]
    edges.append(datetime(2026, 3, 2, 5, tzinfo=timezone(timedelta(hours=-8))))  # 13:00 UTC
    for after in edges:
        for before in edges:
            expected = rows.filter(sent_at__isnull=False)
            if after is not None:
                expected = expected.filter(sent_at__gte=after)
            if before is not None:
                expected = expected.filter(sent_at__lt=before)
            assert sent_count(owner.pk, after=after, before=before) == expected.count(), (after, before)
    Message.objects.filter(pk=ids[0]).update(sent_at=None)  # moved out of its day
    Message.objects.filter(pk=ids[1]).delete()
    assert tally_mismatches() == {}
