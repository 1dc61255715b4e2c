from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import converters
from api.views import not_found

register_converter(converters.IdConverter, "id")
register_converter(converters.Md5Converter, "md5")
register_converter(converters.FieldNameConverter, "fieldname")

ACCOUNT = "accounts/<str:account_name>/"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="openapi-schema"), name="swagger-ui"),
    path(ACCOUNT, include("lists.urls")),
    path(ACCOUNT, include("subscribers.urls")),
    path(ACCOUNT, include("fields.urls")),
    path(ACCOUNT, include("tasks.urls")),
    path(ACCOUNT, include("imports.urls")),
    path(ACCOUNT, include("campaigns.urls")),
    path(ACCOUNT, include("segments.urls")),
    path(ACCOUNT, include("templates.urls")),
    path(ACCOUNT, include("consent.urls")),
    path(ACCOUNT, include("signup.urls")),
    path(ACCOUNT, include("domains.urls")),
    path(ACCOUNT, include("exports.urls")),
    path(ACCOUNT, include("webhooks.urls")),
    path(ACCOUNT, include("audit.urls")),
    path(ACCOUNT, include("accounts.urls")),
    path("api/v1/", include("campaigns.urls_v1")),
    path("api/v1/", include("emails.urls_v1")),
    path("api/v1/", include("subscribers.urls_v1")),
    path("api/v1/", include("segments.urls_v1")),
    path("api/v1/", include("signup.urls_v1")),
    path("api/v1/", include("domains.urls_v1")),
    path("api/v1/", include("templates.urls_v1")),
    path("api/v1/", include("exports.urls_v1")),
    path("api/v1/", include("providers.urls_v1")),
    path("api/v1/", include("webhooks.urls_v1")),
    path("api/v1/", include("audit.urls_v1")),
    path("api/v1/", include("accounts.urls_v1")),
    path("api/v1/analytics/", include("analytics.urls")),
    path("", include("campaigns.urls_public")),
    path("", include("consent.urls_public")),
    path("", include("preferences.urls")),
    path("", include("signup.urls_public")),
    path("", include("exports.urls_public")),
    path("", include("api.urls")),
    re_path(r"^.*$", csrf_exempt(not_found), name="no-route"),  # api/trailing_slash.py knows it by name
]

handler400 = "api.handlers.bad_request"
handler403 = "api.handlers.forbidden"
handler404 = "api.handlers.page_not_found"
handler500 = "api.handlers.server_error"
