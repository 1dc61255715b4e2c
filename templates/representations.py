"""Templates as both surfaces show them (only hrefs differ)."""

from dataclasses import dataclass

from api.formats import iso
from api.links import account_home, link, url
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope


@dataclass(frozen=True)
class Routes:
    """Route names of one surface: ``template-…`` under an account, or ``v1-template-…``."""

    prefix: str
    account_name: str | None = None

    def _url(self, name: str, **kwargs) -> str:
        if self.account_name is not None:
            kwargs["account_name"] = self.account_name
        return url(f"{self.prefix}-{name}", **kwargs)

    def collection(self) -> str:
        return self._url("collection")

    def detail(self, template_id: int) -> str:
        return self._url("detail", template_id=template_id)

    def home(self) -> list[dict]:
        return [account_home(self.account_name)] if self.account_name is not None else []


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("template", account_name)


V1_ROUTES = Routes("v1-template")


def template_href(account_name: str | None, template_id: int) -> str:
    """A template's URL on the Blueprint surface (``account_name``) or on /api/v1 (None): campaigns link to it."""
    return (hypermedia_routes(account_name) if account_name is not None else V1_ROUTES).detail(template_id)


def _body(template) -> dict:
    return {
        "templateId": template.pk,
        "name": template.name,
        "html": template.html,
        "text": template.text,
        "createdAt": iso(template.created_at),
        "updatedAt": iso(template.updated_at),
    }


def _member_links(routes: Routes, template) -> list[dict]:
    href = routes.detail(template.pk)
    return [
        link(href, "edit /rels/edit-template", "Edit template"),
        link(href, "delete /rels/delete-template", "Delete template"),
    ]


def template_item(routes: Routes, template) -> dict:
    return {
        **_body(template),
        "_links": [
            link(routes.detail(template.pk), "item /rels/template", "Template details"),
            *_member_links(routes, template),
        ],
    }


def template_detail(routes: Routes, template) -> dict:
    return {
        **_body(template),
        "_links": [
            link(routes.detail(template.pk), "self /rels/template", "Template details"),
            *_member_links(routes, template),
            link(routes.collection(), "parent /rels/templates-collection", "Templates"),
            *routes.home(),
        ],
    }


def template_written_links(routes: Routes, template) -> list[dict]:
    return [
        link(routes.detail(template.pk), "related /rels/template", "Template details"),
        *_member_links(routes, template),
        link(routes.collection(), "parent /rels/templates-collection", "Templates"),
        *routes.home(),
    ]


def template_deleted_links(routes: Routes) -> list[dict]:
    return [link(routes.collection(), "parent /rels/templates-collection", "Templates"), *routes.home()]


def templates_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [template_item(routes, row) for row in rows],
        total,
        params,
        path=routes.collection(),
        collection_rel="/rels/templates-collection",
        affordances=[link(routes.collection(), "/rels/create-template", "Create a template"), *routes.home()],
    )


def templates_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    body = envelope(
        [template_item(V1_ROUTES, row) for row in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.collection(),
        collection_rel="/rels/templates-collection",
    )
    body["_links"].append(link(V1_ROUTES.collection(), "/rels/create-template", "Create a template"))
    return body
