from django.urls import path

from consent import public_views

urlpatterns = [path("c/<str:token>", public_views.ConfirmView.as_view(), name="consent-confirm")]
