"""API keys as both surfaces show them (only hrefs differ); the plaintext only in the answer that made it."""

from accounts.selectors import api_key_status
from api.formats import iso
from api.links import SurfaceRoutes, link
from api.members import MemberShape
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query


class Routes(SurfaceRoutes):
    """``key-…`` under an account, or ``v1-key-…``."""

    def detail(self, key_id: int) -> str:
        return self._url("detail", key_id=key_id)

    def revoke(self, key_id: int) -> str:
        return self._url("revoke", key_id=key_id)


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("key", account_name)


V1_ROUTES = Routes("v1-key")


def _body(api_key) -> dict:
    return {
        "keyId": api_key.pk,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "scopes": list(api_key.scopes),
        "status": api_key_status(api_key),
        "createdAt": iso(api_key.created_at),
        "lastUsedAt": iso(api_key.last_used_at),
        "expiresAt": iso(api_key.expires_at),
        "revokedAt": iso(api_key.revoked_at),
    }


def _member_links(routes: Routes, api_key) -> list[dict]:
    if api_key.revoked_at is not None:
        return []
    return [link(routes.revoke(api_key.pk), "/rels/revoke-api-key", "Revoke key")]


SHAPE = MemberShape(
    rel="/rels/api-key",
    title="API key",
    collection_rel="/rels/api-keys-collection",
    collection_title="API keys",
    create_rel="/rels/create-api-key",
    create_title="Create an API key",
    body=_body,
    member_links=_member_links,
)

api_key_detail = SHAPE.detail


def api_key_created(routes: Routes, api_key, raw_key: str) -> dict:
    """The new key with its plaintext ``key``: the only answer that ever shows it."""
    body = SHAPE.detail(routes, api_key)
    return {**{k: v for k, v in body.items() if k != "_links"}, "key": raw_key, "_links": body["_links"]}


def api_key_revoked_links(routes: Routes, api_key) -> list[dict]:
    return SHAPE.written_links(routes, api_key)


def api_keys_page(account_name: str, rows, total: int, params: PageParams, *, status: str | None) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [SHAPE.item(routes, row) for row in rows],
        total,
        params,
        path=routes.collection(),
        collection_rel=SHAPE.collection_rel,
        affordances=[link(routes.collection(), SHAPE.create_rel, SHAPE.create_title), *routes.home()],
        filters={"status": status},
    )


def api_keys_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    return SHAPE.v1_page(V1_ROUTES, page, collection, query)
