from django import forms
from django.contrib import admin

from api.admin import ServiceAdmin, ServiceForm
from fields.models import Field
from fields.serializers import NAME_PATTERN, NAME_RULE
from fields.services import field_create, field_delete, field_update


class FieldForm(ServiceForm):
    """Created and changed by the API's services, with the API's name rule: the account's field types (cached
    per process, invalidated everywhere) and the custom-field limit hold. A field's name and type never change."""

    name = forms.RegexField(regex=NAME_PATTERN, error_messages={"invalid": f"The name {NAME_RULE}."})
    label = forms.CharField(max_length=100, required=False, help_text="The name when left empty.")
    problem_fields = {"fieldName": "name"}

    class Meta:
        model = Field
        fields = ("account", "name", "type", "label", "private", "indexed")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # shown read-only
            for name in ("account", "name", "type"):
                self.fields.pop(name, None)

    def write(self):
        data = self.cleaned_data
        if self.instance.pk:
            return field_update(
                field=self.instance, label=data["label"], private=data["private"], indexed=data["indexed"]
            )
        return field_create(
            account=data["account"],
            name=data["name"],
            type=data["type"],
            label=data["label"],
            private=data["private"],
            indexed=data["indexed"],
        )


@admin.register(Field)
class FieldAdmin(ServiceAdmin):
    form = FieldForm
    delete_service = field_delete  # also removes the field's values from subscribers
    delete_noun = "field"
    list_display = ("name", "label", "type", "predefined", "private", "indexed", "index_status", "account")
    list_filter = ("type", "predefined", "private", "indexed")
    search_fields = ("name", "label", "account__name")
    list_select_related = ("account",)

    def get_readonly_fields(self, request, obj=None):
        return ("account", "name", "type", "predefined", "index_status") if obj else ("predefined", "index_status")

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.predefined
