"""Webhooks and their delivery log as both surfaces show them (only hrefs differ)."""

from api.formats import iso
from api.links import SurfaceRoutes, link
from api.members import MemberShape
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope
from webhooks.delivery import message_id
from webhooks.models import Delivery, DeliveryStatus
from webhooks.subscriptions import listening


class Routes(SurfaceRoutes):
    """``webhook-…`` under an account, or ``v1-webhook-…``."""

    def detail(self, webhook_id: int) -> str:
        return self._url("detail", webhook_id=webhook_id)

    def rotate(self, webhook_id: int) -> str:
        return self._url("rotate-secret", webhook_id=webhook_id)

    def deliveries(self, webhook_id: int) -> str:
        return self._url("deliveries", webhook_id=webhook_id)

    def delivery(self, webhook_id: int, delivery_id: int) -> str:
        return self._url("delivery", webhook_id=webhook_id, delivery_id=delivery_id)

    def redeliver(self, webhook_id: int, delivery_id: int) -> str:
        return self._url("redeliver", webhook_id=webhook_id, delivery_id=delivery_id)


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("webhook", account_name)


V1_ROUTES = Routes("v1-webhook")
ROTATED = "Secret rotated: keep it, it is not shown again; the previous one also signs for 24 hours"
REDELIVERED = "Delivery queued: it is sent again now, and retried as a new one would be"


def disabled(endpoint) -> dict | None:
    if endpoint.enabled:
        return None
    return {"reason": endpoint.disabled_reason, "detail": endpoint.disabled_detail, "at": iso(endpoint.disabled_at)}


def _body(endpoint) -> dict:
    return {
        "webhookId": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "eventTypes": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "disabled": disabled(endpoint),
        "consecutiveFailures": endpoint.failures,
        "createdAt": iso(endpoint.created_at),
        "updatedAt": iso(endpoint.updated_at),
    }


def _member_links(routes: Routes, endpoint) -> list[dict]:
    href = routes.detail(endpoint.pk)
    return [
        link(href, "edit /rels/edit-webhook", "Edit webhook"),
        link(href, "delete /rels/delete-webhook", "Delete webhook"),
        link(routes.deliveries(endpoint.pk), "/rels/webhook-deliveries", "Delivery log"),
        link(routes.rotate(endpoint.pk), "/rels/rotate-webhook-secret", "Rotate the signing secret"),
    ]


SHAPE = MemberShape(
    rel="/rels/webhook",
    title="Webhook details",
    collection_rel="/rels/webhooks-collection",
    collection_title="Webhooks",
    create_rel="/rels/create-webhook",
    create_title="Create a webhook",
    body=_body,
    member_links=_member_links,
)

webhook_item = SHAPE.item
webhook_detail = SHAPE.detail
webhook_written_links = SHAPE.written_links
webhook_deleted_links = SHAPE.deleted_links


def webhooks_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    return SHAPE.page(hypermedia_routes(account_name), rows, total, params)


def webhooks_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    return SHAPE.v1_page(V1_ROUTES, page, collection, query)


def webhook_created_v1(endpoint, secret: str) -> dict:
    """/api/v1's answer to a create: the webhook, with its secret (never shown again)."""
    body = webhook_detail(V1_ROUTES, endpoint)
    return {**{k: v for k, v in body.items() if k != "_links"}, "secret": secret, "_links": body["_links"]}


def webhook_secret(routes: Routes, endpoint, secret: str, text: str) -> dict:
    """The answer that gives a secret out (a create on the Blueprint surface, a rotation on both)."""
    return {
        "message": text,
        "webhookId": endpoint.pk,
        "secret": secret,
        "_links": webhook_written_links(routes, endpoint),
    }


# ------------------------------------------------------------------------------------------- the delivery log


def _attempt(row) -> dict:
    return {"at": iso(row.at), "statusCode": row.status_code, "durationMs": row.duration_ms, "error": row.error}


def _delivery_body(delivery: Delivery) -> dict:
    event = delivery.event
    return {
        "deliveryId": delivery.pk,
        "webhookId": delivery.endpoint_id,
        "eventId": message_id(event),
        "eventType": event.type,
        "status": delivery.status,
        "attemptsCount": delivery.attempts,
        "nextAttemptAt": iso(delivery.next_attempt_at) if delivery.status == DeliveryStatus.PENDING else None,
        "lastError": delivery.last_error,
        "createdAt": iso(delivery.created_at),
        "finishedAt": iso(delivery.finished_at),
        "attempts": [_attempt(row) for row in delivery.attempt_rows.all()],
        "event": {"type": event.type, "timestamp": iso(event.created_at), "data": event.data},
    }


def _delivery_links(routes: Routes, delivery: Delivery) -> list[dict]:
    return [link(routes.redeliver(delivery.endpoint_id, delivery.pk), "/rels/redeliver-webhook", "Send it again")]


def _delivery_parent(routes: Routes, webhook_id: int) -> list[dict]:
    return [
        link(routes.deliveries(webhook_id), "parent /rels/webhook-deliveries", "Delivery log"),
        link(routes.detail(webhook_id), "related /rels/webhook", "Webhook details"),
        *routes.home(),
    ]


def delivery_item(routes: Routes, delivery: Delivery) -> dict:
    own = link(routes.delivery(delivery.endpoint_id, delivery.pk), "item /rels/webhook-delivery", "Delivery")
    return {**_delivery_body(delivery), "_links": [own, *_delivery_links(routes, delivery)]}


def delivery_detail(routes: Routes, delivery: Delivery) -> dict:
    own = link(routes.delivery(delivery.endpoint_id, delivery.pk), "self /rels/webhook-delivery", "Delivery")
    links = [own, *_delivery_links(routes, delivery), *_delivery_parent(routes, delivery.endpoint_id)]
    return {**_delivery_body(delivery), "_links": links}


def redelivered_links(routes: Routes, delivery: Delivery) -> list[dict]:
    own = link(routes.delivery(delivery.endpoint_id, delivery.pk), "related /rels/webhook-delivery", "Delivery")
    return [own, *_delivery_parent(routes, delivery.endpoint_id)]


def deliveries_page(account_name: str, webhook_id: int, rows, total: int, params: PageParams) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [delivery_item(routes, row) for row in rows],
        total,
        params,
        path=routes.deliveries(webhook_id),
        collection_rel="/rels/webhook-deliveries",
        affordances=[link(routes.detail(webhook_id), "related /rels/webhook", "Webhook details"), *routes.home()],
    )


def deliveries_v1_page(webhook_id: int, page: Page, collection: Collection, query: Query) -> dict:
    body = envelope(
        [delivery_item(V1_ROUTES, row) for row in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.deliveries(webhook_id),
        collection_rel="/rels/webhook-deliveries",
    )
    body["_links"].append(link(V1_ROUTES.detail(webhook_id), "related /rels/webhook", "Webhook details"))
    return body


def account_notices(account) -> list[dict]:
    """What the account index tells the account: each webhook the server disabled (from the listeners' cache)."""
    return [
        {
            "type": "webhook-disabled",
            "detail": f"Webhook {item.endpoint_id} ({item.url}) was disabled on {iso(item.at)}: {item.detail}. "
            'PUT it with "enabled": true once it answers again.',
            "href": hypermedia_routes(account.name).detail(item.endpoint_id),
        }
        for item in listening(account.pk).disabled
    ]
