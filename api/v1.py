"""The flat, versioned /api/v1 surface: the account is the API key's; pages by limit and offset."""
from dataclasses import dataclass

from drf_spectacular.utils import OpenApiParameter
from rest_framework.views import APIView

from api.links import link
from api.pagination import _integer_param

LIMIT_MIN, LIMIT_MAX, LIMIT_DEFAULT = 1, 100, 20
MAX_OFFSET = 10_000_000
LIMIT_PARAMETERS = [
    OpenApiParameter("limit", int, description=f"Items per page, {LIMIT_MIN} to {LIMIT_MAX} (default {LIMIT_DEFAULT})."),
    OpenApiParameter("offset", int, description="Items to skip, from 0."),
]


class V1View(APIView):
    """A view of /api/v1: it acts on the API key's own account."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.account = request.user.account


@dataclass(frozen=True)
class LimitOffset:
    limit: int
    offset: int


def limit_offset(request) -> LimitOffset:
    return LimitOffset(limit=_integer_param(request, "limit", LIMIT_DEFAULT, LIMIT_MIN, LIMIT_MAX),
                       offset=_integer_param(request, "offset", 0, 0, MAX_OFFSET))


def limit_offset_envelope(items: list[dict], total: int, params: LimitOffset, *, path: str, collection_rel: str,
                          filters: dict | None = None) -> dict:
    query = "&".join(f"{name}={value}" for name, value in (filters or {}).items() if value is not None)

    def href(offset: int) -> str:
        return f"{path}?limit={params.limit}&offset={offset}" + (f"&{query}" if query else "")

    links = [link(href(params.offset), f"self {collection_rel}", "This page")]
    if params.offset > 0:
        links.append(link(href(max(0, params.offset - params.limit)), f"prev {collection_rel}", "Previous page"))
    if params.offset + params.limit < total:
        links.append(link(href(params.offset + params.limit), f"next {collection_rel}", "Next page"))
    return {"items": items, "limit": params.limit, "offset": params.offset, "total": total, "_links": links}
