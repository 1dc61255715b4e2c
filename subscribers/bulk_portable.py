"""Set-based import of a chunk of subscribers on the embedded default (SQLite), with the outcomes and side effects
of the PostgreSQL path (subscribers.bulk): a few statements per chunk instead of a dozen per row.

SQLite has one writer at a time and the import's transaction takes the write lock when it begins (the settings'
``transaction_mode``), so what the chunk reads first (who exists, who is a member) stays true until it commits.
Suppressed (unsubscribed, hard-bounced) subscribers are left untouched, erased addresses skipped, unchanged
subscribers not rewritten.
"""

import json
from collections import Counter
from itertools import islice

from django.db import connection
from django.utils import timezone

from lists.services import list_hold, list_members_add
from subscribers import events
from subscribers.bulk import ListGone
from subscribers.counters import status_counts_add
from subscribers.membership import ConsentRequest
from subscribers.models import (
    NEVER_OPEN,
    SUPPRESSED,
    Consent,
    ConsentSource,
    Membership,
    Status,
    Subscriber,
    Suppression,
)
from subscribers.services import skip_outcome

# Bound parameters per statement: well under SQLite's limit whatever its build.
BATCH = 500


def _batches(items: list, size: int = BATCH):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def subscribers_import_chunk_portable(
    *, account_id: int, list_id: int, rows: list, consent: ConsentRequest | None = None
) -> Counter:
    """``rows``: (Email, values) pairs with distinct addresses. Returns outcome counts (no double opt-in: that
    import goes row by row, through the services)."""
    outcomes = Counter()
    if not rows:
        return outcomes
    if not list_hold(list_id=list_id):
        raise ListGone(f"list {list_id} was deleted during the import")
    consent = consent or ConsentRequest(ConsentSource.IMPORT)
    wanted = {email.md5: (email, values) for email, values in rows}
    md5s = list(wanted)
    erased, existing = set(), {}
    for batch in _batches(md5s):
        erased.update(_erased(account_id, batch))
        existing.update(_existing(account_id, batch))
    now = timezone.now()
    created = [md5 for md5 in md5s if md5 not in erased and md5 not in existing]
    ids = _insert_new(account_id, [wanted[md5] for md5 in created], now)
    status_of = dict.fromkeys(created, Status.ACTIVE)
    changed, changed_md5s = [], []
    for md5, (subscriber_id, status, fields) in existing.items():
        if status in SUPPRESSED:
            outcomes[skip_outcome(status)] += 1
            continue
        ids[md5], status_of[md5] = subscriber_id, status
        merged = {**fields, **wanted[md5][1]}
        if merged != fields:
            changed.append((json.dumps(merged, ensure_ascii=False), now, subscriber_id))
            changed_md5s.append(md5)
    _update_fields(changed)
    joined = _join(list_id, ids, consent, now)
    outcomes["skippedUnsubscribed"] += len(erased)
    outcomes["new"] += len(created)
    for md5 in ids:
        if md5 not in existing:
            continue
        outcomes["updated" if md5 in joined else "alreadyInList"] += 1
    if created:
        status_counts_add(account_id, Counter({Status.ACTIVE: len(created), NEVER_OPEN: len(created)}))
        events.created_many(account_id, created, rows)
    events.updated_many(account_id, changed_md5s)
    list_members_add(list_id=list_id, delta=sum(1 for md5 in joined if status_of[md5] == Status.ACTIVE))
    return outcomes


def _erased(account_id: int, md5s: list[str]) -> list[str]:
    return list(
        Suppression.objects.filter(account_id=account_id, email_md5__in=md5s).values_list("email_md5", flat=True)
    )


def _existing(account_id: int, md5s: list[str]):
    for md5, subscriber_id, status, fields in Subscriber.objects.filter(
        account_id=account_id, email_md5__in=md5s
    ).values_list("email_md5", "id", "status", "fields"):
        yield md5, (subscriber_id, status, fields or {})


def _insert_new(account_id: int, new_rows: list, now) -> dict:
    """The new subscribers, inserted: their ids by MD5 (SQLite returns them from the insert)."""
    subscribers = [
        Subscriber(
            account_id=account_id,
            email=email.address,
            email_md5=email.md5,
            status=Status.ACTIVE,
            fields=values,
            created_at=now,
            updated_at=now,
        )
        for email, values in new_rows
    ]
    Subscriber.objects.bulk_create(subscribers, batch_size=BATCH)
    return {subscriber.email_md5: subscriber.pk for subscriber in subscribers}


_UPDATE_FIELDS = (
    f"UPDATE {Subscriber._meta.db_table} SET {Subscriber._meta.get_field('fields').column} = %s, "
    f"{Subscriber._meta.get_field('updated_at').column} = %s WHERE id = %s"
)


def _update_fields(changed: list[tuple]) -> None:
    if changed:
        with connection.cursor() as cursor:
            cursor.executemany(_UPDATE_FIELDS, changed)


def _join(list_id: int, ids: dict, consent: ConsentRequest, now) -> set[str]:
    """Memberships of the list for the subscribers not yet in it, each with its consent record (unless the
    pair has one already): the MD5s that joined."""
    members = set()
    by_id = {subscriber_id: md5 for md5, subscriber_id in ids.items()}
    for batch in _batches(list(by_id)):
        members.update(
            Membership.objects.filter(list_id=list_id, subscriber_id__in=batch).values_list("subscriber_id", flat=True)
        )
    joining = [subscriber_id for subscriber_id in by_id if subscriber_id not in members]
    Membership.objects.bulk_create(
        [Membership(list_id=list_id, subscriber_id=subscriber_id, created_at=now) for subscriber_id in joining],
        batch_size=BATCH,
    )
    Consent.objects.bulk_create(
        [
            Consent(
                list_id=list_id,
                subscriber_id=subscriber_id,
                source=consent.source,
                created_at=now,
                ip=consent.ip,
                user_agent=consent.user_agent,
                double_opt_in=False,
                sends=0,
            )
            for subscriber_id in joining
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return {by_id[subscriber_id] for subscriber_id in joining}
