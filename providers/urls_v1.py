from django.urls import path

from providers.views import ProviderWebhookView

urlpatterns = [
    path("webhooks/providers/<str:provider>", ProviderWebhookView.as_view(), name="v1-provider-webhook"),
]
