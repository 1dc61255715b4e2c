from django.urls import path

from imports.views import ImportView

urlpatterns = [
    path("lists/<id:list_id>/subscribers/import", ImportView.as_view(), name="list-import"),
]
