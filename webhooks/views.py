"""Webhooks on the Blueprint surface: /accounts/{accountName}/webhooks…"""

from drf_spectacular.utils import extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from webhooks import representations as rep
from webhooks.selectors import delivery_get, delivery_page, webhook_get, webhook_page
from webhooks.serializers import WebhookInputSerializer, webhook_fields
from webhooks.services import (
    delivery_redeliver,
    webhook_create,
    webhook_delete,
    webhook_rotate_secret,
    webhook_update,
)

CREATED = "Webhook created: keep its secret, it is not shown again"


def _input(data) -> dict:
    return webhook_fields(validated(WebhookInputSerializer, data))


class WebhookCollectionView(AccountScopedView):
    scope = "webhooks"

    @extend_schema(
        operation_id="webhooks_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "webhooks-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        rows, total = webhook_page(account=self.account, params=params)
        return hypermedia(rep.webhooks_page(self.account.name, rows, total, params), "webhooks-collection")

    @extend_schema(
        operation_id="webhooks_create",
        request=request_body("webhook-input"),
        responses=responses({201: "webhook-secret"}, extra_problems=(400, 409, 413, 415)),
    )
    def post(self, request, account_name):
        endpoint, secret = webhook_create(account=self.account, **_input(request.data))
        routes = rep.hypermedia_routes(self.account.name)
        return hypermedia(
            rep.webhook_secret(routes, endpoint, secret, CREATED),
            "webhook-secret",
            status=201,
            headers={"Location": routes.detail(endpoint.pk)},
        )


class WebhookDetailView(AccountScopedView):
    scope = "webhooks"

    @extend_schema(operation_id="webhooks_retrieve", responses=responses({200: "webhook"}, extra_problems=(404,)))
    def get(self, request, account_name, webhook_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        return hypermedia(rep.webhook_detail(rep.hypermedia_routes(self.account.name), endpoint), "webhook")

    @extend_schema(
        operation_id="webhooks_update",
        request=request_body("webhook-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, account_name, webhook_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        endpoint = webhook_update(endpoint=endpoint, **_input(request.data))
        return message("Webhook updated", rep.webhook_written_links(rep.hypermedia_routes(self.account.name), endpoint))

    @extend_schema(operation_id="webhooks_destroy", responses=responses({200: "message"}, extra_problems=(404,)))
    def delete(self, request, account_name, webhook_id):
        webhook_delete(endpoint=webhook_get(account=self.account, webhook_id=webhook_id))
        return message("Webhook deleted", rep.webhook_deleted_links(rep.hypermedia_routes(self.account.name)))


class WebhookRotateSecretView(AccountScopedView):
    scope = "webhooks"

    @extend_schema(
        operation_id="webhooks_rotate_secret",
        request=None,
        responses=responses({200: "webhook-secret"}, extra_problems=(404,)),
    )
    def post(self, request, account_name, webhook_id):
        endpoint, secret = webhook_rotate_secret(endpoint=webhook_get(account=self.account, webhook_id=webhook_id))
        routes = rep.hypermedia_routes(self.account.name)
        return hypermedia(rep.webhook_secret(routes, endpoint, secret, rep.ROTATED), "webhook-secret")


class WebhookDeliveriesView(AccountScopedView):
    scope = "webhooks"

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "webhook-deliveries"}, extra_problems=(400, 404)),
    )
    def get(self, request, account_name, webhook_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        params = page_params(request)
        rows, total = delivery_page(endpoint=endpoint, params=params)
        return hypermedia(
            rep.deliveries_page(self.account.name, endpoint.pk, rows, total, params), "webhook-deliveries"
        )


class WebhookDeliveryView(AccountScopedView):
    scope = "webhooks"

    @extend_schema(
        operation_id="webhooks_delivery_retrieve",
        responses=responses({200: "webhook-delivery"}, extra_problems=(404,)),
    )
    def get(self, request, account_name, webhook_id, delivery_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        delivery = delivery_get(endpoint=endpoint, delivery_id=delivery_id)
        return hypermedia(rep.delivery_detail(rep.hypermedia_routes(self.account.name), delivery), "webhook-delivery")


class WebhookRedeliverView(AccountScopedView):
    scope = "webhooks"

    @extend_schema(
        operation_id="webhooks_redeliver",
        request=None,
        responses=responses({202: "message"}, extra_problems=(404, 409)),
    )
    def post(self, request, account_name, webhook_id, delivery_id):
        endpoint = webhook_get(account=self.account, webhook_id=webhook_id)
        delivery = delivery_redeliver(delivery=delivery_get(endpoint=endpoint, delivery_id=delivery_id))
        routes = rep.hypermedia_routes(self.account.name)
        return message(rep.REDELIVERED, rep.redelivered_links(routes, delivery), status=202)
