from django.urls import path

from segments import api_v1

urlpatterns = [
    path("segments", api_v1.V1SegmentCollectionView.as_view(), name="v1-segment-collection"),
    path("segments/count", api_v1.V1SegmentCountView.as_view(), name="v1-segment-count"),
    path("segments/<id:segment_id>", api_v1.V1SegmentDetailView.as_view(), name="v1-segment-detail"),
    path("segments/<id:segment_id>/contacts", api_v1.V1SegmentContactsView.as_view(), name="v1-segment-contacts"),
]
