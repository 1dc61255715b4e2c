from django.urls import path

from webhooks import api_v1

urlpatterns = [
    path("webhooks", api_v1.V1WebhookCollectionView.as_view(), name="v1-webhook-collection"),
    path("webhooks/<id:webhook_id>", api_v1.V1WebhookDetailView.as_view(), name="v1-webhook-detail"),
    path(
        "webhooks/<id:webhook_id>/rotate-secret",
        api_v1.V1WebhookRotateSecretView.as_view(),
        name="v1-webhook-rotate-secret",
    ),
    path("webhooks/<id:webhook_id>/deliveries", api_v1.V1WebhookDeliveriesView.as_view(), name="v1-webhook-deliveries"),
    path(
        "webhooks/<id:webhook_id>/deliveries/<id:delivery_id>",
        api_v1.V1WebhookDeliveryView.as_view(),
        name="v1-webhook-delivery",
    ),
    path(
        "webhooks/<id:webhook_id>/deliveries/<id:delivery_id>/redeliver",
        api_v1.V1WebhookRedeliverView.as_view(),
        name="v1-webhook-redeliver",
    ),
]
