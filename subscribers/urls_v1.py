from django.urls import path

from subscribers import api_v1

urlpatterns = [
    path("contacts", api_v1.V1ContactCollectionView.as_view(), name="v1-contact-collection"),
    path("contacts/<md5:email_md5>", api_v1.V1ContactDetailView.as_view(), name="v1-contact-detail"),
]
