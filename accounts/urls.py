from django.urls import path

from accounts import views

urlpatterns = [
    path("keys", views.ApiKeyCollectionView.as_view(), name="key-collection"),
    path("keys/<id:key_id>", views.ApiKeyDetailView.as_view(), name="key-detail"),
    path("keys/<id:key_id>/revoke", views.ApiKeyRevokeView.as_view(), name="key-revoke"),
]
