from django.urls import path

from accounts import api_v1

urlpatterns = [
    path("keys", api_v1.V1ApiKeyCollectionView.as_view(), name="v1-key-collection"),
    path("keys/<id:key_id>", api_v1.V1ApiKeyDetailView.as_view(), name="v1-key-detail"),
    path("keys/<id:key_id>/revoke", api_v1.V1ApiKeyRevokeView.as_view(), name="v1-key-revoke"),
]
