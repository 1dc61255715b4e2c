from django.urls import path

from exports.views import V1ExportCollectionView

urlpatterns = [path("exports", V1ExportCollectionView.as_view(), name="v1-export-collection")]
