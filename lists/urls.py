from django.urls import path

from lists.views import ListCollectionView, ListDetailView

urlpatterns = [
    path("lists", ListCollectionView.as_view(), name="list-collection"),
    path("lists/<id:list_id>", ListDetailView.as_view(), name="list-detail"),
]
