"""Segments as both surfaces show them (only hrefs differ), and the pages of their matching subscribers."""

from api.formats import iso
from api.links import SurfaceRoutes, link
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope
from subscribers.representations import contact, subscriber_item


class Routes(SurfaceRoutes):
    """``segment-…`` under an account, or ``v1-segment-…``."""

    def count(self) -> str:
        return self._url("count")

    def detail(self, segment_id: int) -> str:
        return self._url("detail", segment_id=segment_id)

    def members(self, segment_id: int) -> str:
        return self._url("subscribers" if self.hypermedia else "contacts", segment_id=segment_id)


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("segment", account_name)


V1_ROUTES = Routes("v1-segment")


MEMBER_ORDER = ("match", "kind", "field", "operator", "value", "listId", "campaignId", "url", "days", "conditions")


def ordered(conditions: list) -> list:
    """The stored conditions with their members in one order (jsonb keeps its own), groups within."""
    return [
        {
            key: ordered(condition[key]) if key == "conditions" else condition[key]
            for key in MEMBER_ORDER
            if key in condition
        }
        for condition in conditions
    ]


def _body(segment) -> dict:
    return {
        "segmentId": segment.pk,
        "name": segment.name,
        "match": segment.match,
        "conditions": ordered(segment.conditions),
        "createdAt": iso(segment.created_at),
        "updatedAt": iso(segment.updated_at),
    }


def _member_links(routes: Routes, segment) -> list[dict]:
    href = routes.detail(segment.pk)
    return [
        link(href, "edit /rels/edit-segment", "Edit segment"),
        link(href, "delete /rels/delete-segment", "Delete segment"),
        link(routes.members(segment.pk), "/rels/segment-subscribers", "Matching subscribers"),
    ]


def segment_item(routes: Routes, segment) -> dict:
    return {
        **_body(segment),
        "_links": [
            link(routes.detail(segment.pk), "item /rels/segment", "Segment details"),
            *_member_links(routes, segment),
        ],
    }


def segment_detail(routes: Routes, segment) -> dict:
    return {
        **_body(segment),
        "_links": [
            link(routes.detail(segment.pk), "self /rels/segment", "Segment details"),
            *_member_links(routes, segment),
            link(routes.collection(), "parent /rels/segments-collection", "Segments"),
            *routes.home(),
        ],
    }


def segment_written_links(routes: Routes, segment) -> list[dict]:
    return [
        link(routes.detail(segment.pk), "related /rels/segment", "Segment details"),
        *_member_links(routes, segment),
        link(routes.collection(), "parent /rels/segments-collection", "Segments"),
        *routes.home(),
    ]


def segment_deleted_links(routes: Routes) -> list[dict]:
    return [link(routes.collection(), "parent /rels/segments-collection", "Segments"), *routes.home()]


def _affordances(routes: Routes) -> list[dict]:
    return [
        link(routes.collection(), "/rels/create-segment", "Create a segment"),
        link(routes.count(), "/rels/count-segment", "Count what conditions match"),
    ]


def segments_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [segment_item(routes, row) for row in rows],
        total,
        params,
        path=routes.collection(),
        collection_rel="/rels/segments-collection",
        affordances=[*_affordances(routes), *routes.home()],
    )


def segments_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    body = envelope(
        [segment_item(V1_ROUTES, row) for row in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.collection(),
        collection_rel="/rels/segments-collection",
    )
    body["_links"] += _affordances(V1_ROUTES)
    return body


def segment_count(routes: Routes, tree: dict, total: int, active: int) -> dict:
    return {
        "match": tree["match"],
        "conditions": ordered(tree["conditions"]),
        "count": total,
        "activeCount": active,
        "_links": [
            link(routes.count(), "self /rels/count-segment", "Count again"),
            link(routes.collection(), "/rels/create-segment", "Save as a segment"),
            link(routes.collection(), "parent /rels/segments-collection", "Segments"),
            *routes.home(),
        ],
    }


def segment_subscribers_page(account_name: str, segment, rows, memberships, total: int, params: PageParams) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [subscriber_item(account_name, row, memberships[row.pk]) for row in rows],
        total,
        params,
        path=routes.members(segment.pk),
        collection_rel="/rels/segment-subscribers",
        affordances=[link(routes.detail(segment.pk), "parent /rels/segment", "The segment"), *routes.home()],
    )


def segment_contacts_page(
    account_name: str, segment, page: Page, memberships, field_types, collection: Collection, query: Query
) -> dict:
    body = envelope(
        [contact(account_name, row, memberships[row.pk], field_types) for row in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.members(segment.pk),
        collection_rel="/rels/segment-subscribers",
    )
    body["_links"].append(link(V1_ROUTES.detail(segment.pk), "parent /rels/segment", "The segment"))
    return body
