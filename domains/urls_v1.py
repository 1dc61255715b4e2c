from django.urls import path

from domains import api_v1

urlpatterns = [
    path("domains", api_v1.V1DomainCollectionView.as_view(), name="v1-domain-collection"),
    path("domains/<id:domain_id>", api_v1.V1DomainDetailView.as_view(), name="v1-domain-detail"),
    path("domains/<id:domain_id>/verify", api_v1.V1DomainVerifyView.as_view(), name="v1-domain-verify"),
]
