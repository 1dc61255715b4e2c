from django.urls import path

from segments import views

urlpatterns = [
    path("segments", views.SegmentCollectionView.as_view(), name="segment-collection"),
    path("segments/count", views.SegmentCountView.as_view(), name="segment-count"),
    path("segments/<id:segment_id>", views.SegmentDetailView.as_view(), name="segment-detail"),
    path("segments/<id:segment_id>/subscribers", views.SegmentSubscribersView.as_view(), name="segment-subscribers"),
]
