"""What POST /api/v1/emails/send accepts: its body and its ``Idempotency-Key`` header."""

from rest_framework import serializers

from api.problems import INVALID_PARAMETER, ApiProblem
from subscribers.serializers import EmailAddressField

KEY_MAX = 255
IDEMPOTENCY_KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": KEY_MAX,
    "pattern": "^[!-~]([ -~]*[!-~])?$",
}  # printable ASCII, no blank at either end


class SendEmailSerializer(serializers.Serializer):
    to = EmailAddressField()
    subject = serializers.CharField(max_length=500)
    html = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    text = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    fromName = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    fromEmail = EmailAddressField(required=False)
    replyTo = EmailAddressField(required=False)
    values = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)

    def validate_values(self, values):
        if len(values) > 200:
            raise serializers.ValidationError("at most 200 values")
        for name, value in values.items():
            if not name or len(name) > 100 or "{" in name or "}" in name or "|" in name:
                raise serializers.ValidationError(f"'{name}' is not a merge tag name")
            if isinstance(value, (dict, list)):
                raise serializers.ValidationError(f"'{name}' must be a string, number, boolean or null")
        return values

    def validate(self, data):
        if not data["html"].strip() and not data["text"].strip():
            raise serializers.ValidationError({"html": "html or text is required"})
        return data


def idempotency_key(request) -> str | None:
    """The request's ``Idempotency-Key``, trimmed; None without one; 400.3 when it is blank, too long or not
    printable."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX or not key.isprintable():
        raise ApiProblem(
            INVALID_PARAMETER,
            f"'Idempotency-Key' must be 1 to {KEY_MAX} printable characters.",
            errors=[{"field": "Idempotency-Key", "detail": f"1 to {KEY_MAX} printable characters"}],
        )
    return key
