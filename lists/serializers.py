from rest_framework import serializers


class ListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, trim_whitespace=True, allow_blank=False)
    active = serializers.BooleanField(required=False)
    public = serializers.BooleanField(required=False)
    publicName = serializers.CharField(max_length=100, trim_whitespace=True, allow_blank=True, required=False)
    publicDescription = serializers.CharField(max_length=300, trim_whitespace=True, allow_blank=True, required=False)


def list_options(data: dict) -> dict:
    """The optional members given, as the services' keywords (absent ones are left out)."""
    names = {
        "active": "active",
        "public": "public",
        "publicName": "public_name",
        "publicDescription": "public_description",
    }
    return {keyword: data[member] for member, keyword in names.items() if member in data}
