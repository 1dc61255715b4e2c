from rest_framework import serializers


class ListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, trim_whitespace=True, allow_blank=False)
    active = serializers.BooleanField(required=False)
