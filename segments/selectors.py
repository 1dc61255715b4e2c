"""Segment reads: the rows, a condition tree checked against the account, and what a tree matches."""

from functools import partial

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, VALIDATION_ERROR, ApiProblem
from api.sql import fetch_one
from api.v1 import Collection, Page, Query, Sort, page_of
from campaigns.models import Campaign, CampaignLink
from fields.selectors import field_types
from lists.selectors import lists_existing
from segments import sql
from segments.compiler import Compiler
from segments.conditions import Lookups, check_tree
from segments.models import Segment
from subscribers.models import Subscriber


def segment_get(*, account, segment_id: int) -> Segment:
    segment = fetch_one(Segment, "account_id = %s AND id = %s", [account.pk, segment_id])
    if segment is None:
        raise ApiProblem(NOT_FOUND, f"The account has no segment {segment_id}.")
    return segment


def segment_page(*, account, params: PageParams) -> tuple[list[Segment], int]:
    rows = Segment.objects.filter(account=account).order_by("id")
    total = rows.count()  # an account has a few segments, not millions
    return page_slice(rows, total, params), total


SEGMENTS = Collection(
    "segments",
    sorts={"id": Sort("id", kind="int"), "name": Sort("name"), "createdAt": Sort("created_at", kind="datetime")},
)


def segment_v1_page(*, account, query: Query) -> Page:
    return page_of(Segment.objects.filter(account=account), SEGMENTS, query)


def segments_of(*, account_id: int, segment_ids) -> dict[int, Segment]:
    """The account's segments among ``segment_ids``, by id."""
    return {s.pk: s for s in Segment.objects.filter(account_id=account_id, pk__in=list(segment_ids))}


def _campaign_links(account_id: int, campaign_id: int) -> list[str] | None:
    if not Campaign.objects.filter(account_id=account_id, pk=campaign_id).exists():
        return None
    return list(CampaignLink.objects.filter(campaign_id=campaign_id).order_by("position").values_list("url", flat=True))


def lookups_for(account) -> Lookups:
    return Lookups(
        field_types=dict(field_types(account=account)),
        list_exists=lambda list_id: bool(lists_existing(account_id=account.pk, list_ids=[list_id])),
        campaign_links=partial(_campaign_links, account.pk),
    )


def tree_checked(*, account, match, conditions) -> dict:
    """The normalised tree, or 400.2 with one error per bad condition (its path in ``field``)."""
    tree, errors = check_tree(match, conditions, lookups_for(account))
    if errors:
        summary = "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:5])
        raise ApiProblem(VALIDATION_ERROR, summary, errors=errors)
    return tree


def segment_where(*, account, tree: dict) -> tuple[str, list]:
    """The tree as one SQL boolean over the subscribers table (``segments.compiler``), with its parameters;
    "in the last N days" counts from now."""
    fields = dict(field_types(account=account))
    compiler = Compiler(account_id=account.pk, field_types=fields, vendor=connection.vendor, now=timezone.now())
    return compiler.where(tree)


def tree_count(*, account, tree: dict) -> tuple[int, int]:
    """(subscribers the tree matches, of them active), in one query."""
    where, params = segment_where(account=account, tree=tree)
    return sql.count(account.pk, where, params)


def matching(*, account, tree: dict):
    """The account's subscribers the tree matches, as a query to page."""
    where, params = segment_where(account=account, tree=tree)
    return Subscriber.objects.filter(account=account).filter(RawSQL(where, params, output_field=BooleanField()))


def segment_subscriber_page(*, account, segment: Segment, params: PageParams) -> tuple[list[Subscriber], int]:
    total, _ = tree_count(account=account, tree=segment.tree)
    return page_slice(matching(account=account, tree=segment.tree).order_by("id"), total, params), total


SEGMENT_CONTACTS = Collection(
    "segment-contacts",
    sorts={"id": Sort("id", kind="int"), "createdAt": Sort("created_at", kind="datetime"), "email": Sort("email")},
)


def segment_contact_page(*, account, segment: Segment, query: Query) -> Page:
    return page_of(
        matching(account=account, tree=segment.tree),
        SEGMENT_CONTACTS,
        query,
        count=lambda: tree_count(account=account, tree=segment.tree)[0],
    )
