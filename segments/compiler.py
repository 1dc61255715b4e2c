"""A condition tree (normalised by segments/conditions.py) → one SQL boolean over the subscribers table.

The expression names the table itself (``subscribers_subscriber.id``), never an alias, so it fits in a count,
in an ORM query (``RawSQL``) and in the campaign's recipients statement alike. Every value is a parameter
(``%s``, positional); table names come from the models. PostgreSQL is the target; the embedded SQLite gets
the same meaning through its JSON functions.

A field the account no longer has, or whose type no longer takes the operator (deleted and created again),
holds no value any more: its condition is false, ``isNotSet`` true.
"""

import datetime as dt

from campaigns.models import Event, EventType, Message, MessageStatus
from segments.conditions import FIELD_OPERATORS
from subscribers.models import Membership, Subscriber

T = Subscriber._meta.db_table
MESSAGE = Message._meta.db_table
EVENT = Event._meta.db_table
MEMBERSHIP = Membership._meta.db_table
LIKE_ESCAPE = "!"


class Dialect:
    """How a JSON member of ``fields`` is read: PostgreSQL's jsonb operators."""

    def key(self, name: str) -> str:
        return name

    def text(self) -> str:
        return f"({T}.fields ->> %s)"

    def number(self) -> tuple[str, int]:
        """The member as a number when it is one (else NULL); how many key parameters it takes."""
        return f"(CASE WHEN jsonb_typeof({T}.fields -> %s) = 'number' THEN ({T}.fields ->> %s)::numeric END)", 2

    def is_true(self) -> str:
        return f"(({T}.fields -> %s) = 'true'::jsonb)"

    def is_false(self) -> str:
        return f"(({T}.fields -> %s) = 'false'::jsonb)"

    def moment(self, value: dt.datetime):
        return value


class SqliteDialect(Dialect):
    def key(self, name: str) -> str:
        return '$."' + name + '"'  # a field name is letters, digits and _ (fields.views)

    def text(self) -> str:
        return f"json_extract({T}.fields, %s)"

    def number(self) -> tuple[str, int]:
        kind = f"json_type({T}.fields, %s)"
        return f"(CASE WHEN {kind} IN ('integer', 'real') THEN json_extract({T}.fields, %s) END)", 2

    def is_true(self) -> str:
        return f"(json_type({T}.fields, %s) = 'true')"

    def is_false(self) -> str:
        return f"(json_type({T}.fields, %s) = 'false')"

    def moment(self, value: dt.datetime):
        """As Django stores one in SQLite: naive UTC text, which compares as text."""
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def dialect_for(vendor: str) -> Dialect:
    return SqliteDialect() if vendor == "sqlite" else Dialect()


def _like(text: str) -> str:
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


class Compiler:
    def __init__(self, *, account_id: int, field_types: dict[str, str], vendor: str, now: dt.datetime):
        self.account_id, self.field_types, self.now = account_id, field_types, now
        self.dialect = dialect_for(vendor)

    def where(self, tree: dict) -> tuple[str, list]:
        """``(sql, params)`` true for the subscribers ``tree`` matches."""
        params: list = []
        return self._group(tree["match"], tree["conditions"], params), params

    def _group(self, match: str, conditions: list, params: list) -> str:
        joiner = " AND " if match == "all" else " OR "
        parts = [
            self._group(c["match"], c["conditions"], params) if "conditions" in c else self._leaf(c, params)
            for c in conditions
        ]
        return "(" + joiner.join(parts) + ")"

    def _leaf(self, condition: dict, params: list) -> str:
        return getattr(self, "_" + condition["kind"])(condition, params)

    def _field(self, condition: dict, params: list) -> str:
        name, operator, value = condition["field"], condition["operator"], condition.get("value")
        type_ = self.field_types.get(name)
        if type_ is None or operator not in FIELD_OPERATORS[type_]:
            return "TRUE" if operator == "isNotSet" else "FALSE"
        d, key = self.dialect, self.dialect.key(name)
        if operator in ("isSet", "isNotSet"):
            params.append(key)
            return f"({d.text()} IS {'NOT ' if operator == 'isSet' else ''}NULL)"
        if operator in ("isTrue", "isFalse"):
            params.append(key)
            return d.is_true() if operator == "isTrue" else d.is_false()
        if type_ == "number":
            expression, keys = d.number()
            params.extend([key] * keys)
            params.append(value)
            return f"({expression} {NUMBER_OPS[operator]} %s)"
        params.append(key)
        if type_ == "date":
            params.append(value)
            return f"({d.text()} {DATE_OPS[operator]} %s)"
        if type_ in ("gender", "country"):
            params.append(value)
            return f"({d.text()} = %s)"
        # Text compares case-insensitively.
        lowered = value.lower()
        if operator == "equals":
            params.append(lowered)
            return f"(lower({d.text()}) = %s)"
        pattern = _like(lowered) + "%"
        params.append(pattern if operator == "startsWith" else "%" + pattern)
        return f"(lower({d.text()}) LIKE %s ESCAPE '{LIKE_ESCAPE}')"

    def _status(self, condition: dict, params: list) -> str:
        params.append(condition["value"])
        return f"({T}.status {'=' if condition['operator'] == 'is' else '<>'} %s)"

    def _list(self, condition: dict, params: list) -> str:
        params.append(condition["listId"])
        exists = f"EXISTS (SELECT 1 FROM {MEMBERSHIP} ms WHERE ms.subscriber_id = {T}.id AND ms.list_id = %s)"
        return exists if condition["operator"] == "in" else f"(NOT {exists})"

    def _created(self, condition: dict, params: list) -> str:
        operator = condition["operator"]
        if operator == "inLastDays":
            params.append(self.dialect.moment(self.now - dt.timedelta(days=condition["days"])))
            return f"({T}.created_at >= %s)"
        params.append(self.dialect.moment(dt.datetime.fromisoformat(condition["value"])))
        return f"({T}.created_at {'<' if operator == 'before' else '>'} %s)"

    def _engagement(self, condition: dict, params: list) -> str:
        operator = condition["operator"]
        if operator == "neverOpened":
            return f"({T}.last_open_at IS NULL)"  # the never-open bucket: no email of any kind opened
        if operator == "openedInLastDays":
            # The subscriber's last open, kept on its row by every open: a column of the row the scan reads
            # anyway. Through the events it was a join of millions of rows for a 30-day window.
            params.append(self.dialect.moment(self.now - dt.timedelta(days=condition["days"])))
            return f"({T}.last_open_at >= %s)"
        if operator == "received":
            params.extend([condition["campaignId"], MessageStatus.SENT])
            return (
                f"({T}.id IN (SELECT m.subscriber_id FROM {MESSAGE} m "
                "WHERE m.campaign_id = %s AND m.status = %s AND m.subscriber_id IS NOT NULL))"
            )
        if operator == "clickedLink":
            params.extend([self.account_id, condition["campaignId"], EventType.CLICK, condition["url"]])
            where = "e.account_id = %s AND e.campaign_id = %s AND e.type = %s AND e.url = %s"
        else:  # clickedInLastDays: the account's recent clicks (index event_account_type_at)
            since = self.dialect.moment(self.now - dt.timedelta(days=condition["days"]))
            params.extend([self.account_id, EventType.CLICK, since])
            where = "e.account_id = %s AND e.type = %s AND e.at >= %s AND e.campaign_id IS NOT NULL"
        return (
            f"({T}.id IN (SELECT m.subscriber_id FROM {EVENT} e JOIN {MESSAGE} m ON m.id = e.message_id "
            f"WHERE {where} AND m.subscriber_id IS NOT NULL))"
        )


NUMBER_OPS = {"equals": "=", "greaterThan": ">", "lessThan": "<"}
DATE_OPS = {"before": "<", "after": ">", "on": "="}
