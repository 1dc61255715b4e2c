from rest_framework import serializers

from accounts.models import ApiKey
from api.scopes import ALL_SCOPES


class ApiKeyInputSerializer(serializers.Serializer):
    """Scope names are checked by the service (400.59), and so are the expiry (400.60) and the creating key's own
    rights (403.6)."""

    name = serializers.CharField(max_length=ApiKey._meta.get_field("name").max_length)
    scopes = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1, max_length=len(ALL_SCOPES))
    expiresAt = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_name(self, value):
        return value.strip()
