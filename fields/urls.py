from django.urls import path

from fields.views import FieldCollectionView, FieldDetailView

urlpatterns = [
    path("fields", FieldCollectionView.as_view(), name="field-collection"),
    path("fields/<fieldname:field_name>", FieldDetailView.as_view(), name="field-detail"),
]
