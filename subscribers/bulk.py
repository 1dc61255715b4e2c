"""Set-based import of a chunk of subscribers into a list (PostgreSQL).

The chunk is COPYed into a temporary staging table, then one statement upserts
the subscribers and adds the memberships, returning what happened to each row.
Suppressed (unsubscribed, hard-bounced) subscribers are left untouched.
"""
import json
from collections import Counter

from django.db import connection

from subscribers.counters import status_counts_add
from subscribers.models import NEVER_OPEN, SUPPRESSED, Status, Subscriber
from subscribers.services import skip_outcome

class ListGone(RuntimeError):
    pass


STAGE = """
CREATE TEMP TABLE IF NOT EXISTS import_stage (email text, email_md5 text, fields jsonb)
ON COMMIT DELETE ROWS
"""

UPSERT = """
WITH upserted AS (
    INSERT INTO subscribers_subscriber AS s
        (account_id, email, email_md5, status, fields, created_at, updated_at)
    SELECT %(account)s, email, email_md5, 'active', fields, now(), now() FROM import_stage
    ORDER BY email_md5  -- one lock order for every import: concurrent imports cannot deadlock
    ON CONFLICT (account_id, email_md5) DO UPDATE
        SET fields = s.fields || EXCLUDED.fields, updated_at = EXCLUDED.updated_at
        WHERE s.status <> ALL(%(suppressed)s)
    RETURNING s.id, s.email_md5, (s.xmax = 0) AS inserted, s.status
), joined AS (
    INSERT INTO subscribers_membership (list_id, subscriber_id, created_at)
    SELECT %(list)s, id, now() FROM upserted
    ON CONFLICT (list_id, subscriber_id) DO NOTHING
    RETURNING subscriber_id
)
SELECT u.email_md5, u.inserted, u.status, j.subscriber_id IS NOT NULL
FROM upserted u LEFT JOIN joined j ON j.subscriber_id = u.id
"""

DROP_ERASED = """
DELETE FROM import_stage st USING subscribers_suppression x
WHERE x.account_id = %(account)s AND x.email_md5 = st.email_md5
RETURNING st.email_md5
"""


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def stage_rows(rows: list) -> bytes:
    """The chunk in COPY's text format: built by the import's reader thread, not the writer."""
    return "".join(
        f"{_copy_text(email.address)}\t{email.md5}\t{_copy_text(json.dumps(values, ensure_ascii=False))}\n"
        for email, values in rows).encode("utf-8")


def subscribers_import_chunk(*, account_id: int, list_id: int, rows: list, staged: bytes | None = None) -> Counter:
    """``rows``: (Email, values) pairs with distinct addresses. Returns outcome counts."""
    outcomes = Counter()
    if not rows:
        return outcomes
    with connection.cursor() as cursor:
        # The chunk commits with its checkpoint: if a crash loses this commit, the resumed run redoes
        # the chunk, so waiting for the WAL flush buys nothing.
        cursor.execute("SET LOCAL synchronous_commit TO off")
        cursor.execute("SET LOCAL work_mem TO '64MB'")  # the chunk's sorts stay in memory
        # Memberships have no foreign-key constraint: hold the list so it cannot be deleted meanwhile.
        cursor.execute("SELECT 1 FROM lists_list WHERE id = %s FOR KEY SHARE", [list_id])
        if cursor.fetchone() is None:
            raise ListGone(f"list {list_id} was deleted during the import")
        cursor.execute(STAGE)
        with cursor.cursor.copy("COPY import_stage (email, email_md5, fields) FROM STDIN") as copy:
            copy.write(staged if staged is not None else stage_rows(rows))
        cursor.execute(DROP_ERASED, {"account": account_id})  # erased addresses are skipped (subscribers/erasure.py)
        erased = {md5 for md5, in cursor.fetchall()}
        cursor.execute(UPSERT, {"account": account_id, "list": list_id,
                                "suppressed": [str(s) for s in SUPPRESSED]})
        written = cursor.fetchall()
        cursor.execute("TRUNCATE import_stage")
    new = joined_active = 0
    for _, inserted, status, joined in written:
        if inserted:
            new += 1
            outcomes["new"] += 1
        else:
            outcomes["updated" if joined else "alreadyInList"] += 1
        if joined and status == Status.ACTIVE:
            joined_active += 1
    if erased:
        outcomes["skippedUnsubscribed"] += len(erased)
    if len(written) + len(erased) < len(rows):
        untouched = {email.md5 for email, _ in rows} - {md5 for md5, *_ in written} - erased
        for status in Subscriber.objects.filter(account_id=account_id, email_md5__in=untouched) \
                .values_list("status", flat=True):
            outcomes[skip_outcome(status)] += 1
    if new:
        status_counts_add(account_id, Counter({Status.ACTIVE: new, NEVER_OPEN: new}))
    if joined_active:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE lists_list SET subscribers_count = subscribers_count + %s WHERE id = %s",
                           [joined_active, list_id])
    return outcomes
