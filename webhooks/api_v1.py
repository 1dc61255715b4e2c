"""Webhooks on the core REST surface: /api/v1/webhooks… The same services as the Blueprint surface."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from api.validation import validated
from webhooks import representations as rep
from webhooks.selectors import (
    DELIVERIES,
    WEBHOOKS,
    delivery_get,
    delivery_v1_page,
    webhook_get,
    webhook_v1_page,
)
from webhooks.serializers import WebhookInputSerializer, webhook_fields
from webhooks.services import (
    delivery_redeliver,
    webhook_create,
    webhook_delete,
    webhook_rotate_secret,
    webhook_update,
)

ROUTES = rep.V1_ROUTES


def _input(data) -> dict:
    return webhook_fields(validated(WebhookInputSerializer, data))


class V1WebhookCollectionView(V1View):
    scope = "webhooks"

    @extend_schema(
        operation_id="v1_webhooks_list",
        parameters=WEBHOOKS.parameters(),
        responses=responses({200: "webhooks-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, WEBHOOKS)
        page = webhook_v1_page(account=self.account, query=query)
        return hypermedia(rep.webhooks_v1_page(page, WEBHOOKS, query), "webhooks-page")

    @extend_schema(
        operation_id="v1_webhooks_create",
        request=request_body("webhook-input"),
        responses=responses({201: "webhook"}, extra_problems=(400, 409, 413, 415)),
    )
    def post(self, request):
        endpoint, secret = webhook_create(account=self.account, **_input(request.data))
        return hypermedia(
            rep.webhook_created_v1(endpoint, secret),
            "webhook",
            status=201,
            headers={"Location": ROUTES.detail(endpoint.pk)},
        )


class V1WebhookDetailView(V1View):
    scope = "webhooks"

    @extend_schema(operation_id="v1_webhooks_retrieve", responses=responses({200: "webhook"}, extra_problems=(404,)))
    def get(self, request, webhook_id):
        return hypermedia(
            rep.webhook_detail(ROUTES, webhook_get(account=self.account, webhook_id=webhook_id)), "webhook"
        )

    @extend_schema(
        operation_id="v1_webhooks_update",
        request=request_body("webhook-input"),
        responses=responses({200: "webhook"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, webhook_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        return hypermedia(
            rep.webhook_detail(ROUTES, webhook_update(endpoint=endpoint, **_input(request.data))), "webhook"
        )

    @extend_schema(operation_id="v1_webhooks_destroy", responses=responses({204: None}, extra_problems=(404,)))
    def delete(self, request, webhook_id):
        webhook_delete(endpoint=webhook_get(account=self.account, webhook_id=webhook_id))
        return Response(status=204)


class V1WebhookRotateSecretView(V1View):
    scope = "webhooks"

    @extend_schema(
        operation_id="v1_webhooks_rotate_secret",
        request=None,
        responses=responses({200: "webhook-secret"}, extra_problems=(404,)),
    )
    def post(self, request, webhook_id):
        endpoint, secret = webhook_rotate_secret(endpoint=webhook_get(account=self.account, webhook_id=webhook_id))
        return hypermedia(rep.webhook_secret(ROUTES, endpoint, secret, rep.ROTATED), "webhook-secret")


class V1WebhookDeliveriesView(V1View):
    scope = "webhooks"

    @extend_schema(
        operation_id="v1_webhooks_deliveries_list",
        parameters=DELIVERIES.parameters(),
        responses=responses({200: "webhook-deliveries-page"}, extra_problems=(400, 404)),
    )
    def get(self, request, webhook_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        query = parse_query(request, DELIVERIES)
        page = delivery_v1_page(endpoint=endpoint, query=query)
        return hypermedia(rep.deliveries_v1_page(endpoint.pk, page, DELIVERIES, query), "webhook-deliveries-page")


class V1WebhookDeliveryView(V1View):
    scope = "webhooks"

    @extend_schema(
        operation_id="v1_webhooks_delivery_retrieve",
        responses=responses({200: "webhook-delivery"}, extra_problems=(404,)),
    )
    def get(self, request, webhook_id, delivery_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        return hypermedia(
            rep.delivery_detail(ROUTES, delivery_get(endpoint=endpoint, delivery_id=delivery_id)), "webhook-delivery"
        )


class V1WebhookRedeliverView(V1View):
    scope = "webhooks"

    @extend_schema(
        operation_id="v1_webhooks_redeliver",
        request=None,
        responses=responses({202: "webhook-delivery"}, extra_problems=(404, 409)),
    )
    def post(self, request, webhook_id, delivery_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        delivery = delivery_redeliver(delivery=delivery_get(endpoint=endpoint, delivery_id=delivery_id))
        delivery = delivery_get(endpoint=endpoint, delivery_id=delivery.pk)
        return hypermedia(rep.delivery_detail(ROUTES, delivery), "webhook-delivery", status=202)
