"""Page-numbered collections: parameters, the page slice, and the envelope.

The envelope's counts come from exact counters (never ``COUNT(*)``), and a page
in the second half of a collection is read backwards from its end, so the last
page costs what the first does.
"""

import math
from dataclasses import dataclass
from urllib.parse import quote

from drf_spectacular.utils import OpenApiParameter

from api.links import link
from api.query import integer_param
from api.registry import ref

PER_PAGE_MIN, PER_PAGE_MAX, PER_PAGE_DEFAULT = 5, 50, 20
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter(
        "per_page", int, description=f"Items per page, {PER_PAGE_MIN} to {PER_PAGE_MAX} (default {PER_PAGE_DEFAULT})."
    ),
]
MAX_PAGE = 10_000_000


@dataclass(frozen=True)
class PageParams:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_params(request) -> PageParams:
    return PageParams(
        page=integer_param(request, "page", 1, 1, MAX_PAGE),
        per_page=integer_param(request, "per_page", PER_PAGE_DEFAULT, PER_PAGE_MIN, PER_PAGE_MAX),
    )


@dataclass(frozen=True)
class PageWindow:
    """Which rows a page is, as a query reads them: ``limit`` rows after ``offset``, in the collection's
    order, or, for a page nearer the end, against it (``backwards``: the rows then come out reversed)."""

    offset: int
    limit: int
    backwards: bool


def page_window(total: int, params: PageParams) -> PageWindow | None:
    """None when the page is past the end."""
    start = params.offset
    if start >= total:
        return None
    end = min(start + params.per_page, total)
    if start > total - end:  # nearer the end: read backwards with a small offset
        return PageWindow(total - end, end - start, True)
    return PageWindow(start, end - start, False)


def page_slice(queryset, total: int, params: PageParams) -> list:
    """The rows of the page; ``queryset`` must be ordered by a unique key."""
    window = page_window(total, params)
    if window is None:
        return []
    if window.backwards:
        return list(reversed(queryset.reverse()[window.offset : window.offset + window.limit]))
    return list(queryset[window.offset : window.offset + window.limit])


def _href(path: str, page, per_page: int, filters: dict) -> str:
    query = [f"page={page}"]
    if per_page != PER_PAGE_DEFAULT:
        query.append(f"per_page={per_page}")
    query.extend(f"{name}={quote(str(value))}" for name, value in filters.items() if value is not None)
    return f"{path}?{'&'.join(query)}"


def page_envelope(
    items: list[dict],
    total: int,
    params: PageParams,
    *,
    path: str,
    collection_rel: str,
    affordances: list[dict],
    filters: dict | None = None,
) -> dict:
    """``items``, counts and ``_links``: self, go-to-page, affordances, first/prev/next/last."""
    filters = filters or {}
    pages = math.ceil(total / params.per_page)

    def href(page):
        return _href(path, page, params.per_page, filters)

    links = [
        link(href(params.page), f"self {collection_rel}", "Current page"),
        link(href("{page}"), f"/rels/specific-page {collection_rel}", "Go to page", templated=True),
        *affordances,
        link(href(1), f"first {collection_rel}", "First page"),
    ]
    if params.page > 1:
        links.append(link(href(min(params.page - 1, max(pages, 1))), f"prev {collection_rel}", "Previous page"))
    if params.page < pages:
        links.append(link(href(params.page + 1), f"next {collection_rel}", "Next page"))
    if pages >= 1:
        links.append(link(href(pages), f"last {collection_rel}", "Last page"))
    return {
        "items": items,
        "pageSize": params.per_page,
        "currentPage": params.page,
        "itemsCount": total,
        "pagesCount": pages,
        "_links": links,
    }


def collection_schema(item_profile: str, description: str) -> dict:
    """The JSON Schema of a page of ``item_profile`` items."""
    return {
        "description": description,
        "type": "object",
        "required": ["items", "pageSize", "currentPage", "itemsCount", "pagesCount", "_links"],
        "properties": {
            "items": {"type": "array", "items": ref(item_profile)},
            "pageSize": {"type": "integer", "minimum": PER_PAGE_MIN, "maximum": PER_PAGE_MAX},
            "currentPage": {"type": "integer", "minimum": 1},
            "itemsCount": {"type": "integer", "minimum": 0},
            "pagesCount": {"type": "integer", "minimum": 0},
            "_links": {"type": "array", "items": ref("link")},
        },
    }
