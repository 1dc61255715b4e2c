"""The flat, versioned /api/v1 surface: the account is the API key's.

Every collection follows one convention (``Collection`` below): ``limit`` (1–100, default 20) with
``offset``, or ``cursor`` (keyset on the sort key and ``id``; ``cursor=`` empty starts at the first page);
``sort_by`` from the collection's whitelist and ``order`` (asc/desc), ``id`` breaking ties; filters as
query parameters. An unknown parameter, sort field or malformed value answers 400.3 naming what is
allowed. A cursor is signed (``django.core.signing``, base64url JSON): it carries the sort, the filters
and the key of the row it continues from, so a forged or garbled one answers 400.3 and a page never
skips or repeats a row while rows are inserted. Offset pages carry ``total``; cursor pages do not (it
would cost a count the cursor is there to avoid).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.db.models import F, Q
from drf_spectacular.utils import OpenApiParameter
from rest_framework.views import APIView

from api.conditional import PreconditionedWrites
from api.formats import iso
from api.links import link
from api.problems import INVALID_PARAMETER, ApiProblem
from api.query import ALWAYS_ALLOWED, integer_param, invalid, unknown_parameters
from api.scopes import ScopedAccess

LIMIT_MIN, LIMIT_MAX, LIMIT_DEFAULT = 1, 100, 20
MAX_OFFSET = 10_000_000
LIMIT_PARAMETERS = [
    OpenApiParameter(
        "limit", int, description=f"Items per page, {LIMIT_MIN} to {LIMIT_MAX} (default {LIMIT_DEFAULT})."
    ),
    OpenApiParameter("offset", int, description="Items to skip, from 0."),
]
CURSOR_SALT = "api.v1.cursor"
# Every collection's own parameters; the rest are its filters (and api.query.ALWAYS_ALLOWED).
PAGING = frozenset({"limit", "offset", "cursor", "sort_by", "order"})


class V1View(ScopedAccess, PreconditionedWrites, APIView):
    """A view of /api/v1: it acts on the API key's own account, if the key's scopes allow the view's ``scope``
    declaration (``api.scopes``); a write with ``If-Match`` is checked against the current representation
    (``api.conditional``)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.account = request.user.account
        self.check_scope(request)
        self.check_preconditions(request)


@dataclass(frozen=True)
class Filter:
    """A query-parameter filter: ``parse`` turns the raw value into a value (ValueError → 400),
    ``apply(queryset, value)`` filters. ``prefix`` filters match every parameter ``name.<key>``;
    they get ``(key, raw)`` to parse."""

    parse: Callable[[str], Any]
    apply: Callable[[Any, Any], Any]
    describe: str
    prefix: bool = False


@dataclass(frozen=True)
class Sort:
    field: str
    nullable: bool = False
    kind: str = "str"  # str, int or datetime: how a cursor key is read back


@dataclass(frozen=True)
class Collection:
    name: str  # part of the cursor's signature: a cursor only works on the collection that issued it
    sorts: dict[str, Sort]
    filters: dict[str, Filter] = field(default_factory=dict)
    default_sort: str = "id"

    def parameters(self) -> list[OpenApiParameter]:
        return [
            *LIMIT_PARAMETERS,
            OpenApiParameter(
                "cursor",
                str,
                description="Opaque cursor from a `next`/`prev` link; empty "
                "for the first page in cursor mode. Not with `offset`.",
            ),
            OpenApiParameter("sort_by", str, enum=list(self.sorts), description=f"Default {self.default_sort}."),
            OpenApiParameter("order", str, enum=["asc", "desc"], description="Default asc."),
            *[
                OpenApiParameter(f"{name}.{{name}}" if spec.prefix else name, str, description=spec.describe)
                for name, spec in self.filters.items()
            ],
        ]


@dataclass
class Query:
    limit: int
    offset: int | None  # offset mode
    cursor: dict | None  # cursor mode: {"k": [value, id], "d": "next"|"prev"} or {} for the first page
    sort_by: str
    order: str
    raw_filters: dict[str, str]
    filters: dict[str, Any]
    token: str = ""  # the cursor as received

    @property
    def cursor_mode(self) -> bool:
        return self.cursor is not None


def _allowed(collection: Collection) -> str:
    names = [
        "limit",
        "offset",
        "cursor",
        "sort_by",
        "order",
        *[f"{name}.<name>" if spec.prefix else name for name, spec in collection.filters.items()],
    ]
    return ", ".join(names)


def _filter_spec(collection: Collection, name: str) -> tuple[Filter, str | None] | None:
    if name in collection.filters and not collection.filters[name].prefix:
        return collection.filters[name], None
    prefix, dot, key = name.partition(".")
    spec = collection.filters.get(prefix)
    if dot and key and spec is not None and spec.prefix:
        return spec, key
    return None


def parse_query(request, collection: Collection) -> Query:
    params = request.query_params
    unknown = unknown_parameters(request, lambda name: name in PAGING or _filter_spec(collection, name) is not None)
    if unknown:
        allowed = _allowed(collection)
        raise ApiProblem(
            INVALID_PARAMETER,
            f"Unknown parameter(s) {', '.join(unknown)}; allowed: {allowed}.",
            errors=[{"field": name, "detail": f"unknown parameter; allowed: {allowed}"} for name in unknown],
        )
    for name in params:
        if len(params.getlist(name)) > 1:
            raise invalid(name, "must be given once")
    limit = integer_param(request, "limit", LIMIT_DEFAULT, LIMIT_MIN, LIMIT_MAX)
    sort_by = params.get("sort_by") or collection.default_sort
    if sort_by not in collection.sorts:
        raise invalid("sort_by", f"must be one of {', '.join(collection.sorts)}", sort_by)
    order = params.get("order") or "asc"
    if order not in ("asc", "desc"):
        raise invalid("order", "must be asc or desc", order)
    raw_filters = {name: value for name, value in params.items() if name not in ALWAYS_ALLOWED | PAGING and value != ""}
    cursor = None
    if "cursor" in params:
        if "offset" in params:
            raise invalid("cursor", "cannot be combined with offset")
        cursor = {}
        if params["cursor"]:
            cursor = _decode_cursor(params["cursor"], collection)
            state = cursor["q"]
            given = {"sort_by": params.get("sort_by"), "order": params.get("order")}
            if any(value and value != state[name] for name, value in given.items()) or (
                raw_filters and raw_filters != state["f"]
            ):
                raise invalid("cursor", "carries its own sort_by, order and filters; send them unchanged or not at all")
            sort_by, order, raw_filters = state["sort_by"], state["order"], state["f"]
    offset = None if cursor is not None else integer_param(request, "offset", 0, 0, MAX_OFFSET)
    filters = {}
    for name, raw in raw_filters.items():
        spec, key = _filter_spec(collection, name)
        try:
            filters[name] = spec.parse(raw) if key is None else spec.parse((key, raw))
        except ValueError as exc:
            raise invalid(name, str(exc) or spec.describe, raw) from None
    return Query(
        limit=limit,
        offset=offset,
        cursor=cursor,
        sort_by=sort_by,
        order=order,
        raw_filters=raw_filters,
        filters=filters,
        token=params.get("cursor", ""),
    )


def _decode_cursor(raw: str, collection: Collection) -> dict:
    try:
        cursor = signing.loads(raw, salt=f"{CURSOR_SALT}.{collection.name}")
        state = cursor["q"]
        sort = collection.sorts[state["sort_by"]]
        if any(_filter_spec(collection, name) is None for name in state["f"]):
            raise ValueError
        value, pk = cursor["k"]
        if (
            state["order"] not in ("asc", "desc")
            or cursor["d"] not in ("next", "prev")
            or not isinstance(pk, int)
            or not isinstance(state["f"], dict)
        ):
            raise ValueError
        if value is not None:
            value = _read_key(sort, value)
        cursor["k"] = [value, pk]
        return cursor
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise invalid("cursor", "is not a cursor this collection issued; follow a next or prev link") from None


def _read_key(sort: Sort, value):
    if sort.kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if sort.kind == "int" and not isinstance(value, int):
        raise ValueError
    if sort.kind == "str" and not isinstance(value, str):
        raise ValueError
    return value


def _key(row, sort: Sort) -> list:
    value = getattr(row, sort.field)
    if isinstance(value, dt.datetime):
        value = iso(value)
    return [value, row.pk]


def _ordering(sort: Sort, descending: bool, nulls_first: bool) -> list:
    nulls = {"nulls_first": True} if nulls_first else {"nulls_last": True}
    by_id = F("id").desc() if descending else F("id").asc()
    if sort.field == "id":
        return [by_id]
    expression = F(sort.field).desc(**nulls) if descending else F(sort.field).asc(**nulls)
    return [expression, by_id]


def _after(sort: Sort, value, pk: int, descending: bool, nulls_first: bool) -> Q:
    """Rows strictly after (value, pk) in the order (sort field, id) both ``descending`` or not."""
    cmp = "lt" if descending else "gt"
    same = "lte" if descending else "gte"
    if sort.field == "id":
        return Q(**{f"id__{cmp}": pk})
    if value is None:
        after = Q(**{f"{sort.field}__isnull": True, f"id__{cmp}": pk})
        return after | Q(**{f"{sort.field}__isnull": False}) if nulls_first else after
    # "field >= v AND (field > v OR id > pk)": the range bound lets an index on (…, field, id) seek.
    after = Q(**{f"{sort.field}__{same}": value}) & (Q(**{f"{sort.field}__{cmp}": value}) | Q(**{f"id__{cmp}": pk}))
    if sort.nullable and not nulls_first:
        after |= Q(**{f"{sort.field}__isnull": True})
    return after


@dataclass
class Page:
    rows: list
    total: int | None
    next_key: list | None = None
    prev_key: list | None = None


def apply_filters(queryset, collection: Collection, query: Query):
    for name, value in query.filters.items():
        spec, _ = _filter_spec(collection, name)
        queryset = spec.apply(queryset, value)
    return queryset


def page_of(queryset, collection: Collection, query: Query, *, count: Callable[[], int] | None = None) -> Page:
    """The page of ``queryset`` (already filtered) for ``query``. ``count`` gives the total in offset mode
    (exact counters where the collection has them); without it the rows are counted."""
    sort = collection.sorts[query.sort_by]
    descending = query.order == "desc"
    if not query.cursor_mode:
        rows = list(queryset.order_by(*_ordering(sort, descending, False))[query.offset : query.offset + query.limit])
        return Page(rows, count() if count else queryset.count())
    cursor = query.cursor
    if not cursor:  # the first page
        rows = list(queryset.order_by(*_ordering(sort, descending, False))[: query.limit + 1])
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        return Page(rows, None, next_key=_key(rows[-1], sort) if more else None)
    value, pk = cursor["k"]
    if cursor["d"] == "next":
        rows = list(
            queryset.filter(_after(sort, value, pk, descending, False)).order_by(*_ordering(sort, descending, False))[
                : query.limit + 1
            ]
        )
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        return Page(
            rows,
            None,
            next_key=_key(rows[-1], sort) if more else None,
            prev_key=_key(rows[0], sort) if rows else [value, pk],
        )
    rows = list(
        queryset.filter(_after(sort, value, pk, not descending, True)).order_by(*_ordering(sort, not descending, True))[
            : query.limit + 1
        ]
    )
    more = len(rows) > query.limit
    rows = list(reversed(rows[: query.limit]))
    return Page(
        rows,
        None,
        next_key=_key(rows[-1], sort) if rows else [value, pk],
        prev_key=_key(rows[0], sort) if more else None,
    )


def _cursor(collection: Collection, query: Query, key: list, direction: str) -> str:
    return signing.dumps(
        {"q": {"sort_by": query.sort_by, "order": query.order, "f": query.raw_filters}, "k": key, "d": direction},
        salt=f"{CURSOR_SALT}.{collection.name}",
    )


def envelope(
    items: list[dict], page: Page, collection: Collection, query: Query, *, path: str, collection_rel: str
) -> dict:
    """``items`` with ``limit``, ``offset`` and ``total`` (offset mode) and ``_links`` self/prev/next."""
    base = {}
    if query.sort_by != "id" or query.order != "asc":
        base = {"sort_by": query.sort_by, "order": query.order}

    def href(**params) -> str:
        return f"{path}?{urlencode(params)}"

    if not query.cursor_mode:

        def at(offset: int) -> str:
            return href(limit=query.limit, offset=offset, **base, **query.raw_filters)

        links = [link(at(query.offset), f"self {collection_rel}", "This page")]
        if query.offset > 0:
            links.append(link(at(max(0, query.offset - query.limit)), f"prev {collection_rel}", "Previous page"))
        if query.offset + query.limit < page.total:
            links.append(link(at(query.offset + query.limit), f"next {collection_rel}", "Next page"))
        return {"items": items, "limit": query.limit, "offset": query.offset, "total": page.total, "_links": links}

    if query.cursor:
        self_href = href(limit=query.limit, cursor=query.token)
    else:
        self_href = href(limit=query.limit, cursor="", **base, **query.raw_filters)
    links = [link(self_href, f"self {collection_rel}", "This page")]
    for direction, key, title in (("prev", page.prev_key, "Previous page"), ("next", page.next_key, "Next page")):
        if key is not None:
            cursor = _cursor(collection, query, key, direction)
            links.append(link(href(limit=query.limit, cursor=cursor), f"{direction} {collection_rel}", title))
    return {"items": items, "limit": query.limit, "_links": links}


def page_schema(item_ref: dict, description: str, links_ref: dict) -> dict:
    """The JSON Schema of a /api/v1 page (either mode)."""
    count = {"type": "integer", "minimum": 0}
    return {
        "description": description + " `offset` and `total` in offset mode only.",
        "type": "object",
        "required": ["items", "limit", "_links"],
        "properties": {
            "items": {"type": "array", "items": item_ref},
            "limit": {"type": "integer", "minimum": LIMIT_MIN, "maximum": LIMIT_MAX},
            "offset": count,
            "total": count,
            "_links": links_ref,
        },
    }
