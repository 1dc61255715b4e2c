from rest_framework import serializers

MAX_LAYOUT = 1024 * 1024  # as a campaign's content (campaigns/serializers.py)


class TemplateInputSerializer(serializers.Serializer):
    """Its slot and merge tags are checked by the service (400.44), against the account's fields."""

    name = serializers.CharField(max_length=200)
    html = serializers.CharField(max_length=MAX_LAYOUT, trim_whitespace=False)
    text = serializers.CharField(
        max_length=MAX_LAYOUT, allow_blank=True, required=False, default="", trim_whitespace=False
    )

    def validate_name(self, value):
        return value.strip()
