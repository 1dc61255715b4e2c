from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import NamedTuple

from django.db.models import Count
from django.db.models.functions import TruncDate

from api.pagination import PageParams, page_slice, page_window
from api.problems import NOT_FOUND, ApiProblem
from api.query import invalid
from api.sql import fetch_one
from api.v1 import Page, Query, apply_filters, page_of
from fields.selectors import field_types
from subscribers import sql
from subscribers.contacts import CONTACTS
from subscribers.counters import subscriber_count
from subscribers.models import NEVER_OPEN, SUPPRESSED, UNSUBSCRIBED, Consent, Status, Subscriber
from subscribers.tally import created_count, member_count


def subscriber_find(*, account, email_md5: str) -> Subscriber | None:
    # Every subscriber read and write starts here.
    return fetch_one(Subscriber, "account_id = %s AND email_md5 = %s", [account.pk, email_md5.lower()])


def subscriber_get(*, account, email_md5: str) -> Subscriber:
    subscriber = subscriber_find(account=account, email_md5=email_md5)
    if subscriber is None:
        raise ApiProblem(NOT_FOUND, f"The account has no subscriber {email_md5}.")
    return subscriber


def subscriber_email(*, subscriber_id: int) -> str | None:
    return Subscriber.objects.filter(pk=subscriber_id).values_list("email", flat=True).first()


def subscriber_page(*, account, status: str | None, params: PageParams) -> tuple[list[Subscriber], int]:
    rows = Subscriber.objects.filter(account=account)
    if status == NEVER_OPEN:
        rows = rows.filter(status=Status.ACTIVE, last_open_at__isnull=True)
    elif status:
        rows = rows.filter(status=status)
    total = subscriber_count(account.pk, status)
    return page_slice(rows.order_by("id"), total, params), total


class SubscriberSummary(NamedTuple):
    """What a collection item shows of a subscriber: read without building a model instance per row."""

    pk: int
    email: str
    email_md5: str
    status: str


def list_subscriber_page(*, mailing_list, params: PageParams) -> tuple[list[SubscriberSummary], int]:
    """The list's active subscribers, in the order they joined (plain SQL: the ORM spent more building this query
    than running it)."""
    total = mailing_list.subscribers_count
    window = page_window(total, params)
    if window is None:
        return [], total
    rows = [
        SubscriberSummary(*row)
        for row in sql.list_page(
            mailing_list.pk, Status.ACTIVE, window.limit, window.offset, backwards=window.backwards
        )
    ]
    return (rows[::-1] if window.backwards else rows), total


def lists_of(subscribers: list[Subscriber] | list[SubscriberSummary]) -> dict[int, list[int]]:
    """subscriber id → its list ids, ascending, in one query.

    Asked by every subscriber read and page: plain SQL.
    """
    result = defaultdict(list)
    ids = [s.pk for s in subscribers]
    if not ids:
        return result
    for subscriber_id, list_id in sql.memberships_of(ids):
        result[subscriber_id].append(list_id)
    return result


def consents_of(subscribers) -> dict[int, list[Consent]]:
    """subscriber id → its consent records (memberships' and pending ones'), by list id, in one query."""
    result = defaultdict(list)
    ids = [s.pk for s in subscribers]
    if ids:
        for consent in Consent.objects.filter(subscriber_id__in=ids).order_by("list_id"):
            result[consent.subscriber_id].append(consent)
    return result


class Recipient(NamedTuple):
    """Who an address is to an account, for a message sent to it outside any campaign."""

    subscriber_id: int | None  # the account's subscriber with this address, if any
    suppressed: bool  # erased, or that subscriber unsubscribed or bounced: nothing may be sent to it


def recipient_of(*, account_id: int, email_md5: str) -> Recipient:
    """In one statement: asked by every single email (plain SQL, ``subscribers/sql.py``)."""
    subscriber_id, status, erased = sql.recipient(account_id, email_md5)
    return Recipient(subscriber_id, bool(erased) or status in SUPPRESSED)


def _check_field_filters(account, query) -> None:
    names = [name.partition(".")[2] for name in query.filters if name.startswith("field.")]
    if not names:
        return
    known = {name for name, _ in field_types(account=account)}
    for name in names:
        if name not in known:
            raise invalid(f"field.{name}", f"names no field of the account; fields: {', '.join(sorted(known))}")


CREATED = frozenset({"created_after", "created_before"})


def contact_page(*, account, query: Query) -> Page:
    """A page of /api/v1/contacts. Its total, exact: unfiltered or by status, from the status counters; by list,
    from the list's member count; by creation time, from the created days (subscribers/tally.py); by email or a
    field (their indexes), or a combination of filters, the rows are counted."""
    _check_field_filters(account, query)
    rows = apply_filters(Subscriber.objects.filter(account=account), CONTACTS, query)
    filters = query.filters
    count = None
    if filters.keys() <= {"status"}:
        count = partial(subscriber_count, account.pk, filters.get("status"))
    elif filters.keys() == {"list"}:
        count = partial(member_count, account.pk, filters["list"])
    elif filters.keys() <= CREATED:
        count = partial(
            created_count, account.pk, after=filters.get("created_after"), before=filters.get("created_before")
        )
    return page_of(rows, CONTACTS, query, count=count)


def subscriber_growth(*, account, start: date, end: date) -> dict[str, Counter]:
    """Per UTC day of ``start``…``end``: ``added``, the account's subscribers created that day, and
    ``unsubscribed``, those unsubscribed that day and still unsubscribed. Only rows that are still there count: an
    erased subscriber, or one who subscribed again, is not in it. Two queries: the first runs on the (account,
    created_at) index, the second reads only the account's unsubscribed rows (its (account, status) index)."""
    since = datetime.combine(start, time.min, UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, UTC)
    rows = Subscriber.objects.filter(account=account)
    found = {}
    for name, field, chosen in (
        ("added", "created_at", rows),
        ("unsubscribed", "unsubscribed_at", rows.filter(status__in=UNSUBSCRIBED)),
    ):
        per_day = (
            chosen.filter(**{f"{field}__gte": since, f"{field}__lt": until})
            .annotate(day=TruncDate(field))
            .values("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        found[name] = Counter(dict(per_day))
    return found
