"""How a resource kept in an account's collection shows on both surfaces: one item, its page, its collection's pages,
and the links a write or a delete answers with. Only the hrefs differ between the surfaces (``SurfaceRoutes``); a
resource gives its body, its own links and its rels."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.links import SurfaceRoutes, link
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope


@dataclass(frozen=True)
class MemberShape:
    rel: str  # "/rels/domain"
    title: str  # the description of its links to itself
    collection_rel: str
    collection_title: str
    create_rel: str
    create_title: str
    body: Callable[[Any], dict]
    member_links: Callable[[SurfaceRoutes, Any], list[dict]]  # what may be done to it (edit, delete, …)

    def _parent(self, routes: SurfaceRoutes) -> list[dict]:
        return [link(routes.collection(), f"parent {self.collection_rel}", self.collection_title), *routes.home()]

    def item(self, routes: SurfaceRoutes, row) -> dict:
        own = link(routes.detail(row.pk), f"item {self.rel}", self.title)
        return {**self.body(row), "_links": [own, *self.member_links(routes, row)]}

    def detail(self, routes: SurfaceRoutes, row) -> dict:
        own = link(routes.detail(row.pk), f"self {self.rel}", self.title)
        return {**self.body(row), "_links": [own, *self.member_links(routes, row), *self._parent(routes)]}

    def written_links(self, routes: SurfaceRoutes, row) -> list[dict]:
        own = link(routes.detail(row.pk), f"related {self.rel}", self.title)
        return [own, *self.member_links(routes, row), *self._parent(routes)]

    def deleted_links(self, routes: SurfaceRoutes) -> list[dict]:
        return self._parent(routes)

    def _create(self, routes: SurfaceRoutes) -> dict:
        return link(routes.collection(), self.create_rel, self.create_title)

    def page(self, routes: SurfaceRoutes, rows, total: int, params: PageParams) -> dict:
        """A page-numbered collection page (the hypermedia surface)."""
        return page_envelope(
            [self.item(routes, row) for row in rows],
            total,
            params,
            path=routes.collection(),
            collection_rel=self.collection_rel,
            affordances=[self._create(routes), *routes.home()],
        )

    def v1_page(self, routes: SurfaceRoutes, page: Page, collection: Collection, query: Query) -> dict:
        """A limit/offset or cursor page of /api/v1."""
        body = envelope(
            [self.item(routes, row) for row in page.rows],
            page,
            collection,
            query,
            path=routes.collection(),
            collection_rel=self.collection_rel,
        )
        body["_links"].append(self._create(routes))
        return body
