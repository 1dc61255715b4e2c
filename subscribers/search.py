"""The back office's subscriber search: what a term typed in the search box finds, through an index wherever it can.

- ``name=value``: the subscribers whose field ``name`` holds ``value`` (as text, number or boolean);
- an MD5, or a term shorter than MIN_PART: that address exactly (through its MD5, as the API finds it);
- ``@acme``: the addresses whose domain starts with ``acme``;
- ``*doe``: the addresses that contain ``doe`` anywhere (reads every row: slow at a million subscribers);
- any other term: the addresses that start with it (``jane``, ``jane.doe@ac``) or whose domain does (``acme``).

At a million subscribers a trigram index would answer ``*doe`` from the index too, but it doubled the time of a
million-row import (docs/benchmarks.md); the start of an address is served by the (account, email, id) index and
the start of a domain by ``subscriber_domain_account``, one entry a row each.
"""

import re

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr

from accounts.models import Account
from subscribers.emails import email_md5
from subscribers.models import ADDRESS_DOMAIN

MD5 = re.compile(r"[0-9a-f]{32}")
MIN_PART = 3  # shorter parts match too much to be worth reading for
FIELD_TERM = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,49})\s*=\s*(.*)")
CONTAINS = "*"
DOMAIN = "@"

HELP_TEXT = (
    f"The start of an address or of its domain ({MIN_PART} characters or more: jane, jane.doe@ac, acme, @acme.com), "
    "a whole address, its MD5, a field's value (country=FR, income=52000, vip=true), or *doe for a part anywhere "
    "in the address (slower: it reads every row)."
)


def subscribers_search(queryset: QuerySet, term: str) -> QuerySet:
    term = term.strip()
    by_field = FIELD_TERM.fullmatch(term)
    if by_field:
        return queryset.filter(_field_is(*by_field.groups()))
    term = term.lower()
    if not term:
        return queryset
    if MD5.fullmatch(term):
        return queryset.filter(_in_every_account(), email_md5=term)
    if term.startswith(CONTAINS) and len(term) > MIN_PART:
        return queryset.filter(email__contains=term[1:])
    if len(term) < MIN_PART or (term.startswith((CONTAINS, DOMAIN)) and len(term) <= MIN_PART):
        return queryset.filter(_in_every_account(), email_md5=email_md5(term))
    return address_starts_with(queryset, term, accounts=_in_every_account())


def address_starts_with(queryset: QuerySet, prefix: str, *, accounts: Q | None = None) -> QuerySet:
    """The addresses that start with ``prefix`` (lowercase; ``%`` and ``_`` taken literally) or whose domain does:
    ``@acme.com`` the domain alone, a prefix with an "@" further on (``jane.doe@ac``) the address alone, any other
    (``jane``, ``acme.``) either. The back office's search and the ``email`` filter of /api/v1/contacts; each side
    is read from an index (the address's start from (account, email, id), the domain's from
    ``subscriber_domain_account`` on PostgreSQL). ``accounts``: a condition naming the accounts searched, where
    ``queryset`` is not one account's (``_in_every_account``)."""
    if prefix.startswith(DOMAIN):
        return _with_domain(queryset).filter(address_domain__startswith=prefix[1:])
    by_address = _starts_with(prefix) & (accounts or Q())
    if DOMAIN in prefix:
        return queryset.filter(by_address)
    return _with_domain(queryset).filter(by_address | Q(address_domain__startswith=prefix))


def _starts_with(prefix: str) -> Q:
    """``email LIKE 'prefix%'``, with the range that lets PostgreSQL read it from the (account, email, id) index (its
    LIKE uses an index only under the C collation or ``text_pattern_ops``)."""
    condition = Q(email__startswith=prefix, email__gte=prefix)
    last = ord(prefix[-1])
    if last < 0x10FFFF:
        condition &= Q(email__lt=prefix[:-1] + chr(last + 1))
    return condition


def _in_every_account() -> Q:
    """The account leads the indexes on addresses and their MD5s: naming every account lets PostgreSQL use them when
    the search is not limited to one (a range or lookup per account)."""
    if connection.vendor != "postgresql":
        return Q()
    return Q(account_id__in=list(Account.objects.values_list("pk", flat=True)))


def _with_domain(queryset: QuerySet) -> QuerySet:
    """``address_domain``: the same expression as the index on PostgreSQL; elsewhere, the same text."""
    if connection.vendor == "postgresql":
        return queryset.alias(address_domain=ADDRESS_DOMAIN)
    return queryset.alias(address_domain=Substr(F("email"), StrIndex(F("email"), Value(DOMAIN)) + 1))


def _field_is(name: str, text: str) -> Q:
    """Field ``name`` equal to ``text`` as each JSON type could hold it (a number, a boolean, the text)."""
    condition = Q(**{f"fields__{name}": text.strip()})
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        condition |= Q(**{f"fields__{name}": lowered == "true"})
    try:
        number = float(text)
    except ValueError:
        return condition
    return condition | Q(**{f"fields__{name}": int(number) if number.is_integer() else number})
