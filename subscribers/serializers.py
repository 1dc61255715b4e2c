from rest_framework import serializers

from api.validation import validated
from fields.services import field_values_validate
from subscribers.emails import InvalidEmail, normalize_email
from subscribers.models import Status

MAX_LIST_ID = 2**62


class EmailAddressField(serializers.Field):
    """Validates an address and yields an ``Email`` (normalized address and its MD5)."""

    def to_internal_value(self, data):
        try:
            return normalize_email(data)
        except InvalidEmail as exc:
            raise serializers.ValidationError(str(exc)) from None


class FieldEntrySerializer(serializers.Serializer):
    fieldName = serializers.CharField(max_length=50)
    value = serializers.JSONField(required=False, allow_null=True)


class SubscribeSerializer(serializers.Serializer):
    emailAddress = EmailAddressField()
    fields = FieldEntrySerializer(many=True, required=False)
    resubscribe = serializers.BooleanField(required=False, default=False)


class ContactInputSerializer(serializers.Serializer):
    emailAddress = EmailAddressField()
    fields = FieldEntrySerializer(many=True, required=False)
    lists = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_LIST_ID),
        max_length=1000,
        required=False,
        default=list,
    )
    resubscribe = serializers.BooleanField(required=False, default=False)


class SubscriberPutSerializer(serializers.Serializer):
    emailAddress = EmailAddressField()
    belongsToLists = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_LIST_ID), max_length=1000
    )
    status = serializers.ChoiceField(choices=Status.values, required=False)
    fields = FieldEntrySerializer(many=True)


class UnsubscribeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    origin = serializers.ChoiceField(choices=["admin", "user"], required=False, default="admin")


def replacement(account, body) -> dict:
    """A PUT body (either surface), validated, then its field values checked by type: the keyword arguments of
    ``subscriber_replace`` but the subscriber."""
    data = validated(SubscriberPutSerializer, body)
    to_set, to_unset = field_values_validate(account=account, entries=data["fields"])
    return {
        "email": data["emailAddress"],
        "list_ids": data["belongsToLists"],
        "status": data.get("status"),
        "to_set": to_set,
        "to_unset": to_unset,
    }
