"""Each list's members, whatever their status (``MemberCount``), and each account's subscribers per UTC day of
creation (``SubscriberCreatedDay``), exact, read by the /api/v1/contacts pages filtered by ``list`` and by
``created_after`` / ``created_before`` instead of a ``COUNT(*)``.

Why triggers, as for the messages' tally (campaigns/tally.py), where the other counters are moved by the services
(``api.counters``): memberships and subscribers are written by the API, the admin, the preference page, double
opt-in confirmations, and imports' set-based statements (subscribers/sql.py, subscribers/bulk_portable.py) that
do not know which of their rows were inserted; they are deleted by erasure and by the cascades of a list's or an
account's deletion. The triggers (migration subscribers 0007) see every statement's rows in its own transaction:
a rolled-back chunk moves nothing, and no path can forget to count. ``created_at`` never changes (written once,
read-only in the admin, set by no update), so inserts and deletes are all the created days need; a membership
is never moved to another list. A deleted list's count goes in its ``post_delete`` (after its memberships), a
deleted account's days in its own.

On PostgreSQL the counters move once per statement (its transition tables, grouped: an import's chunk upserts
one or two counter rows, in key order, so two statements cannot deadlock on them); on SQLite once per row.
Django remakes a SQLite table to alter it, without its triggers: a migration that alters
``subscribers_subscriber`` or ``subscribers_membership`` installs them again (``tests/subscribers/
test_contact_counts.py`` checks they are there).
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate

from api.day_counts import count_between
from lists.selectors import list_ids_of
from subscribers.models import MemberCount, Membership, Subscriber, SubscriberCreatedDay

TRIGGERS = {
    "subscribers_membership": ("subscribers_membership_count_insert", "subscribers_membership_count_delete"),
    "subscribers_subscriber": ("subscribers_created_day_insert", "subscribers_created_day_delete"),
}


def member_count(account_id: int, list_id: int) -> int:
    """Every member of the account's list, whatever their status (0 when the list is not the account's)."""
    rows = MemberCount.objects.filter(list_id=list_id, list__account_id=account_id)
    return rows.values_list("count", flat=True).first() or 0


def created_count(account_id: int, *, after: dt.datetime | None, before: dt.datetime | None) -> int:
    """How many of the account's subscribers were created at or after ``after`` and before ``before`` (either
    open): the whole UTC days between from ``SubscriberCreatedDay``, the edges from the rows (on the (account,
    created_at, id) index): api.day_counts."""
    rows = Subscriber.objects.filter(account_id=account_id)
    days = SubscriberCreatedDay.objects.filter(account_id=account_id)
    return count_between(rows, "created_at", days, after=after, before=before)


def contact_counts_recount(*, account) -> None:
    """Repair: set the account's lists' member counts and its created days to what its rows hold (``manage.py
    recount_counters``), the rows locked meanwhile where the database can."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Membership._meta.db_table}, {Subscriber._meta.db_table} IN SHARE MODE")
        list_ids = [row["pk"] for row in list_ids_of(account_id=account.pk)]
        members = dict(
            Membership.objects.filter(list_id__in=list_ids).values_list("list_id").annotate(n=Count("id")).order_by()
        )
        MemberCount.objects.filter(list_id__in=list_ids).delete()
        MemberCount.objects.bulk_create(MemberCount(list_id=pk, count=members.get(pk, 0)) for pk in list_ids)
        days = (
            Subscriber.objects.filter(account_id=account.pk)
            .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by()
        )
        SubscriberCreatedDay.objects.filter(account_id=account.pk).delete()
        SubscriberCreatedDay.objects.bulk_create(
            SubscriberCreatedDay(account_id=account.pk, day=day, count=n) for day, n in days
        )


def member_count_forget_list(sender, instance, **kwargs) -> None:
    """A deleted list's count goes after its memberships (its ``post_delete``, in the deletion's transaction)."""
    MemberCount.objects.filter(list_id=instance.pk).delete()


def created_days_forget_account(sender, instance, **kwargs) -> None:
    """A deleted account's created days go after its subscribers (its ``post_delete``)."""
    SubscriberCreatedDay.objects.filter(account_id=instance.pk).delete()


def triggers_installed() -> set[str]:
    """The counters' triggers present in the database (all of ``TRIGGERS``, or the counters are not kept)."""
    expected = {name for names in TRIGGERS.values() for name in names}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid IN ('subscribers_membership'::regclass, "
                "'subscribers_subscriber'::regclass) AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('subscribers_membership', 'subscribers_subscriber')"
            )
        return {name for (name,) in cursor.fetchall()} & expected
