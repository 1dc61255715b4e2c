from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    """A per-API-key request budget per minute (``API_RATE_LIMIT_PER_MINUTE``)."""

    scope = "api-key"

    def get_rate(self):
        return f"{settings.API_RATE_LIMIT_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        api_key = getattr(request, "auth", None)
        if api_key is None or not hasattr(api_key, "pk"):
            return None
        return f"throttle:api-key:{api_key.pk}"
