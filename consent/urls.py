from django.urls import path

from consent import views

urlpatterns = [
    path(
        "lists/<id:list_id>/subscribers/<md5:email_md5>/confirmation",
        views.ConfirmationView.as_view(),
        name="list-subscriber-confirmation",
    ),
]
