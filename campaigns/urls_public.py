from django.urls import path

from campaigns import public_views

urlpatterns = [
    path("t/o/<str:token>", public_views.OpenPixelView.as_view(), name="track-open"),
    path("t/c/<str:token>/<int:position>", public_views.ClickView.as_view(), name="track-click"),
    path("u/<str:token>", public_views.UnsubscribeView.as_view(), name="unsubscribe"),
]
