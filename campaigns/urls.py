from django.urls import path

from campaigns import views

urlpatterns = [
    path("campaigns", views.CampaignCollectionView.as_view(), name="campaign-collection"),
    path("campaigns/<id:campaign_id>", views.CampaignDetailView.as_view(), name="campaign-detail"),
    *[
        path(f"campaigns/<id:campaign_id>/{name}", views.campaign_action_view(name).as_view(), name=f"campaign-{name}")
        for name in views.ACTIONS
    ],
    path("campaigns/<id:campaign_id>/preview", views.campaign_preview_view().as_view(), name="campaign-preview"),
    path("campaigns/<id:campaign_id>/test", views.campaign_test_view().as_view(), name="campaign-test"),
    path("campaigns/<id:campaign_id>/winner", views.campaign_winner_view().as_view(), name="campaign-winner"),
]
