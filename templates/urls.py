from django.urls import path

from templates import views

urlpatterns = [
    path("templates", views.TemplateCollectionView.as_view(), name="template-collection"),
    path("templates/<id:template_id>", views.TemplateDetailView.as_view(), name="template-detail"),
]
