from rest_framework import serializers

from subscribers.emails import InvalidEmail, normalize_email
from subscribers.models import Status


class EmailAddressField(serializers.Field):
    """Validates an address and yields an ``Email`` (normalized address and its MD5)."""

    def to_internal_value(self, data):
        try:
            return normalize_email(data)
        except InvalidEmail as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return value.address


class FieldEntrySerializer(serializers.Serializer):
    fieldName = serializers.CharField(max_length=50)
    value = serializers.JSONField(required=False, allow_null=True)


class SubscribeSerializer(serializers.Serializer):
    emailAddress = EmailAddressField()
    fields = FieldEntrySerializer(many=True, required=False)
    resubscribe = serializers.BooleanField(required=False, default=False)


class SubscriberPutSerializer(serializers.Serializer):
    emailAddress = EmailAddressField()
    belongsToLists = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62),
                                           max_length=1000)
    status = serializers.ChoiceField(choices=Status.values, required=False)
    fields = FieldEntrySerializer(many=True)


class UnsubscribeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    origin = serializers.ChoiceField(choices=["admin", "user"], required=False, default="admin")
