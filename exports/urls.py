from django.urls import path

from exports.views import ExportCollectionView

urlpatterns = [path("exports", ExportCollectionView.as_view(), name="export-collection")]
