"""Set-based import of a chunk of subscribers into a list (PostgreSQL; the statements are in subscribers/sql.py).

The chunk is COPYed into a temporary staging table, then one statement upserts the subscribers and adds the
memberships, returning what happened to each row. Suppressed (unsubscribed, hard-bounced) subscribers are left
untouched, erased addresses skipped.
"""

from collections import Counter

from django.db import IntegrityError, connection, transaction
from psycopg.errors import UniqueViolation

from lists.services import list_hold, list_members_add
from subscribers import confirmations, events, sql
from subscribers.counters import status_counts_add
from subscribers.membership import ConsentRequest
from subscribers.models import NEVER_OPEN, SUPPRESSED, ConsentSource, Status, Subscriber
from subscribers.services import skip_outcome
from subscribers.staging import stage_rows

# Among the outcomes: existing subscribers whose fields the chunk changed (rewritten rows).
REWRITTEN = "rewritten"


class ListGone(RuntimeError):
    pass


def _upsert(cursor, statement: str, params: dict, attempts: int = 3) -> list[tuple]:
    """The chunk's statement, which inserts the addresses its probe did not find without ON CONFLICT: an address
    another transaction inserted meanwhile fails it on the unique index. It is then run again (in a savepoint,
    so the chunk's transaction goes on), and its probe finds that subscriber."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                cursor.execute(statement, params)
                return cursor.fetchall()
        except IntegrityError as exc:
            if attempt == attempts or not isinstance(exc.__cause__, UniqueViolation):
                raise
    raise AssertionError("unreachable")


def subscribers_import_chunk(
    *,
    account_id: int,
    list_id: int,
    rows: list,
    staged: bytes | None = None,
    double_opt_in: bool = False,
    consent: ConsentRequest | None = None,
    rewrites: bool = False,
) -> Counter:
    """``rows``: (Email, values) pairs with distinct addresses. Returns outcome counts.

    Each membership gets its consent record (source import, ``consent``'s IP and user agent) in the same
    statement. ``double_opt_in``: no membership, a pending consent instead (outcome ``pending``), whose
    confirmation email the registered sender is told is due (queued in bulk after the commit).

    ``rewrites``: the chunk is expected to change most of its rows' fields (the import's previous chunk did),
    which the general statement writes faster; the other is faster for new and unchanged rows
    (subscribers/sql.py). Either gives any chunk the same outcome, whose ``REWRITTEN`` count tells the next."""
    outcomes = Counter()
    if not rows:
        return outcomes
    with connection.cursor() as cursor:
        for setting in sql.IMPORT_SETTINGS:
            cursor.execute(setting)
        # Memberships have no foreign-key constraint: hold the list so it cannot be deleted meanwhile.
        if not list_hold(list_id=list_id):
            raise ListGone(f"list {list_id} was deleted during the import")
        cursor.execute(sql.STAGE)
        with cursor.cursor.copy(sql.COPY_STAGE) as copy:
            copy.write(staged if staged is not None else stage_rows(rows))
        cursor.execute(sql.DROP_ERASED, {"account": account_id})  # erased addresses (subscribers/erasure.py)
        erased = {md5 for (md5,) in cursor.fetchall()}
        consent = consent or ConsentRequest(ConsentSource.IMPORT)
        written = _upsert(
            cursor,
            sql.UPSERT_PENDING if double_opt_in else sql.UPSERT if rewrites else sql.UPSERT_FRESH,
            {
                "account": account_id,
                "list": list_id,
                "suppressed": [str(s) for s in SUPPRESSED],
                "ip": consent.ip,
                "agent": consent.user_agent,
            },
        )
        cursor.execute(sql.EMPTY_STAGE)
    new = joined_active = 0
    created, changed = [], []
    for md5, inserted, status, joined, fields_changed in written:
        new += inserted
        if inserted:
            created.append(md5)
        elif fields_changed:
            changed.append(md5)
        if double_opt_in:
            outcomes["pending" if joined else "alreadyInList"] += 1
            continue
        if inserted:
            outcomes["new"] += 1
        else:
            outcomes["updated" if joined else "alreadyInList"] += 1
        if joined and status == Status.ACTIVE:
            joined_active += 1
    if erased:
        outcomes["skippedUnsubscribed"] += len(erased)
    if len(written) + len(erased) < len(rows):
        untouched = {email.md5 for email, _ in rows} - {md5 for md5, *_ in written} - erased
        for status in Subscriber.objects.filter(account_id=account_id, email_md5__in=untouched).values_list(
            "status", flat=True
        ):
            outcomes[skip_outcome(status)] += 1
    if new:
        status_counts_add(account_id, Counter({Status.ACTIVE: new, NEVER_OPEN: new}))
        events.created_many(account_id, created, rows)
    events.updated_many(account_id, changed)
    if changed:
        outcomes[REWRITTEN] = len(changed)  # not a result of the import: how the next chunk is written
    list_members_add(list_id=list_id, delta=joined_active)
    if outcomes["pending"]:
        confirmations.due(list_id)
    return outcomes
