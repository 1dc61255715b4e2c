from django.urls import path

from domains import views

urlpatterns = [
    path("domains", views.DomainCollectionView.as_view(), name="domain-collection"),
    path("domains/<id:domain_id>", views.DomainDetailView.as_view(), name="domain-detail"),
    path("domains/<id:domain_id>/verify", views.DomainVerifyView.as_view(), name="domain-verify"),
]
