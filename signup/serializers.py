from rest_framework import serializers

from subscribers.serializers import MAX_LIST_ID

MAX_LISTS = 50
MAX_FIELDS = 50
URL_MAX = 2000


class FormFieldSerializer(serializers.Serializer):
    fieldName = serializers.CharField(max_length=50)
    required = serializers.BooleanField(required=False, default=False)


class SignupFormInputSerializer(serializers.Serializer):
    """The form resource's body; what it names (lists, fields, origins) is checked against the account by the
    service, which names each bad entry by its path."""

    name = serializers.CharField(max_length=200)
    lists = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_LIST_ID), min_length=1, max_length=MAX_LISTS
    )
    fields = FormFieldSerializer(many=True, required=False, default=list, max_length=MAX_FIELDS)
    doubleOptIn = serializers.BooleanField(required=False, default=False)
    thankYouUrl = serializers.CharField(
        max_length=URL_MAX, required=False, allow_null=True, allow_blank=True, default=None
    )
    errorUrl = serializers.CharField(
        max_length=URL_MAX, required=False, allow_null=True, allow_blank=True, default=None
    )
    allowedOrigins = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=20
    )

    def validate_name(self, value):
        return value.strip()


def form_arguments(data: dict) -> dict:
    """The validated body as ``signup_form_create``/``signup_form_update`` take it."""
    return {
        "name": data["name"],
        "list_ids": data["lists"],
        "fields": [{"fieldName": f["fieldName"], "required": f["required"]} for f in data["fields"]],
        "double_opt_in": data["doubleOptIn"],
        "thank_you_url": (data["thankYouUrl"] or "").strip(),
        "error_url": (data["errorUrl"] or "").strip(),
        "allowed_origins": data["allowedOrigins"],
    }
