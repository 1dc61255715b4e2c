"""Contacts, the /api/v1 name of the account's subscribers: the collection's filters and sorts (their
representation is ``subscribers.representations.contact``)."""

import re

from api.query import choice, date_time
from api.v1 import Collection, Filter, Sort
from subscribers.field_indexes import FIELD_NAME, FieldText
from subscribers.models import NEVER_OPEN, STATUS_FILTERS, Status
from subscribers.search import address_starts_with


def _status(rows, status):
    if status == NEVER_OPEN:
        return rows.filter(status=Status.ACTIVE, last_open_at__isnull=True)
    return rows.filter(status=status)


def _list_id(raw: str) -> int:
    if not re.fullmatch(r"[0-9]{1,18}", raw) or int(raw) < 1:
        raise ValueError("must be a list id (a positive integer)")
    return int(raw)


def _prefix(raw: str) -> str:
    value = raw.strip().lower()
    if not value or len(value) > 254:
        raise ValueError("must be 1 to 254 characters")
    if value == "@":
        raise ValueError("must have text after @ (the start of a domain)")
    return value


def _field_value(pair: tuple[str, str]) -> tuple[str, str]:
    name, raw = pair
    if not FIELD_NAME.fullmatch(name):
        raise ValueError("names no valid field")
    return name, raw


def _by_field(rows, pair):
    name, value = pair
    # Compared as plain text (a bare key transform's `=` read the value as JSON on SQLite, which answered 500 for
    # `field.firstName=x`), in the expression an indexed field's index is built on (subscribers/field_indexes.py).
    return rows.alias(**{f"field_{name}": FieldText(name)}).filter(**{f"field_{name}": value})


CONTACTS = Collection(
    "contacts",
    sorts={"id": Sort("id", kind="int"), "createdAt": Sort("created_at", kind="datetime"), "email": Sort("email")},
    filters={
        "status": Filter(choice(STATUS_FILTERS), _status, "One of " + ", ".join(STATUS_FILTERS) + "."),
        "list": Filter(
            _list_id,
            # A join, not an EXISTS per subscriber: a page by id reads the memberships' (list, subscriber) index
            # in order (docs/benchmarks.md); one membership per (list, subscriber), so no row twice.
            lambda rows, list_id: rows.filter(memberships__list_id=list_id),
            "Members of this list (id), whatever their status.",
        ),
        "email": Filter(
            _prefix,
            address_starts_with,
            "Addresses starting with this text, or whose domain does (case-insensitive): `jane`, `jane.doe@ac`, "
            "`acme.`; `@acme.com` for the domain alone.",
        ),
        "created_after": Filter(
            date_time,
            lambda rows, at: rows.filter(created_at__gte=at),
            "Created at or after this ISO 8601 date or date-time.",
        ),
        "created_before": Filter(
            date_time,
            lambda rows, at: rows.filter(created_at__lt=at),
            "Created before this ISO 8601 date or date-time.",
        ),
        "field": Filter(
            _field_value,
            _by_field,
            "`field.<fieldName>=value`: the custom field's value, as text (numbers as written, booleans true/false).",
            prefix=True,
        ),
    },
)
