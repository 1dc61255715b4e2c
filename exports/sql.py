"""The exports' statements: what one row of each kind of export holds, formatted by PostgreSQL itself.

Each export is one ``SELECT`` over the owner apps' tables (plain SQL may read them on a hot path: the names come
from their models), read in keyset pages of its key (the subscriber's or the message's id) and written by
``COPY … TO STDOUT (FORMAT csv)``: the database quotes the CSV and escapes formula-looking text
(``api.cells.sql_cell``, the rule of ``csv_cell``), so no row becomes a Python object on the way.
"""

from dataclasses import dataclass

from api.cells import csv_cell, sql_cell
from campaigns.models import Event, Message
from lists.models import MailingList
from subscribers.models import Consent, Membership, Subscriber

S = Subscriber._meta.db_table
MEMBERSHIP = Membership._meta.db_table
CONSENT = Consent._meta.db_table
LIST = MailingList._meta.db_table
MESSAGE = Message._meta.db_table
EVENT = Event._meta.db_table


def instant(expression: str) -> str:
    """An instant as ``2015-03-02T09:00:00+00:00`` (api.formats.iso, to the second); NULL stays empty."""
    return f"""to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')"""


def _plain(expression: str) -> str:
    return expression


@dataclass(frozen=True)
class Plan:
    """One export's statement in parts: ``scope`` (FROM … WHERE, without the joins that only add columns)
    selects the rows, ``joins`` adds what the columns read, ``key`` orders and pages them."""

    header: list[str]
    columns: list[str]
    scope_from: str
    joins: str
    where: str
    params: list
    key: str
    numeric: frozenset = frozenset()  # columns a workbook shows as numbers
    # Columns the scope joins equal to the key: each gets the page's bounds too, or a merge join would walk the
    # joined index from its start on every page.
    twins: tuple = ()

    def _range(self, bound: str) -> str:
        return "".join(f" AND {column} {bound}" for column in (self.key, *self.twins))

    def count(self) -> tuple[str, list]:
        return f"SELECT count(*) FROM {self.scope_from} WHERE {self.where}", self.params

    def bounds(self, after: int, size: int) -> tuple[str, list]:
        """How many rows the next page has, and its last key."""
        return (
            f"SELECT count(*), max(k) FROM (SELECT {self.key} AS k FROM {self.scope_from} "
            f"WHERE {self.where}{self._range('> %s')} ORDER BY {self.key} LIMIT %s) page",
            [*self.params, *[after] * (1 + len(self.twins)), size],
        )

    def rows(self, after: int, upto: int | None = None) -> tuple[str, list]:
        """The rows after ``after`` up to ``upto`` (all of them when None), in key order."""
        bounds = self._range("> %s") + ("" if upto is None else self._range("<= %s"))
        statement = (
            f"SELECT {', '.join(self.columns)} FROM {self.scope_from} {self.joins} "
            f"WHERE {self.where}{bounds} ORDER BY {self.key}"
        )
        copies = 1 + len(self.twins)
        return statement, [*self.params, *[after] * copies, *([] if upto is None else [upto] * copies)]

    def copy(self, after: int, upto: int | None = None) -> tuple[str, list]:
        statement, params = self.rows(after, upto)
        return f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", params

    def header_csv(self) -> bytes:
        return (",".join(_quoted(csv_cell(name)) for name in self.header) + "\n").encode("utf-8")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


# ------------------------------------------------------------------------------------------ subscribers

SUBSCRIBER_HEADER = ["emailAddress", "emailMd5", "status", "createdAt", "unsubscribedAt", "unsubscribeReason", "lists"]
ALL_CONSENTS_HEADER = ["consents"]
LIST_CONSENT_HEADER = [
    "consentSource",
    "consentAt",
    "consentIp",
    "consentUserAgent",
    "consentConfirmedAt",
    "consentConfirmIp",
    "consentConfirmUserAgent",
]
# The lists a subscriber is a member of, by name.
_LISTS = f"""LEFT JOIN LATERAL (
    SELECT string_agg(l.name, '; ' ORDER BY l.name) AS names
    FROM {MEMBERSHIP} ml JOIN {LIST} l ON l.id = ml.list_id WHERE ml.subscriber_id = {S}.id
) lists ON TRUE"""
# Every consent record of a subscriber, as the back office's CSV shows one (subscribers.admin.consent_line):
# list; state; source; asked; IP; user agent[; confirmed …; IP; user agent], " | " between records.
_CONSENTS = f"""LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws('; ',
        coalesce(l.name, c.list_id::text),
        CASE WHEN c.double_opt_in AND c.confirmed_at IS NULL THEN 'pending' ELSE 'active' END,
        c.source, {instant("c.created_at")}, coalesce(host(c.ip), ''), coalesce(c.user_agent, ''),
        CASE WHEN c.confirmed_at IS NOT NULL THEN concat_ws('; ', 'confirmed ' || {instant("c.confirmed_at")},
            coalesce(host(c.confirm_ip), ''), coalesce(c.confirm_user_agent, '')) END
    ), ' | ' ORDER BY c.list_id) AS records
    FROM {CONSENT} c LEFT JOIN {LIST} l ON l.id = c.list_id WHERE c.subscriber_id = {S}.id
) consents ON TRUE"""


def subscribers_plan(
    *,
    account_id: int,
    fields: list[str],
    list_id: int | None = None,
    status: str | None = None,
    segment: tuple[str, list] | None = None,
    escaped: bool = True,
) -> Plan:
    """The account's subscribers (of a list, with a status, matching a segment's compiled condition), one row
    each: address, status, times, lists, consent, then one column per field of the account."""
    cell = sql_cell if escaped else _plain
    columns = [
        cell(f"{S}.email"),
        f"{S}.email_md5",
        f"{S}.status",
        instant(f"{S}.created_at"),
        instant(f"{S}.unsubscribed_at"),
        cell(f"{S}.unsubscribe_reason"),
        cell("lists.names"),
    ]
    header = list(SUBSCRIBER_HEADER)
    scope_from, joins, where, params = S, _LISTS, [f"{S}.account_id = %s"], [account_id]
    if list_id is not None:
        scope_from = f"{S} JOIN {MEMBERSHIP} m ON m.subscriber_id = {S}.id AND m.list_id = {int(list_id)}"
        joins += (
            f" LEFT JOIN LATERAL (SELECT * FROM {CONSENT} c WHERE c.subscriber_id = {S}.id "
            f"AND c.list_id = {int(list_id)}) c ON TRUE"
        )
        header += LIST_CONSENT_HEADER
        columns += [
            "c.source",
            instant("c.created_at"),
            "host(c.ip)",
            cell("c.user_agent"),
            instant("c.confirmed_at"),
            "host(c.confirm_ip)",
            cell("c.confirm_user_agent"),
        ]
    else:
        joins += " " + _CONSENTS
        header += ALL_CONSENTS_HEADER
        columns.append(cell("consents.records"))
    if status is not None:
        where.append(f"{S}.status = %s")
        params.append(status)
    if segment is not None:
        condition, condition_params = segment
        where.append(f"COALESCE({condition}, FALSE)")  # NULL (a missing value) is no match
        params += condition_params
    for name in fields:  # names are letters, digits and _ (fields.views): safe in a literal
        header.append(name)
        columns.append(cell(f"({S}.fields ->> '{name}')"))
    twins = ("m.subscriber_id",) if list_id is not None else ()
    return Plan(header, columns, scope_from, joins, " AND ".join(where), params, f"{S}.id", twins=twins)


# ------------------------------------------------------------------------------------------ campaign reports

REPORT_HEADER = [
    "recipient",
    "status",
    "sentAt",
    "smtpCode",
    "smtpResponse",
    "opens",
    "clicks",
    "firstOpenAt",
    "firstClickAt",
    "bounce",
    "bounceAt",
    "bounceDetail",
    "complainedAt",
    "unsubscribedAt",
]
_BOUNCES = "e.type IN ('hard-bounce', 'soft-bounce')"
_EVENTS = f"""LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE e.type = 'open') AS opens,
           count(*) FILTER (WHERE e.type = 'click') AS clicks,
           min(e.at) FILTER (WHERE e.type = 'open') AS first_open,
           min(e.at) FILTER (WHERE e.type = 'click') AS first_click,
           max(e.at) FILTER (WHERE {_BOUNCES}) AS bounce_at,
           (array_agg(e.type ORDER BY e.at DESC) FILTER (WHERE {_BOUNCES}))[1] AS bounce,
           (array_agg(e.detail ORDER BY e.at DESC) FILTER (WHERE {_BOUNCES}))[1] AS bounce_detail,
           min(e.at) FILTER (WHERE e.type = 'complaint') AS complained,
           min(e.at) FILTER (WHERE e.type = 'unsubscribe') AS unsubscribed
    FROM {EVENT} e WHERE e.message_id = {MESSAGE}.id
) ev ON TRUE"""
# A bounce the SMTP server gave while sending is the message's own status and answer; a later one (a bounce
# report) is an event.
_SMTP_BOUNCE = f"{MESSAGE}.status IN ('hard-bounce', 'soft-bounce')"


def report_plan(*, account_id: int, campaign_id: int, escaped: bool = True) -> Plan:
    """One row per message of the campaign: its recipient, what happened when sending, and after."""
    cell = sql_cell if escaped else _plain
    columns = [
        cell(f"{MESSAGE}.to_email"),
        f"{MESSAGE}.status",
        instant(f"{MESSAGE}.sent_at"),
        f"{MESSAGE}.smtp_code",
        cell(f"{MESSAGE}.smtp_response"),
        "coalesce(ev.opens, 0)",
        "coalesce(ev.clicks, 0)",
        instant(f"coalesce(ev.first_open, {MESSAGE}.opened_at)"),
        instant(f"coalesce(ev.first_click, {MESSAGE}.clicked_at)"),
        f"coalesce(ev.bounce, CASE WHEN {_SMTP_BOUNCE} THEN {MESSAGE}.status END)",
        instant(f"coalesce(ev.bounce_at, CASE WHEN {_SMTP_BOUNCE} THEN {MESSAGE}.sent_at END)"),
        cell(f"coalesce(ev.bounce_detail, CASE WHEN {_SMTP_BOUNCE} THEN {MESSAGE}.smtp_response END)"),
        instant("ev.complained"),
        instant("ev.unsubscribed"),
    ]
    # The account's messages in id order: a campaign's rows were written together, so its pages are found
    # along the account's (account, id) index.
    where = f"{MESSAGE}.account_id = %s AND {MESSAGE}.campaign_id = %s"
    return Plan(
        list(REPORT_HEADER),
        columns,
        MESSAGE,
        _EVENTS,
        where,
        [account_id, campaign_id],
        f"{MESSAGE}.id",
        frozenset({"smtpCode", "opens", "clicks"}),
    )
