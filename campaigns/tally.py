"""The messages' tally (``MessageTally``: an account's messages per status and campaign) and sent days
(``MessageSentDay``: per UTC day of ``sent_at``), exact, read by the filtered /api/v1/emails pages instead of a
``COUNT(*)``.

Why triggers, when the other counters are moved by the services (``api.counters``): a message's status changes
in a dozen places, most of them set-based SQL that does not know the rows' old statuses (a claim turns queued
rows into sending or skipped ones, a cancel turns queued and held ones into canceled ones, a provider's event
bounces a message in whatever status it was, a deleted campaign's messages move to no campaign). The triggers
(migrations campaigns 0010 and 0011) see every statement's rows before and after, in the statement's own
transaction: a rolled-back batch, a crashed sender, a retried job move nothing, and no path can forget to count.
A delete only decrements the rows it finds: a deleted account's go in its ``post_delete`` (after its messages),
and a flush (which fires SQLite's triggers) leaves none behind.

On PostgreSQL the tally moves once per statement (its transition tables, grouped: a few rows upserted in key
order, so two statements cannot deadlock on it); on SQLite once per row. Django remakes a SQLite table to alter
it, without its triggers: a migration that alters ``campaigns_message`` installs them again (``tests/campaigns/
test_tally.py`` checks they are there).
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from api.day_counts import count_between
from campaigns.models import Message, MessageSentDay, MessageTally

TRIGGERS = ("campaigns_message_tally_insert", "campaigns_message_tally_update", "campaigns_message_tally_delete")
# SQLite's own (one per row and per counter); PostgreSQL's function moves both counters.
SQLITE_TRIGGERS = (
    *TRIGGERS,
    "campaigns_message_sent_day_insert",
    "campaigns_message_sent_day_update",
    "campaigns_message_sent_day_delete",
)


def tally_read(account_id: int, *, statuses: Iterable[str] | None = None, campaign_id: int | None = None) -> int:
    """How many of the account's messages are in one of ``statuses`` (any when None), of ``campaign_id`` (any
    when None)."""
    rows = MessageTally.objects.filter(account_id=account_id)
    if statuses is not None:
        rows = rows.filter(status__in=list(statuses))
    if campaign_id is not None:
        rows = rows.filter(campaign_id=campaign_id)
    return rows.aggregate(n=Sum("count"))["n"] or 0


def sent_count(account_id: int, *, after: dt.datetime | None, before: dt.datetime | None) -> int:
    """How many of the account's messages were sent at or after ``after`` and before ``before`` (either open):
    the whole UTC days between from ``MessageSentDay``, the edges from the rows (on the (account, sent_at) index):
    api.day_counts."""
    rows = Message.objects.filter(account_id=account_id)
    days = MessageSentDay.objects.filter(account_id=account_id)
    return count_between(rows, "sent_at", days, after=after, before=before)


def tally_recount(*, account) -> None:
    """Repair: set the account's tally to what its messages hold (``manage.py recount_counters``), its messages
    locked meanwhile where the database can."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Message._meta.db_table} IN SHARE MODE")
        counts = (
            Message.objects.filter(account_id=account.pk)
            .values_list("status", "campaign_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        MessageTally.objects.filter(account_id=account.pk).delete()
        MessageTally.objects.bulk_create(
            MessageTally(account_id=account.pk, status=status, campaign_id=campaign or 0, count=n)
            for status, campaign, n in counts
        )
        days = (
            Message.objects.filter(account_id=account.pk, sent_at__isnull=False)
            .annotate(day=TruncDate("sent_at", tzinfo=dt.UTC))
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by()
        )
        MessageSentDay.objects.filter(account_id=account.pk).delete()
        MessageSentDay.objects.bulk_create(MessageSentDay(account_id=account.pk, day=day, count=n) for day, n in days)


def tally_forget_account(sender, instance, **kwargs) -> None:
    """A deleted account's tally goes after its messages (its ``post_delete``, in the deletion's transaction)."""
    MessageTally.objects.filter(account_id=instance.pk).delete()
    MessageSentDay.objects.filter(account_id=instance.pk).delete()


def triggers_expected() -> set[str]:
    return set(TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS)


def triggers_installed() -> set[str]:
    """The tally's triggers present in the database (``triggers_expected``, or the counters are not kept)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'campaigns_message'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'campaigns_message'")
        return {name for (name,) in cursor.fetchall()} & set(SQLITE_TRIGGERS)
