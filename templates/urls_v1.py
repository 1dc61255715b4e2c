from django.urls import path

from templates import api_v1

urlpatterns = [
    path("templates", api_v1.V1TemplateCollectionView.as_view(), name="v1-template-collection"),
    path("templates/<id:template_id>", api_v1.V1TemplateDetailView.as_view(), name="v1-template-detail"),
]
