from django.urls import path

from webhooks import views

urlpatterns = [
    path("webhooks", views.WebhookCollectionView.as_view(), name="webhook-collection"),
    path("webhooks/<id:webhook_id>", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<id:webhook_id>/rotate-secret", views.WebhookRotateSecretView.as_view(), name="webhook-rotate-secret"
    ),
    path("webhooks/<id:webhook_id>/deliveries", views.WebhookDeliveriesView.as_view(), name="webhook-deliveries"),
    path(
        "webhooks/<id:webhook_id>/deliveries/<id:delivery_id>",
        views.WebhookDeliveryView.as_view(),
        name="webhook-delivery",
    ),
    path(
        "webhooks/<id:webhook_id>/deliveries/<id:delivery_id>/redeliver",
        views.WebhookRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
