from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from api import docs_views
from api.decorators import get_only
from api.health import HealthView, ReadyView
from api.views import AccountIndexView, RootView


def _doc(view):
    return csrf_exempt(get_only(view))


urlpatterns = [
    path("", RootView.as_view(), name="root"),
    path("accounts/<str:account_name>", AccountIndexView.as_view(), name="account-index"),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("readyz", ReadyView.as_view(), name="readyz"),
    path("rels", _doc(docs_views.rel_index), name="rel-index"),
    path("rels/<str:name>", _doc(docs_views.rel_detail), name="rel-detail"),
    path("models", _doc(docs_views.model_index), name="model-index"),
    path("models/<str:name>", _doc(docs_views.model_detail), name="model-detail"),
    path("errors", _doc(docs_views.error_index), name="error-index"),
    path("errors/<str:key>", _doc(docs_views.error_detail), name="error-detail"),
    path("schemas", _doc(docs_views.schema_index), name="schema-index"),
    path("schemas/<str:name>", _doc(docs_views.schema_detail), name="schema-detail"),
]
