"""Templates as both surfaces show them (only hrefs differ)."""

from api.formats import iso
from api.links import SurfaceRoutes, link
from api.members import MemberShape
from api.pagination import PageParams
from api.v1 import Collection, Page, Query


class Routes(SurfaceRoutes):
    """``template-…`` under an account, or ``v1-template-…``."""

    def detail(self, template_id: int) -> str:
        return self._url("detail", template_id=template_id)


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


SHAPE = MemberShape(
    rel="/rels/template",
    title="Template details",
    collection_rel="/rels/templates-collection",
    collection_title="Templates",
    create_rel="/rels/create-template",
    create_title="Create a template",
    body=_body,
    member_links=_member_links,
)

template_item = SHAPE.item
template_detail = SHAPE.detail
template_written_links = SHAPE.written_links
template_deleted_links = SHAPE.deleted_links


def templates_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    return SHAPE.page(hypermedia_routes(account_name), rows, total, params)


def templates_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    return SHAPE.v1_page(V1_ROUTES, page, collection, query)
