from rest_framework import serializers

from lists.confirmation import confirmation_template_check


class ConfirmationEmailSerializer(serializers.Serializer):
    """A double opt-in list's confirmation email; a part left out, null or blank is the default one."""

    subject = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    html = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    text = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)

    def validate(self, data):
        parts = {name: (data.get(name) or "") for name in ("subject", "html", "text")}
        confirmation_template_check(**parts)
        return parts


class ListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, trim_whitespace=True, allow_blank=False)
    active = serializers.BooleanField(required=False)
    public = serializers.BooleanField(required=False)
    publicName = serializers.CharField(max_length=100, trim_whitespace=True, allow_blank=True, required=False)
    publicDescription = serializers.CharField(max_length=300, trim_whitespace=True, allow_blank=True, required=False)
    doubleOptIn = serializers.BooleanField(required=False)
    confirmationEmail = ConfirmationEmailSerializer(required=False)


def list_changes(data: dict) -> dict:
    """The validated body as ``list_create``/``list_update`` keywords (what was given only)."""
    names = {
        "active": "active",
        "public": "public",
        "publicName": "public_name",
        "publicDescription": "public_description",
        "doubleOptIn": "double_opt_in",
    }
    changes = {keyword: data[member] for member, keyword in names.items() if member in data}
    if "confirmationEmail" in data:
        template = data["confirmationEmail"]
        changes["confirmation"] = (template["subject"], template["html"], template["text"])
    return changes
