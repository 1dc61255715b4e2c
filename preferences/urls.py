from django.urls import path

from preferences.views import PreferencesView

urlpatterns = [
    path("p/<str:token>", PreferencesView.as_view(), name="preferences"),
]
