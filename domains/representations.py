"""Sending domains as both surfaces show them (only hrefs differ)."""

from dataclasses import dataclass

from api.formats import iso
from api.links import account_home, link, url
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope
from domains.records import records


@dataclass(frozen=True)
class Routes:
    """Route names of one surface: ``domain-…`` under an account, or ``v1-domain-…``."""

    prefix: str
    account_name: str | None = None

    def _url(self, name: str, **kwargs) -> str:
        if self.account_name is not None:
            kwargs["account_name"] = self.account_name
        return url(f"{self.prefix}-{name}", **kwargs)

    def collection(self) -> str:
        return self._url("collection")

    def detail(self, domain_id: int) -> str:
        return self._url("detail", domain_id=domain_id)

    def verify(self, domain_id: int) -> str:
        return self._url("verify", domain_id=domain_id)

    def home(self) -> list[dict]:
        return [account_home(self.account_name)] if self.account_name is not None else []


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


def domain_item(routes: Routes, domain) -> dict:
    return {
        **_body(domain),
        "_links": [
            link(routes.detail(domain.pk), "item /rels/domain", "Sending domain"),
            *_member_links(routes, domain),
        ],
    }


def domain_detail(routes: Routes, domain) -> dict:
    return {
        **_body(domain),
        "_links": [
            link(routes.detail(domain.pk), "self /rels/domain", "Sending domain"),
            *_member_links(routes, domain),
            link(routes.collection(), "parent /rels/domains-collection", "Sending domains"),
            *routes.home(),
        ],
    }


def domain_written_links(routes: Routes, domain) -> list[dict]:
    return [
        link(routes.detail(domain.pk), "related /rels/domain", "Sending domain"),
        *_member_links(routes, domain),
        link(routes.collection(), "parent /rels/domains-collection", "Sending domains"),
        *routes.home(),
    ]


def domain_deleted_links(routes: Routes) -> list[dict]:
    return [link(routes.collection(), "parent /rels/domains-collection", "Sending domains"), *routes.home()]


def _affordances(routes: Routes) -> list[dict]:
    return [link(routes.collection(), "/rels/create-domain", "Add a sending domain")]


def domains_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [domain_item(routes, row) for row in rows],
        total,
        params,
        path=routes.collection(),
        collection_rel="/rels/domains-collection",
        affordances=[*_affordances(routes), *routes.home()],
    )


def domains_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    body = envelope(
        [domain_item(V1_ROUTES, row) for row in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.collection(),
        collection_rel="/rels/domains-collection",
    )
    body["_links"] += _affordances(V1_ROUTES)
    return body
