from django.urls import path

from subscribers import views

urlpatterns = [
    path("lists/<id:list_id>/subscribers", views.ListSubscribersView.as_view(), name="list-subscribers"),
    path("lists/<id:list_id>/subscribers/<md5:email_md5>", views.ListSubscriberView.as_view(), name="list-subscriber"),
    path("subscribers", views.SubscriberCollectionView.as_view(), name="subscriber-collection"),
    path("subscribers/<md5:email_md5>", views.SubscriberDetailView.as_view(), name="subscriber-detail"),
    path(
        "subscribers/<md5:email_md5>/unsubscribe",
        views.SubscriberUnsubscribeView.as_view(),
        name="subscriber-unsubscribe",
    ),
]
