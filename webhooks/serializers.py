from rest_framework import serializers

from api.events import TYPES

MAX_URL = 2000


class WebhookInputSerializer(serializers.Serializer):
    """The whole webhook (POST and PUT): where it points, what it listens to. Its URL's host is checked by the
    service (400.51); its secret is the server's to make."""

    url = serializers.URLField(max_length=MAX_URL)
    eventTypes = serializers.ListField(
        child=serializers.ChoiceField(choices=TYPES), min_length=1, max_length=len(TYPES) * 2
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    enabled = serializers.BooleanField(required=False, default=True)

    def validate_eventTypes(self, value):
        return list(dict.fromkeys(value))  # each once, in the order given

    def validate_description(self, value):
        return value.strip()


def webhook_fields(data: dict) -> dict:
    """The services' keywords, from the validated body."""
    return {
        "url": data["url"],
        "event_types": data["eventTypes"],
        "description": data["description"],
        "enabled": data["enabled"],
    }
