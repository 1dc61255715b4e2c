"""The real routes plus views that exist only to provoke errors in tests."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as real_urlpatterns


class EchoView(APIView):
    def post(self, request):
        return Response({"received": request.data})


class ExplodingView(APIView):
    def get(self, request):
        raise RuntimeError("secret internals that must not leak")


def exploding_django_view(request):
    raise RuntimeError("secret internals that must not leak")


urlpatterns = [
    path("test/echo", EchoView.as_view()),
    path("test/explode", ExplodingView.as_view()),
    path("test/explode-django", exploding_django_view),
    path("", include(real_urlpatterns)),
]
