from django.urls import path

from imports.views import ImportAliasView, ImportView

urlpatterns = [
    path("lists/<id:list_id>/subscribers/import", ImportView.as_view(), name="list-import"),
    # The href the received Blueprint's list-subscribers collection gives: the same endpoint.
    path("lists/<id:list_id>/import", ImportAliasView.as_view(), name="list-import-alias"),
]
