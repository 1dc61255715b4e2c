from django.contrib import admin

from fields.models import Field
from fields.services import field_delete


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "label", "type", "predefined", "private", "account")
    list_filter = ("type", "predefined", "private")
    search_fields = ("name", "label", "account__name")
    list_select_related = ("account",)

    def get_readonly_fields(self, request, obj=None):
        return ("account", "name", "type", "predefined") if obj else ("predefined",)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.predefined

    def delete_model(self, request, obj):
        field_delete(field=obj)  # also removes the field's values from subscribers

    def delete_queryset(self, request, queryset):
        for field in queryset:
            self.delete_model(request, field)
