from rest_framework import serializers

from segments.conditions import MATCHES


class ConditionTreeSerializer(serializers.Serializer):
    """``match`` and ``conditions``; each condition is checked against the account by the service, which names
    every bad one by its path."""

    match = serializers.ChoiceField(choices=MATCHES, default="all")
    conditions = serializers.JSONField()


class SegmentInputSerializer(ConditionTreeSerializer):
    name = serializers.CharField(max_length=200)

    def validate_name(self, value):
        return value.strip()
