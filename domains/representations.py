"""Sending domains as both surfaces show them (only hrefs differ)."""

from api.formats import iso
from api.links import SurfaceRoutes, link
from api.members import MemberShape
from api.pagination import PageParams
from api.v1 import Collection, Page, Query
from domains.records import records


class Routes(SurfaceRoutes):
    """``domain-…`` under an account, or ``v1-domain-…``."""

    def detail(self, domain_id: int) -> str:
        return self._url("detail", domain_id=domain_id)

    def verify(self, domain_id: int) -> str:
        return self._url("verify", domain_id=domain_id)


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("domain", account_name)


V1_ROUTES = Routes("v1-domain")


def _body(domain) -> dict:
    return {
        "domainId": domain.pk,
        "domain": domain.name,
        "status": domain.status,
        "selector": domain.selector,
        "dnsRecords": records(domain),
        "createdAt": iso(domain.created_at),
        "checkedAt": iso(domain.checked_at) if domain.checked_at else None,
        "verifiedAt": iso(domain.verified_at) if domain.verified_at else None,
    }


def _member_links(routes: Routes, domain) -> list[dict]:
    return [
        link(routes.verify(domain.pk), "/rels/verify-domain", "Verify the DNS records"),
        link(routes.detail(domain.pk), "delete /rels/delete-domain", "Delete sending domain"),
    ]


SHAPE = MemberShape(
    rel="/rels/domain",
    title="Sending domain",
    collection_rel="/rels/domains-collection",
    collection_title="Sending domains",
    create_rel="/rels/create-domain",
    create_title="Add a sending domain",
    body=_body,
    member_links=_member_links,
)

domain_item = SHAPE.item
domain_detail = SHAPE.detail
domain_written_links = SHAPE.written_links
domain_deleted_links = SHAPE.deleted_links


def domains_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    return SHAPE.page(hypermedia_routes(account_name), rows, total, params)


def domains_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    return SHAPE.v1_page(V1_ROUTES, page, collection, query)
