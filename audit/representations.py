"""Audit entries as both surfaces show them (only hrefs differ)."""

from urllib.parse import urlencode

from api.formats import iso
from api.links import SurfaceRoutes, link
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope
from audit.models import AuditEntry

REL = "/rels/audit-trail"


class Routes(SurfaceRoutes):
    """``audit-collection`` under an account, or ``v1-audit-collection``."""


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("audit", account_name)


V1_ROUTES = Routes("v1-audit")


def _body(entry: AuditEntry) -> dict:
    return {
        "auditId": entry.pk,
        "at": iso(entry.at),
        "actor": {"kind": entry.actor_kind, "id": entry.actor_id, "name": entry.actor_name},
        "action": entry.action,
        "objectType": entry.object_type,
        "objectId": entry.object_id,
        "requestId": entry.request_id,
        "details": entry.details,
    }


def audit_item(routes: Routes, entry: AuditEntry) -> dict:
    history = f"{routes.collection()}?{urlencode({'objectType': entry.object_type, 'objectId': entry.object_id})}"
    return {**_body(entry), "_links": [link(history, f"related {REL}", "The object's history")]}


def audit_page_body(account_name: str, rows, total: int, params: PageParams, filters: dict) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [audit_item(routes, row) for row in rows],
        total,
        params,
        path=routes.collection(),
        collection_rel=REL,
        affordances=routes.home(),
        filters=filters,
    )


def audit_v1_page_body(page: Page, collection: Collection, query: Query) -> dict:
    return envelope(
        [audit_item(V1_ROUTES, row) for row in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.collection(),
        collection_rel=REL,
    )
