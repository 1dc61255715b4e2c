"""Audit trail reads: an account's entries, filtered, on both surfaces (page-numbered, newest first; /api/v1's
limit/offset or cursor)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from api.audit import ACTOR_KINDS
from api.pagination import PageParams, page_slice
from api.query import choice, date_time, invalid, only_parameters
from api.v1 import Collection, Filter, Page, Query, Sort, apply_filters, page_of
from audit.models import AuditEntry


def _text(limit: int):
    def parse(raw: str) -> str:
        if len(raw) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return raw

    return parse


AUDIT = Collection(
    "audit",
    sorts={"id": Sort("id", kind="int"), "at": Sort("at", kind="datetime")},
    filters={
        "actor": Filter(
            _text(150),
            lambda rows, value: rows.filter(actor_id=value),
            "Who acted: an API key's prefix, a staff user's username or a command's name.",
        ),
        "actorKind": Filter(
            choice(ACTOR_KINDS), lambda rows, value: rows.filter(actor_kind=value), "key, staff or command."
        ),
        "action": Filter(
            _text(64),
            lambda rows, value: rows.filter(action=value),
            "An action, such as list.create or campaign.start.",
        ),
        "objectType": Filter(
            _text(40), lambda rows, value: rows.filter(object_type=value), "An object type, such as list or campaign."
        ),
        "objectId": Filter(_text(64), lambda rows, value: rows.filter(object_id=value), "An object's id."),
        "since": Filter(
            date_time, lambda rows, value: rows.filter(at__gte=value), "Entries at or after: ISO 8601 date(-time)."
        ),
        "until": Filter(
            date_time, lambda rows, value: rows.filter(at__lt=value), "Entries before: ISO 8601 date(-time)."
        ),
    },
)
FILTERS = tuple(AUDIT.filters)


def _entries(account) -> QuerySet:
    return AuditEntry.objects.filter(account=account)


def audit_filters(request) -> dict:
    """The hypermedia surface's filters (the same as /api/v1's), parsed; a bad one answers 400.3."""
    only_parameters(request, ("page", "per_page", *FILTERS))
    raw = {name: request.query_params[name] for name in FILTERS if request.query_params.get(name, "") != ""}
    parsed = {}
    for name, value in raw.items():
        try:
            parsed[name] = AUDIT.filters[name].parse(value)
        except ValueError as exc:
            raise invalid(name, str(exc), value) from None
    return {"raw": raw, "parsed": parsed}


def audit_page(*, account, filters: dict, params: PageParams) -> tuple[list[AuditEntry], int]:
    """Newest first. The total is counted: the trail is bounded by its retention, and filtered through indexes."""
    rows = _entries(account)
    for name, value in filters.items():
        rows = AUDIT.filters[name].apply(rows, value)
    rows = rows.order_by("-id")
    total = rows.count()
    return page_slice(rows, total, params), total


def audit_v1_page(*, account, query: Query) -> Page:
    return page_of(apply_filters(_entries(account), AUDIT, query), AUDIT, query)


def audit_cutoff() -> datetime:
    """Entries older than this are past ``AUDIT_RETENTION_DAYS``."""
    return timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)


def audit_prune_pending() -> bool:
    """Whether an entry is older than the retention (the sweeper keeps running until it is pruned)."""
    return AuditEntry.objects.filter(at__lt=audit_cutoff()).exists()
