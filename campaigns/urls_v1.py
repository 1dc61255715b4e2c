from django.urls import path

from campaigns import api_v1
from campaigns.views import ACTIONS
from campaigns.webhooks import BounceWebhookView

urlpatterns = [
    path("campaigns", api_v1.V1CampaignCollectionView.as_view(), name="v1-campaign-collection"),
    path("campaigns/<id:campaign_id>", api_v1.V1CampaignDetailView.as_view(), name="v1-campaign-detail"),
    *[
        path(f"campaigns/<id:campaign_id>/{name}", api_v1.v1_action_view(name).as_view(), name=f"v1-campaign-{name}")
        for name in ACTIONS
    ],
    path("campaigns/<id:campaign_id>/preview", api_v1.V1CampaignPreviewView.as_view(), name="v1-campaign-preview"),
    path("campaigns/<id:campaign_id>/test", api_v1.V1CampaignTestView.as_view(), name="v1-campaign-test"),
    path("campaigns/<id:campaign_id>/winner", api_v1.V1CampaignWinnerView.as_view(), name="v1-campaign-winner"),
    path("webhooks/bounces", BounceWebhookView.as_view(), name="v1-bounce-webhook"),
]
