from rest_framework import serializers

from fields.types import TYPES

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,49}$"
NAME_RULE = "must start with a letter and have only letters, digits and _ (at most 50)"


class FieldCreateSerializer(serializers.Serializer):
    fieldName = serializers.RegexField(NAME_PATTERN, error_messages={"invalid": NAME_RULE})
    label = serializers.CharField(max_length=100, required=False, allow_blank=False)
    type = serializers.ChoiceField(choices=TYPES)
    private = serializers.BooleanField(required=False, default=False)
    indexed = serializers.BooleanField(required=False, default=False)


class FieldUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False, allow_blank=False)
    private = serializers.BooleanField(required=False)
    indexed = serializers.BooleanField(required=False)
    # Read-only members may be echoed back unchanged, never changed (`indexStatus` is the server's: ignored).
    fieldName = serializers.CharField(required=False)
    type = serializers.CharField(required=False)
    predefined = serializers.BooleanField(required=False)

    def validate(self, data):
        field = self.context["field"]
        current = {"fieldName": field.name, "type": field.type, "predefined": field.predefined}
        errors = {name: "cannot be changed" for name, value in current.items() if name in data and data[name] != value}
        if errors:
            raise serializers.ValidationError(errors)
        return data
