"""Webhook reads: the account's endpoints, an endpoint's delivery log."""

from django.db.models import Prefetch

from api.events import TYPES
from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from api.query import choice
from api.v1 import Collection, Filter, Page, Query, Sort, apply_filters, page_of
from webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, Event


def webhook_get(*, account, webhook_id: int) -> Endpoint:
    endpoint = Endpoint.objects.filter(account=account, pk=webhook_id).first()
    if endpoint is None:
        raise ApiProblem(NOT_FOUND, f"The account has no webhook {webhook_id}.")
    return endpoint


def webhook_page(*, account, params: PageParams) -> tuple[list[Endpoint], int]:
    rows = Endpoint.objects.filter(account=account).order_by("id")
    total = rows.count()  # at most WEBHOOK_MAX_ENDPOINTS
    return page_slice(rows, total, params), total


WEBHOOKS = Collection(
    "webhooks",
    sorts={
        "id": Sort("id", kind="int"),
        "url": Sort("url"),
        "createdAt": Sort("created_at", kind="datetime"),
        "updatedAt": Sort("updated_at", kind="datetime"),
    },
)


def webhook_v1_page(*, account, query: Query) -> Page:
    return page_of(Endpoint.objects.filter(account=account), WEBHOOKS, query)


def _deliveries(endpoint: Endpoint):
    attempts = Prefetch("attempt_rows", queryset=Attempt.objects.order_by("id"))
    return Delivery.objects.filter(endpoint=endpoint).select_related("event").prefetch_related(attempts)


def delivery_get(*, endpoint: Endpoint, delivery_id: int) -> Delivery:
    delivery = _deliveries(endpoint).filter(pk=delivery_id).first()
    if delivery is None:
        raise ApiProblem(NOT_FOUND, f"The webhook has no delivery {delivery_id}.")
    return delivery


def delivery_page(*, endpoint: Endpoint, params: PageParams) -> tuple[list[Delivery], int]:
    """Newest first; the total is the endpoint's own counter."""
    total = Endpoint.objects.filter(pk=endpoint.pk).values_list("deliveries_count", flat=True).get()
    return page_slice(_deliveries(endpoint).order_by("-id"), total, params), total


DELIVERIES = Collection(
    "webhook-deliveries",
    sorts={"id": Sort("id", kind="int"), "createdAt": Sort("created_at", kind="datetime")},
    filters={
        "status": Filter(
            choice(DeliveryStatus.values),
            lambda rows, value: rows.filter(status=value),
            "pending, delivered or failed.",
        ),
        "eventType": Filter(choice(TYPES), lambda rows, value: rows.filter(event__type=value), "An event type."),
    },
)


def delivery_v1_page(*, endpoint: Endpoint, query: Query) -> Page:
    rows = apply_filters(_deliveries(endpoint), DELIVERIES, query)
    count = None if query.filters else (lambda: Endpoint.objects.get(pk=endpoint.pk).deliveries_count)
    return page_of(rows, DELIVERIES, query, count=count)


def webhook_work_pending() -> bool:
    """Whether an event waits to be dispatched or a delivery to be attempted (the sweeper keeps running)."""
    return (
        Event.objects.filter(dispatched_at__isnull=True).exists()
        or Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()
    )
