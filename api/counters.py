"""Exact counters kept in the same transaction as the change they count, so a page never needs ``COUNT(*)``;
and the one way to repair them from the rows.

Writes: one upsert per call (``INSERT … ON CONFLICT … DO UPDATE SET count = count + n``, ``api.sql``).
Repairs: each app registers, from its ``apps.py`` ``ready()``, a repairer ``repair(account=…)`` that recomputes
that account's counters of the app (usually with ``recount_buckets`` or ``recount_total``); the accounts app
registers how accounts are found. ``manage.py recount_counters`` runs them all: this module knows no app.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Count, Q

from api.sql import counters_add

_repairers: list[Callable[..., None]] = []
_find_accounts: Callable[[list[str]], Iterable] | None = None


def bump(table: str, key_columns: tuple[str, ...], key: tuple, delta: int) -> None:
    if delta:
        counters_add(table, key_columns, [(*key, delta)])


def bump_buckets(table: str, key_columns: tuple[str, str], owner_id: int, deltas) -> None:
    """Add ``deltas`` ({bucket: n}) to an owner's counter rows, locked in sorted bucket order: two
    transactions moving the same counters cannot deadlock."""
    rows = [(owner_id, bucket, deltas[bucket]) for bucket in sorted(deltas) if deltas[bucket]]
    if rows:
        counters_add(table, key_columns, rows)


def recount_buckets(
    counter,
    rows,
    *,
    owner: dict,
    column: str,
    buckets: Iterable[str],
    total: str | None = None,
    extra: Mapping[str, Q] | None = None,
) -> None:
    """Repair: set the owner's ``counter`` rows (model with ``bucket`` and ``count``) to what ``rows`` (the owner's
    counted queryset) hold: per value of ``column`` for each of ``buckets``; ``total`` (a bucket name) counts them
    all; each ``extra`` bucket counts the rows matching its condition."""
    extra = extra or {}
    counts = dict(rows.values_list(column).annotate(n=Count("pk")))
    everything = sum(counts.values())
    counts.update({bucket: rows.filter(condition).count() for bucket, condition in extra.items()})
    if total is not None:
        counts[total] = everything
    for bucket in [*buckets, *extra, *([total] if total is not None else [])]:
        counter.objects.update_or_create(**owner, bucket=bucket, defaults={"count": counts.get(bucket, 0)})


def recount_total(counter, rows, *, owner: dict) -> None:
    """Repair: set the owner's one ``counter`` row to the number of ``rows``."""
    counter.objects.update_or_create(**owner, defaults={"count": rows.count()})


class AccountBuckets(models.Model):
    """The base of a counter of an account's rows per bucket (each status, 'all', …): ``add`` in the transaction
    of each change, ``read`` for a page's total, ``recount`` to repair. A subclass names its unique constraint
    on (account, bucket), which the upsert needs."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    bucket = models.CharField(max_length=24)
    count = models.BigIntegerField(default=0)  # no CHECK: an upsert checks its VALUES row first

    class Meta:
        abstract = True

    @classmethod
    def add(cls, account_id: int, deltas: Mapping[str, int]) -> None:
        bump_buckets(cls._meta.db_table, ("account_id", "bucket"), account_id, deltas)

    @classmethod
    def read(cls, account_id: int, bucket: str) -> int:
        return cls.objects.filter(account_id=account_id, bucket=bucket).values_list("count", flat=True).first() or 0

    @classmethod
    def recount(cls, rows, *, account_id: int, buckets: Iterable[str], column: str = "status", **options) -> None:
        """Repair from ``rows`` (the account's counted queryset); ``options``: ``total``, ``extra``
        (``recount_buckets``)."""
        recount_buckets(cls, rows, owner={"account_id": account_id}, column=column, buckets=buckets, **options)


class AccountTotal(models.Model):
    """The base of a counter of all an account's rows of one kind (its lists, its messages)."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, primary_key=True, related_name="+")
    count = models.BigIntegerField(default=0)  # no CHECK: an upsert checks its VALUES row first

    class Meta:
        abstract = True

    @classmethod
    def add(cls, account_id: int, delta: int) -> None:
        bump(cls._meta.db_table, ("account_id",), (account_id,), delta)

    @classmethod
    def read(cls, account_id: int) -> int:
        return cls.objects.filter(account_id=account_id).values_list("count", flat=True).first() or 0

    @classmethod
    def recount(cls, rows, *, account_id: int) -> None:
        recount_total(cls, rows, owner={"account_id": account_id})


def register_repairer(repair: Callable[..., None]) -> None:
    """``repair(account=…)`` recomputes one account's counters of an app from its rows. Registering the same
    function twice keeps one."""
    if repair not in _repairers:
        _repairers.append(repair)


def register_account_finder(find: Callable[[list[str]], Iterable]) -> None:
    """``find(names)``: the accounts named (every account when ``names`` is empty), each with a ``name``."""
    global _find_accounts
    _find_accounts = find


def repair_counters(names: list[str]) -> Iterator:
    """Run every registered repairer on each account ``names`` designates (all when empty), yielding each account
    once its counters are repaired."""
    if _find_accounts is None:
        raise ImproperlyConfigured("No app registered how to find accounts (api.counters.register_account_finder).")
    for account in _find_accounts(names):
        for repair in _repairers:
            repair(account=account)
        yield account
