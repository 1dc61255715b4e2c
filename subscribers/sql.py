"""Plain SQL of the subscribers app: every statement of the hot paths (subscribe, create, list pages, imports),
with table names from the models. Each text is the one benchmarked: change it only with its plan in view."""

from django.db import connection

from api.sql import placeholders
from subscribers.models import Consent, Membership, Subscriber, Suppression

SUBSCRIBER = Subscriber._meta.db_table
MEMBERSHIP = Membership._meta.db_table
SUPPRESSION = Suppression._meta.db_table
CONSENT = Consent._meta.db_table

# The lists a subscriber belongs to: the subquery of lists' members counter (lists.services.lists_members_add).
LISTS_OF_SUBSCRIBER = f"SELECT list_id FROM {MEMBERSHIP} WHERE subscriber_id = %s"

_INSERT_FIELDS = [field for field in Subscriber._meta.concrete_fields if not field.primary_key]
_INSERT = (
    f"INSERT INTO {SUBSCRIBER} ({', '.join(f.column for f in _INSERT_FIELDS)}) "
    f"VALUES ({placeholders(_INSERT_FIELDS)}) "
    "ON CONFLICT (account_id, email_md5) DO NOTHING RETURNING id"
)

# The status is tested by a subquery per membership, not by a join condition: the plan then walks the list's
# memberships in index order and stops at the page, whatever the tables' sizes. (As a join, on small tables
# PostgreSQL hashed every subscriber of every account: 18 ms instead of 3 at offset 1,000.)
_LIST_PAGE = (
    f"SELECT m.subscriber_id, s.email, s.email_md5, s.status FROM {MEMBERSHIP} m "
    f"JOIN {SUBSCRIBER} s ON s.id = m.subscriber_id "
    f"WHERE m.list_id = %s AND (SELECT u.status FROM {SUBSCRIBER} u "
    "WHERE u.id = m.subscriber_id LIMIT 1) = %s ORDER BY m.id {order} LIMIT %s OFFSET %s"
)
_LIST_PAGE_BY_ORDER = {order: _LIST_PAGE.format(order=order) for order in ("ASC", "DESC")}

# A field's values, out of every subscriber of the account that has one: PostgreSQL's jsonb, SQLite's JSON.
_DROP_FIELD = {
    "postgresql": f"UPDATE {SUBSCRIBER} SET fields = fields - %s WHERE account_id = %s AND fields ? %s",
    "sqlite": f"UPDATE {SUBSCRIBER} SET fields = json_remove(fields, %s) "
    "WHERE account_id = %s AND json_type(fields, %s) IS NOT NULL",
}


def _execute(sql: str, params) -> list[tuple] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def is_suppressed(account_id: int, email_md5: str) -> bool:
    return bool(
        _execute(f"SELECT 1 FROM {SUPPRESSION} WHERE account_id = %s AND email_md5 = %s", [account_id, email_md5])
    )


# Who an address is to an account: its subscriber (id, status), if any, and whether it is suppressed.
_RECIPIENT = (
    f"SELECT s.id, s.status, EXISTS (SELECT 1 FROM {SUPPRESSION} p WHERE p.account_id = %s "
    f"AND p.email_md5 = %s) FROM (SELECT 1) AS one LEFT JOIN {SUBSCRIBER} s "
    "ON s.account_id = %s AND s.email_md5 = %s"
)


def recipient(account_id: int, email_md5: str) -> tuple:
    return _execute(_RECIPIENT, [account_id, email_md5, account_id, email_md5])[0]


def insert_subscriber(subscriber: Subscriber) -> int | None:
    """Insert the unsaved ``subscriber`` unless its address exists: its new id, or None."""
    values = [field.get_db_prep_save(field.pre_save(subscriber, True), connection) for field in _INSERT_FIELDS]
    rows = _execute(_INSERT, values)
    return rows[0][0] if rows else None


def insert_membership(list_id: int, subscriber_id: int, at) -> None:
    _execute(
        f"INSERT INTO {MEMBERSHIP} (list_id, subscriber_id, created_at) VALUES (%s, %s, %s)",
        [list_id, subscriber_id, at],
    )


def insert_consent(list_id: int, subscriber_id: int, consent, at, *, double_opt_in: bool) -> None:
    """The consent record of a membership just made, unless the pair has one (a confirmed request's)."""
    _execute(
        f"INSERT INTO {CONSENT} (list_id, subscriber_id, source, created_at, ip, user_agent, double_opt_in, sends) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, 0) ON CONFLICT (list_id, subscriber_id) DO NOTHING",
        [list_id, subscriber_id, consent.source, at, consent.ip, consent.user_agent, double_opt_in],
    )


# Pending consents (double opt-in, unconfirmed) lapsed: their last email went before the cutoff, or none went
# and they were asked before it. On the partial index of pending rows (consent_pending_sent).
_EXPIRE_PENDING = f"""
DELETE FROM {CONSENT} WHERE id IN (
    SELECT id FROM {CONSENT}
    WHERE double_opt_in AND confirmed_at IS NULL
      AND (sent_at < %(before)s OR (sent_at IS NULL AND created_at < %(before)s))
    LIMIT %(limit)s)
"""


def expire_pending(before, limit: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_EXPIRE_PENDING, {"before": before, "limit": limit})
        return cursor.rowcount


def list_page(list_id: int, status: str, limit: int, offset: int, *, backwards: bool) -> list[tuple]:
    """(id, email, email_md5, status) of the list's members in ``status``, in the order they joined (or its
    reverse), ``limit`` after ``offset``."""
    return _execute(_LIST_PAGE_BY_ORDER["DESC" if backwards else "ASC"], [list_id, status, limit, offset])


def memberships_of(subscriber_ids: list[int]) -> list[tuple]:
    """(subscriber id, list id) of each membership of ``subscriber_ids``, by list id."""
    return _execute(
        f"SELECT subscriber_id, list_id FROM {MEMBERSHIP} "
        f"WHERE subscriber_id IN ({placeholders(subscriber_ids)}) ORDER BY list_id",
        subscriber_ids,
    )


def drop_field(account_id: int, name: str) -> None:
    if connection.vendor == "postgresql":
        _execute(_DROP_FIELD["postgresql"], [name, account_id, name])
    else:
        path = f'$."{name}"'
        _execute(_DROP_FIELD["sqlite"], [path, account_id, path])


# Imports (subscribers.bulk, PostgreSQL): a chunk is COPYed into a temporary staging table, then one statement
# upserts the subscribers and adds the memberships, returning what happened to each row.
STAGE = """
CREATE TEMP TABLE IF NOT EXISTS import_stage (email text, email_md5 text, fields jsonb)
ON COMMIT DELETE ROWS
"""
COPY_STAGE = "COPY import_stage (email, email_md5, fields) FROM STDIN"
EMPTY_STAGE = "TRUNCATE import_stage"
# The chunk commits with its checkpoint: if a crash loses this commit, the resumed run redoes the chunk, so
# waiting for the WAL flush buys nothing; and the chunk's sorts stay in memory. No JIT: the statement's estimates
# (an unanalyzed staging table) cross the JIT threshold, and compiling it cost ~50 ms a chunk for nothing.
IMPORT_SETTINGS = ("SET LOCAL synchronous_commit TO off", "SET LOCAL work_mem TO '64MB'", "SET LOCAL jit TO off")

# Rows whose subscriber exists with the same values are not rewritten (a re-import of an unchanged file writes
# no subscriber): they are only locked against deletion (FOR KEY SHARE, which no import's update waits for)
# while their memberships are added. The others are inserted, or updated where the values change.
_UPSERTED = f"""
WITH unchanged AS (
    SELECT s.id, s.email_md5, s.status FROM {SUBSCRIBER} s JOIN import_stage st ON st.email_md5 = s.email_md5
    WHERE s.account_id = %(account)s
      -- an index probe per staged address, whatever the planner thinks of the account's size
      AND s.email_md5 = ANY(ARRAY(SELECT email_md5 FROM import_stage))
      AND s.status <> ALL(%(suppressed)s) AND s.fields || st.fields = s.fields
    FOR KEY SHARE OF s
), written AS (
    INSERT INTO {SUBSCRIBER} AS s
        (account_id, email, email_md5, status, fields, created_at, updated_at)
    SELECT %(account)s, email, email_md5, 'active', fields, now(), now() FROM import_stage st
    WHERE NOT EXISTS (SELECT 1 FROM unchanged k WHERE k.email_md5 = st.email_md5)
    ORDER BY email_md5  -- one lock order for every import: concurrent imports cannot deadlock
    ON CONFLICT (account_id, email_md5) DO UPDATE
        SET fields = s.fields || EXCLUDED.fields, updated_at = EXCLUDED.updated_at
        WHERE s.status <> ALL(%(suppressed)s)
    RETURNING s.id, s.email_md5, (s.xmax = 0) AS inserted, s.status
), upserted AS (  -- changed: an existing subscriber whose fields the row changed (subscriber.updated)
    SELECT id, email_md5, inserted, status, NOT inserted AS changed FROM written
    UNION ALL SELECT id, email_md5, false, status, false FROM unchanged
)"""
_CONSENT_COLUMNS = "(list_id, subscriber_id, source, created_at, ip, user_agent, double_opt_in, sends)"
_CONSENT_VALUES = "%(list)s, {id}, 'import', now(), %(ip)s::inet, %(agent)s::varchar, {double}, 0"

# The memberships, each with its consent record (source import, the submitting request's IP and user agent).
UPSERT = f"""{_UPSERTED}, joined AS (
    INSERT INTO {MEMBERSHIP} (list_id, subscriber_id, created_at)
    SELECT %(list)s, id, now() FROM upserted
    ON CONFLICT (list_id, subscriber_id) DO NOTHING
    RETURNING subscriber_id
), consented AS (
    INSERT INTO {CONSENT} {_CONSENT_COLUMNS}
    SELECT {_CONSENT_VALUES.format(id="subscriber_id", double="false")} FROM joined
    ON CONFLICT (list_id, subscriber_id) DO NOTHING
)
SELECT u.email_md5, u.inserted, u.status, j.subscriber_id IS NOT NULL, u.changed
FROM upserted u LEFT JOIN joined j ON j.subscriber_id = u.id
"""

# A double opt-in import: no membership, a pending consent (its confirmation due: sent_at NULL) for each row
# that is neither a member nor pending already; the last column says which rows became pending.
UPSERT_PENDING = f"""{_UPSERTED}, pending AS (
    INSERT INTO {CONSENT} {_CONSENT_COLUMNS}
    SELECT {_CONSENT_VALUES.format(id="u.id", double="true")} FROM upserted u
    WHERE NOT EXISTS (SELECT 1 FROM {MEMBERSHIP} m WHERE m.list_id = %(list)s AND m.subscriber_id = u.id)
    ON CONFLICT (list_id, subscriber_id) DO NOTHING
    RETURNING subscriber_id
)
SELECT u.email_md5, u.inserted, u.status, p.subscriber_id IS NOT NULL, u.changed
FROM upserted u LEFT JOIN pending p ON p.subscriber_id = u.id
"""

# The same outcome, written another way (subscribers.bulk runs it unless the previous chunk changed most of its
# rows): the chunk's addresses the account has are found first (an index probe per staged address), and the
# others are inserted without ON CONFLICT, and so are their memberships and consent records (a new subscriber has
# none). A speculative insertion costs a probe and a WAL record more a row: this statement spends 25 % less
# PostgreSQL CPU on a new row, 10 % less on an unchanged one and 5-10 % more on a changed one
# (bench/import_parts.py). An address another transaction inserts between the probe and the insert fails the
# statement on the unique index: the writer runs it again in a savepoint, and the probe then finds that
# subscriber. Unchanged subscribers that gain a membership are locked against deletion meanwhile, as above;
# those already members are not locked at all.
_FRESH_UPSERTED = f"""
WITH existing AS MATERIALIZED (
    SELECT s.id, s.email_md5, s.status,
        s.status <> ALL(%(suppressed)s) AND s.fields || st.fields = s.fields AS same,
        -- a scalar subquery: an index probe per row (as EXISTS, the plan may hash the whole list every chunk)
        (SELECT true FROM {MEMBERSHIP} m WHERE m.list_id = %(list)s AND m.subscriber_id = s.id) IS NOT NULL AS member
    FROM {SUBSCRIBER} s JOIN import_stage st ON st.email_md5 = s.email_md5
    WHERE s.account_id = %(account)s AND s.email_md5 = ANY(ARRAY(SELECT email_md5 FROM import_stage))
), held AS (
    SELECT s.id, s.email_md5, s.status FROM {SUBSCRIBER} s
    WHERE s.id = ANY(ARRAY(SELECT id FROM existing WHERE same AND NOT member)) AND s.status <> ALL(%(suppressed)s)
    FOR KEY SHARE OF s
), fresh AS (
    INSERT INTO {SUBSCRIBER} (account_id, email, email_md5, status, fields, created_at, updated_at)
    SELECT %(account)s, email, email_md5, 'active', fields, now(), now() FROM import_stage st
    WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.email_md5 = st.email_md5)
    ORDER BY email_md5  -- one lock order for every import: concurrent imports cannot deadlock
    RETURNING id, email_md5
), written AS (
    INSERT INTO {SUBSCRIBER} AS s
        (account_id, email, email_md5, status, fields, created_at, updated_at)
    SELECT %(account)s, st.email, st.email_md5, 'active', st.fields, now(), now()
    FROM import_stage st JOIN existing e ON e.email_md5 = st.email_md5
    WHERE NOT e.same
    ORDER BY st.email_md5
    ON CONFLICT (account_id, email_md5) DO UPDATE
        SET fields = s.fields || EXCLUDED.fields, updated_at = EXCLUDED.updated_at
        WHERE s.status <> ALL(%(suppressed)s)
    RETURNING s.id, s.email_md5, (s.xmax = 0) AS inserted, s.status
), upserted AS (  -- changed: an existing subscriber whose fields the row changed (subscriber.updated)
    SELECT w.id, w.email_md5, w.inserted, w.status, NOT w.inserted AS changed, e.member
    FROM written w JOIN existing e ON e.email_md5 = w.email_md5
    UNION ALL SELECT id, email_md5, false, status, false, true FROM existing WHERE same AND member
    UNION ALL SELECT id, email_md5, false, status, false, false FROM held
)"""
UPSERT_FRESH = f"""{_FRESH_UPSERTED}, joined AS (
    INSERT INTO {MEMBERSHIP} (list_id, subscriber_id, created_at)
    SELECT %(list)s, id, now() FROM upserted WHERE NOT member
    ON CONFLICT (list_id, subscriber_id) DO NOTHING
    RETURNING subscriber_id
), consented AS (
    INSERT INTO {CONSENT} {_CONSENT_COLUMNS}
    SELECT {_CONSENT_VALUES.format(id="subscriber_id", double="false")} FROM joined
    ON CONFLICT (list_id, subscriber_id) DO NOTHING
), fresh_joined AS (
    INSERT INTO {MEMBERSHIP} (list_id, subscriber_id, created_at)
    SELECT %(list)s, id, now() FROM fresh
    RETURNING subscriber_id
), fresh_consented AS (
    INSERT INTO {CONSENT} {_CONSENT_COLUMNS}
    SELECT {_CONSENT_VALUES.format(id="subscriber_id", double="false")} FROM fresh_joined
)
SELECT email_md5, true, 'active', true, false FROM fresh
UNION ALL
SELECT u.email_md5, u.inserted, u.status, j.subscriber_id IS NOT NULL, u.changed
FROM upserted u LEFT JOIN joined j ON j.subscriber_id = u.id
"""

DROP_ERASED = f"""
DELETE FROM import_stage st USING {SUPPRESSION} x
WHERE x.account_id = %(account)s AND x.email_md5 = st.email_md5
RETURNING st.email_md5
"""
