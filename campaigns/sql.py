"""The campaigns' plain SQL: the sender's hot statements, set-based (PostgreSQL), and the reads every campaign
page makes (either database).

Table names come from the models. Subscribers and memberships are read here (recipients are written once, and
claimed, in one statement each), never written.
"""

from api.sql import placeholders
from campaigns.models import Campaign, CampaignStat, Message
from subscribers.models import Membership, Subscriber

MESSAGE = Message._meta.db_table
STAT = CampaignStat._meta.db_table
SUBSCRIBER = Subscriber._meta.db_table
MEMBERSHIP = Membership._meta.db_table
CAMPAIGN_LISTS = Campaign.lists.through._meta.db_table
LIST_COLUMN = Campaign.lists.field.m2m_reverse_name()
CAMPAIGN_COLUMN = Campaign.lists.field.m2m_column_name()

# Once per campaign: a queued Message for every active subscriber of its lists.
RECIPIENTS = f"""
    INSERT INTO {MESSAGE} (account_id, campaign_id, subscriber_id, to_email, status, attempts,
                        smtp_response, created_at)
    SELECT s.account_id, %(campaign)s, s.id, s.email, 'queued', 0, '', %(now)s
    FROM {SUBSCRIBER} s
    WHERE s.account_id = %(account)s AND s.status = 'active' AND s.id IN (
        SELECT m.subscriber_id FROM {MEMBERSHIP} m
        WHERE m.list_id IN (SELECT l.{LIST_COLUMN} FROM {CAMPAIGN_LISTS} l WHERE l.{CAMPAIGN_COLUMN} = %(campaign)s))
    ORDER BY s.id
    ON CONFLICT (campaign_id, subscriber_id) DO NOTHING
"""

# With segments (campaigns/audience.py): the same rows for the subscribers ``where`` selects, a boolean over
# the subscribers table by its name (segments.compiler writes it so), its values positional parameters after
# the campaign, the time and the account.
LIST_MEMBERS = f"""{SUBSCRIBER}.id IN (
    SELECT m.subscriber_id FROM {MEMBERSHIP} m
    WHERE m.list_id IN (SELECT l.{LIST_COLUMN} FROM {CAMPAIGN_LISTS} l WHERE l.{CAMPAIGN_COLUMN} = %s))"""


def recipients_of(where: str) -> str:
    return f"""
        INSERT INTO {MESSAGE} (account_id, campaign_id, subscriber_id, to_email, status, attempts,
                            smtp_response, created_at)
        SELECT {SUBSCRIBER}.account_id, %s, {SUBSCRIBER}.id, {SUBSCRIBER}.email, 'queued', 0, '', %s
        FROM {SUBSCRIBER}
        WHERE {SUBSCRIBER}.account_id = %s AND {SUBSCRIBER}.status = 'active' AND {where}
        ORDER BY {SUBSCRIBER}.id
        ON CONFLICT (campaign_id, subscriber_id) DO NOTHING
    """


def active_count(where: str) -> str:
    """How many active subscribers of the account (the first parameter) ``where`` selects."""
    return (
        f"SELECT count(*) FROM {SUBSCRIBER} WHERE {SUBSCRIBER}.account_id = %s "
        f"AND {SUBSCRIBER}.status = 'active' AND {where}"
    )


# The next batch of due queued messages, locked past the other senders, committed as sending (skipped for
# subscribers no longer active).
CLAIM = f"""
    WITH batch AS (
        SELECT id, subscriber_id FROM {MESSAGE}
        WHERE campaign_id = %(campaign)s AND status = 'queued'
          AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
        ORDER BY id LIMIT %(size)s
        FOR UPDATE SKIP LOCKED)
    UPDATE {MESSAGE} m
    SET status = CASE WHEN s.status = 'active' THEN 'sending' ELSE 'skipped' END,
        attempts = m.attempts + CASE WHEN s.status = 'active' THEN 1 ELSE 0 END,
        to_email = COALESCE(s.email, m.to_email),
        claimed_at = %(now)s
    FROM batch b LEFT JOIN {SUBSCRIBER} s ON s.id = b.subscriber_id
    WHERE m.id = b.id
    RETURNING m.id, m.status, m.to_email, m.subscriber_id, m.attempts, s.fields, m.variant
"""

# A batch's outcomes, from arrays; only rows still sending are written.
UPDATE = f"""
    UPDATE {MESSAGE} m
    SET status = u.status, attempts = u.attempts, smtp_code = u.code, smtp_response = u.response,
        sent_at = u.sent_at, next_attempt_at = u.next_at,
        provider_id = CASE WHEN u.provider_id = '' THEN m.provider_id ELSE u.provider_id END
    FROM unnest(%s::bigint[], %s::varchar[], %s::int[], %s::int[], %s::varchar[], %s::timestamptz[],
                %s::timestamptz[], %s::varchar[]) AS u(id, status, attempts, code, response, sent_at, next_at,
                                                      provider_id)
    WHERE m.id = u.id AND m.status = 'sending'
    RETURNING m.id
"""

# The campaign's list ids, ascending (every campaign read).
LIST_IDS = f"SELECT {LIST_COLUMN} FROM {CAMPAIGN_LISTS} WHERE {CAMPAIGN_COLUMN} = %s ORDER BY {LIST_COLUMN}"


# An A/B campaign's per-variant counters ("B:uniqueOpens"; no campaign-wide metric has a colon).
VARIANT_STATS = f"SELECT metric, count FROM {STAT} WHERE campaign_id = %s AND metric LIKE '%%:%%'"


def stats_of(count: int) -> str:
    """The counters of ``count`` campaigns (their ids the parameters)."""
    return f"SELECT campaign_id, metric, count FROM {STAT} WHERE campaign_id IN ({placeholders(range(count))})"


# An A/B campaign's recipients, once written (all queued): in a random order, the first ``tested`` get the
# variants in turn (an even split), the rest are held for the winner.
AB_SPLIT = f"""
    WITH drawn AS (
        SELECT id, row_number() OVER (ORDER BY random()) - 1 AS n FROM {MESSAGE} WHERE campaign_id = %(campaign)s)
    UPDATE {MESSAGE}
    SET status = CASE WHEN drawn.n < %(tested)s THEN 'queued' ELSE 'held' END,
        variant = CASE WHEN drawn.n < %(tested)s THEN drawn.n %% %(variants)s END
    FROM drawn
    WHERE {MESSAGE}.id = drawn.id
"""
